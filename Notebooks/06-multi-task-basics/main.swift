// %% [markdown]
// # 06 — Multi-task basics: when does sharing help?
//
// Two regression tasks from Ma et al.'s MMoE generator (`RelatedRegression`): the label of task
// t is y_t = w_tᵀx + Σᵢ sin(aᵢ w_tᵀx + bᵢ) + ε, and the cosine between w₁ and w₂ is the task
// correlation ρ. We compare single-task networks (STL, nothing shared) with a multi-head network (a
// shared trunk, a head per task) **at equal parameter budgets**, on little and on more data, with
// the findings protocol: paired seeds, each run trained until its validation score stops improving
// and reported at its best validation epoch, Δm% with a 95% bootstrap confidence interval, and a
// noise floor (STL against STL with other initialization seeds).
//
// The full study (20 seeds per cell, 15 cells) is committed in
// `Tutorials/results/06-sharing-regime/` with the script that ran it. This notebook re-runs a
// representative slice — ρ = 1 and ρ = 0 on 150 samples, 10 seeds — checks that its runs are
// identical to the committed ones, and draws the figure from the committed study.
// Run with `swift run -c release 06-multi-task-basics` (`--quick`: 2 seeds, a few epochs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let committed = URL(fileURLWithPath: "Tutorials/results/06-sharing-regime")
/// The runs file of one cell of the committed study.
func cellRuns(correlation: Float, samples: Int) -> URL {
    committed.appendingPathComponent("rho-\(String(format: "%.1f", correlation))-samples-\(samples)/runs.csv")
}

// %% [markdown]
// ## Equal budgets
// STL trains one network per task (`makeBackbone`: two layers of 8 units, 889 parameters each,
// 1,778 for both tasks); the multi-head network shares one trunk of 15 units with a head per task
// (1,787 parameters). Equal widths would give STL twice the trunk — a comparison of sizes, not of
// sharing.

// %%
func sharingStudy(correlation: Float, samples: Int, seeds: [UInt64], resultsURL: URL?, epochs: Int = 300) -> Study {
    let arms = [StudyArm(name: "stl@8", architecture: .singleTask, options: ArchitectureOptions(width: 8),
                         batchSize: 32),
                StudyArm(name: "multi-head@15", architecture: .multiHead, options: ArchitectureOptions(width: 15),
                         batchSize: 32)]
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 20, baseline: "stl@8",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.regression.make(sampleCount: samples, seed: seed, correlation: correlation)
    }.addingNoiseFloor()
}

// %% [markdown]
// ## A slice of the study, re-run
// Each run is deterministic for its seed, so a re-run must give the committed rows bit for bit.

// %%
let sliceSeeds: [UInt64] = quick ? [0, 1] : Array(0..<10)
for correlation: Float in quick ? [1.0] : [1.0, 0.0] {
    let study = sharingStudy(correlation: correlation, samples: 150, seeds: sliceSeeds, resultsURL: nil,
                             epochs: quick ? 5 : 300)
    let result = try study.run()
    print("ρ = \(correlation), 150 samples (105 for training), \(sliceSeeds.count) seeds:")
    print(result.markdownTable() + "\n")
    guard !quick else { continue }
    let cell = cellRuns(correlation: correlation, samples: 150)
    try result.checkReproduces(runsAt: cell)
    print("(identical to the committed runs of these seeds)\n")
}

// %% [markdown]
// ## The whole study
// Δm% of the multi-head network against STL for each ρ and data size, with its 95% CI as a band,
// and the noise floor on 150 samples. Written to `Tutorials/figures/06-sharing-regime.svg` in a
// full run (a quick run writes to the temporary directory).

// %%
var series: [LinePlot.Series] = []
var trends: [String] = []
var table = "| samples | ρ | multi-head Δm% [95% CI] | verdict | noise floor Δm% [95% CI] "
    + "| runs at the epoch cap |\n|---|---|---|---|---|---|\n"
for samples in [150, 500, 2000] {
    var points: [(x: Double, y: Double)] = [], band: [(lower: Double, upper: Double)] = []
    var floorPoints: [(x: Double, y: Double)] = [], floorBand: [(lower: Double, upper: Double)] = []
    for correlation: Float in [0.0, 0.2, 0.5, 0.8, 1.0] {
        let name = "rho-\(String(format: "%.1f", correlation))-samples-\(samples)"
        let study = sharingStudy(correlation: correlation, samples: samples, seeds: Array(0..<20),
                                 resultsURL: committed.appendingPathComponent("\(name)/runs.csv"))
        let result = try study.recordedResult()
        guard let shared = result.comparison(of: "multi-head@15"),
              let floor = result.comparison(of: "stl@8 re-init") else { continue }
        points.append((Double(correlation), shared.mean))
        band.append(shared.confidenceInterval)
        floorPoints.append((Double(correlation), floor.mean))
        floorBand.append(floor.confidenceInterval)
        let capped = result.runs.filter { $0.epochsTrained == 300 }.count
        table += "| \(samples) | \(correlation) | \(shared.formatted()) | \(shared.verdict) | \(floor.formatted()) "
            + "| \(capped) of \(result.runs.count) |\n"
    }
    // Does sharing lose more as the tasks drift apart? Δm% at ρ = 1 minus Δm% at ρ = 0, paired by
    // seed (seed s draws the same directions u₁, u₂ for every ρ).
    let ends = try [Float(1.0), 0.0].map { correlation in
        try sharingStudy(correlation: correlation, samples: samples, seeds: Array(0..<20),
                         resultsURL: cellRuns(correlation: correlation, samples: samples))
            .recordedResult()
    }
    if ends[0].pairedSeeds("multi-head@15") == ends[1].pairedSeeds("multi-head@15"), !ends[0].runs.isEmpty {
        let trend = PairedComparison(ends[0].deltaM(of: "multi-head@15"), minus: ends[1].deltaM(of: "multi-head@15"))
        trends.append("\(samples) samples: Δm%(ρ = 1) − Δm%(ρ = 0) = \(trend.formatted()) — \(trend.verdict)")
    }
    series.append(LinePlot.Series(name: "\(samples) samples", points: points, band: band))
    if samples == 150 { series.append(LinePlot.Series(name: "noise floor (150)", points: floorPoints,
                                                      band: floorBand)) }
}
print(table)
print(trends.joined(separator: "\n"))
let figure = LinePlot(title: "Multi-head vs STL at equal parameters (RelatedRegression, 20 seeds each)",
                      xLabel: "task correlation ρ",
                      yLabel: "Δm% against STL (test MSE; band: 95% CI)", series: series)
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("06-sharing-regime.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/06-sharing-regime.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")

// %% [markdown]
// ## The architectures, drawn
// What STL and hard sharing share: the blue boxes are used by every task. Written to
// `Tutorials/figures/architecture-<name>.svg` (a `--quick` run
// writes to the temporary directory).

// %%
for architecture in [Architecture.singleTask, .multiHead] {
    let folder = quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures")
    let url = folder.appendingPathComponent("architecture-\(architecture.rawValue).svg")
    try ArchitectureDiagram(architecture, taskCount: 2).write(to: url)
    print("diagram: \(url.path)")
}
