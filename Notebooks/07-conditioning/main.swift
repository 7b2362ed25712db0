// %% [markdown]
// # 07 — Task conditioning: one network for every task, told which task to do
//
// Hard sharing at its extreme: *all* parameters are shared and the task enters as an input — a
// descriptor z_t (one-hot, or a learned embedding) that conditions the shared features h:
//
// - concatenation: [h, z_t] into the next layer;
// - additive:       h + W_z z_t (a task-specific bias; equal to concatenation followed by a linear layer);
// - multiplicative: h ⊙ σ(W_z z_t) (task gates that switch features on and off);
// - FiLM:           γ(z_t) ⊙ h + β(z_t) (Perez et al., AAAI 2018: scale and shift).
//
// Where the conditioning enters decides what it can express. Before a linear output layer alone,
// additive conditioning can only shift each task's output by a constant, and FiLM is exactly a
// multi-head network (its γ_t rescales the shared output weights into task heads) — both tested in
// `ConditioningEquivalenceTests`. So `makeNetwork` conditions the features *before* a hidden layer
// with ReLU. We compare the four with single-task networks and a multi-head network, with the
// findings protocol; the study (5 seeds) is committed in `Tutorials/results/07-conditioning/`, and
// this notebook re-runs a slice and checks it. Run with `swift run -c release 07-conditioning`
// (`--quick`: less data, a short slice).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let architectures: [Architecture] = [.singleTask, .multiHead, .concatenation, .additive, .multiplicative, .film]

// %% [markdown]
// ## The study
// Every architecture on the standard backbone of width 32, one-hot descriptors, two related
// regression tasks (ρ = 0.5).

// %%
func conditioningStudy(_ architectures: [Architecture], seeds: [UInt64], samples: Int, epochs: Int,
                       resultsURL: URL?) -> Study {
    let arms = architectures.map { StudyArm(name: "\($0.rawValue)@32", architecture: $0,
                                            options: ArchitectureOptions(width: 32)) }
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 10, baseline: "stl@32",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.regression.make(sampleCount: samples, seed: seed, correlation: 0.5)
    }.addingNoiseFloor()
}

// %% [markdown]
// ## A slice, re-run
// STL, concatenation and FiLM on two seeds (one short one with `--quick`), checked against the
// committed runs.

// %%
let committed = URL(fileURLWithPath: "Tutorials/results/07-conditioning/runs.csv")
let slice = try conditioningStudy([.singleTask, .concatenation, .film], seeds: quick ? [0] : [0, 1],
                                  samples: quick ? 600 : 6000,
                                  epochs: quick ? 3 : 100, resultsURL: nil).run()
if !quick {
    try slice.checkReproduces(runsAt: committed)
    print("slice re-run: identical to the committed runs of these seeds\n")
}

// %% [markdown]
// ## The whole study, and the figure
// Δm% of each architecture against STL with its 95% CI. Written to
// `Tutorials/figures/07-conditioning.svg` (a quick run writes to the temporary directory).

// %%
let result = try conditioningStudy(architectures, seeds: Array(0..<5), samples: 6000, epochs: 100,
                                   resultsURL: committed).recordedResult()
print(result.markdownTable() + "\n")
var againstMultiHead = result
againstMultiHead.baseline = "multi-head@32"
for architecture in architectures.dropFirst(2) {
    if let comparison = againstMultiHead.comparison(of: "\(architecture.rawValue)@32") {
        print("\(architecture.rawValue) against multi-head: Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}
let chartURL = (quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures"))
    .appendingPathComponent("07-conditioning.svg")
try result.deltaMChart(title: "Task conditioning vs STL (two regression tasks, ρ = 0.5, 5 seeds)").write(to: chartURL,
    width: 720)
print("figure: \(chartURL.path)")

// %% [markdown]
// ## The architectures, drawn
// One network for all tasks; the task enters as a descriptor e_t. Written to
// `Tutorials/figures/architecture-<name>.svg` (a `--quick` run
// writes to the temporary directory).

// %%
for architecture in [Architecture.concatenation, .additive, .multiplicative, .film] {
    let folder = quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures")
    let url = folder.appendingPathComponent("architecture-\(architecture.rawValue).svg")
    try ArchitectureDiagram(architecture, taskCount: 2).write(to: url)
    print("diagram: \(url.path)")
}
