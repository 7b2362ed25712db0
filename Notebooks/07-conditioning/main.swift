// %% [markdown]
// # 07 — Task conditioning: one network for every task, told which task to do
//
// Hard sharing at its extreme: *all* parameters are shared and the task enters as an input — a
// descriptor z_t (one-hot, or a learned embedding) that conditions the shared features h:
//
// - concatenation: decoder([h, z_t]);
// - additive:       h + W_z z_t (a task-specific bias; equal to concatenation followed by a linear layer);
// - multiplicative: h ⊙ σ(W_z z_t) (task gates that switch features on and off);
// - FiLM:           γ(z_t) ⊙ h + β(z_t) (Perez et al., AAAI 2018: scale and shift).
//
// One shared decoder then serves every task. We compare them with single-task networks and a
// multi-head network on two problems. Run with `swift run -c release 07-conditioning`
// (`--quick`: less data and one seed).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let seeds: [UInt64] = quick ? [1] : [1, 2, 3]
let architectures: [Architecture] = [.singleTask, .multiHead, .concatenation, .additive, .multiplicative, .film]

// %% [markdown]
// ## Two related regression tasks (ρ = 0.5)
// Test MSE per task, mean over seeds, and Δm% against STL; then concatenation with a learned
// 4-dimensional task embedding instead of the one-hot code.

// %%
func regression(_ architecture: Architecture, descriptor: TaskDescriptorKind = .oneHot) throws -> (errors: [Double], deltaM: Double) {
    var errors = [0.0, 0.0], delta = 0.0
    for seed in seeds {
        let data = try SyntheticDataset.regression.make(sampleCount: quick ? 600 : 6000, seed: seed, correlation: 0.5)
        let options = ArchitectureOptions(width: 32, descriptor: descriptor, seed: seed)
        let stl = try runExperiment(.singleTask, data: data, options: options, epochs: quick ? 2 : 15, learningRate: 1e-3, showsProgress: false)
        let run = try runExperiment(architecture, data: data, options: options, epochs: quick ? 2 : 15, learningRate: 1e-3, showsProgress: false)
        for task in 0..<2 { errors[task] += run.test[task].mainValue / Double(seeds.count) }
        delta += deltaM(multiTask: run.test.map(\.metrics), singleTask: stl.test.map(\.metrics),
                        metrics: [[.meanSquaredError], [.meanSquaredError]]) / Double(seeds.count)
    }
    return (errors, delta)
}
print("regression (ρ = 0.5)       task-0 MSE   task-1 MSE   Δm%")
var regressionDeltas: [Double] = []
for architecture in architectures {
    let result = try regression(architecture)
    regressionDeltas.append(result.deltaM)
    print(String(format: "%@ %.3f        %.3f        %+.2f", architecture.rawValue.padding(toLength: 26, withPad: " ", startingAt: 0),
                 result.errors[0], result.errors[1], result.deltaM))
}
let embedded = try regression(.concatenation, descriptor: .embedding(dimension: 4))
print(String(format: "concatenation, embedding    %.3f        %.3f        %+.2f", embedded.errors[0], embedded.errors[1], embedded.deltaM))

// %% [markdown]
// ## Eight attribute groups on images
// The conditioned decoder must now produce eight different kinds of output from one set of
// weights (its output layer is as wide as the widest task; each task reads its own first k_t
// outputs). Seed 1, mean F-score over the tasks.

// %%
let images = try SyntheticDataset.shapes.make(sampleCount: quick ? 200 : 1500, seed: 1)
var imageResults: [(name: String, result: ExperimentResult)] = []
for architecture in architectures {
    var options = ArchitectureOptions(width: 16, seed: 1)
    options.skipsMaskedUnits = true
    imageResults.append((architecture.rawValue, try runExperiment(architecture, data: images, options: options, epochs: quick ? 1 : 4,
                                                                  learningRate: 3e-3, showsProgress: false)))
}
print("\n" + comparisonTable(imageResults, baseline: imageResults[0].result))

// %% [markdown]
// ## The figure
// Δm% of each architecture on the regression tasks. Written to `Tutorials/figures/07-conditioning.svg`
// in a full run.

// %%
let chart = BarChart(title: "Task conditioning vs multi-head (two regression tasks, ρ = 0.5)", yLabel: "Δm% against STL",
                     categories: architectures.dropFirst().map(\.rawValue), series: [("Δm%", Array(regressionDeltas.dropFirst()))])
let chartURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("07-conditioning.svg")
                     : URL(fileURLWithPath: "Tutorials/figures/07-conditioning.svg")
try chart.write(to: chartURL)
print("figure: \(chartURL.path)")

// %% [markdown]
// ## The architectures, drawn
// One network for all tasks; the task enters as a descriptor e_t. Written to `Tutorials/figures/architecture-<name>.svg` (a `--quick` run
// writes to the temporary directory).

// %%
for architecture in [Architecture.concatenation, .additive, .multiplicative, .film] {
    let url = (quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures")).appendingPathComponent("architecture-\(architecture.rawValue).svg")
    try ArchitectureDiagram(architecture, taskCount: 2).write(to: url)
    print("diagram: \(url.path)")
}
