// %% [markdown]
// # 08 — Soft sharing: from independent networks to hard sharing with one knob
//
// One network ("column") per task, all alike, with a penalty pulling corresponding parameters
// together (Duong et al., 2015):
//
//     L = Σ_t L_t + λ Σ_{t<t'} Σ_layers ‖θ_t − θ_t'‖²
//
// λ = 0 is single-task learning; λ → ∞ forces equal columns, i.e. hard sharing of everything but
// the heads. Cross-stitch units (Misra et al., CVPR 2016) share differently: after each stage, every
// task's features become a learned linear mix of all tasks' features. We compare, on two related
// regression tasks, STL with soft sharing at six couplings λ, cross-stitch and the multi-head
// network, with the findings protocol (paired seeds, each run at its best validation epoch, Δm% with
// a 95% CI, a noise floor).
//
// The full study (10 seeds) is committed in `Tutorials/results/08-soft-sharing/` with its script.
// This notebook re-runs three of its arms on three seeds, checks them against the committed runs,
// and draws the figure from the committed study. Run with `swift run -c release 08-soft-sharing`
// (`--quick`: less data, two seeds, a few epochs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let committed = URL(fileURLWithPath: "Tutorials/results/08-soft-sharing")

// %% [markdown]
// ## The study
// All models have the standard backbone of width 32 (two layers); soft sharing's columns are that
// backbone per task, coupled with strength λ (`ArchitectureOptions.couplingStrength`). Soft sharing
// and STL have the same size; the multi-head network has one trunk instead of two.

// %%
let couplings = ["0", "0.0001", "0.001", "0.01", "0.1", "1"]   // λ, as the arms are named
func softSharingArms(_ couplings: [String], crossStitch: Bool, multiHead: Bool) -> [StudyArm] {
    var arms = [StudyArm(name: "stl@32", architecture: .singleTask, options: ArchitectureOptions(width: 32))]
    for coupling in couplings {
        arms.append(StudyArm(name: "soft-sharing@32~\(coupling)", architecture: .softSharing,
                             options: ArchitectureOptions(width: 32, couplingStrength: Float(coupling)!)))
    }
    if crossStitch { arms.append(StudyArm(name: "cross-stitch@32", architecture: .crossStitch,
                                          options: ArchitectureOptions(width: 32))) }
    if multiHead { arms.append(StudyArm(name: "multi-head@32", architecture: .multiHead,
                                        options: ArchitectureOptions(width: 32))) }
    return arms
}
func softSharingStudy(_ arms: [StudyArm], seeds: [UInt64], samples: Int, epochs: Int, resultsURL: URL?) -> Study {
    Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 10, baseline: "stl@32",
          resultsURL: resultsURL) { seed in
        try SyntheticDataset.regression.make(sampleCount: samples, seed: seed, correlation: 0.5)
    }.addingNoiseFloor()
}

// %% [markdown]
// ## A slice, re-run
// STL, λ = 10⁻² and the multi-head network on three seeds (two short ones with `--quick`). Each run
// is deterministic for its seed, so the full run must reproduce the committed rows exactly.

// %%
let slice = softSharingStudy(softSharingArms(["0.01"], crossStitch: false, multiHead: true),
                             seeds: quick ? [0, 1] : [0, 1, 2], samples: quick ? 600 : 6000,
                             epochs: quick ? 3 : 100, resultsURL: nil)
let sliceResult = try slice.run()
print(sliceResult.markdownTable() + "\n")
if !quick {
    try sliceResult.checkReproduces(runsAt: committed.appendingPathComponent("runs.csv"))
    print("(identical to the committed runs of these seeds)\n")
}

// %% [markdown]
// ## The whole study, and the figure
// Δm% of every arm against STL with its 95% CI as an error bar. Written to
// `Tutorials/figures/08-soft-sharing.svg` (a quick run writes to the temporary directory).

// %%
let full = softSharingStudy(softSharingArms(couplings, crossStitch: true, multiHead: true), seeds: Array(0..<10),
                            samples: 6000,
                            epochs: 100, resultsURL: committed.appendingPathComponent("runs.csv"))
let result = try full.recordedResult()
print(result.markdownTable() + "\n")
let figureURL = (quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures"))
    .appendingPathComponent("08-soft-sharing.svg")
try result.deltaMChart(title: "Soft sharing, cross-stitch and hard sharing vs STL (ρ = 0.5, 10 seeds)")
    .write(to: figureURL, width: 820, height: 480)
print("figure: \(figureURL.path)")

// %% [markdown]
// ## The architectures, drawn
// A column per task: coupled by a penalty (soft sharing) or mixed by learned α (cross-stitch). Written to
// `Tutorials/figures/architecture-<name>.svg` (a `--quick` run
// writes to the temporary directory).

// %%
for architecture in [Architecture.softSharing, .crossStitch] {
    let folder = quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures")
    let url = folder.appendingPathComponent("architecture-\(architecture.rawValue).svg")
    try ArchitectureDiagram(architecture, taskCount: 2).write(to: url)
    print("diagram: \(url.path)")
}
