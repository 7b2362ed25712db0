// %% [markdown]
// # 06 — Multi-task basics: sharing, and negative transfer as tasks drift apart
//
// Two regression tasks from Ma et al.'s MMoE generator (`RelatedRegression`): the label of task
// t is y_t = w_tᵀx + Σᵢ sin(aᵢ w_tᵀx + bᵢ) + ε, and the cosine between w₁ and w₂ is the task
// correlation ρ. We train, for each ρ, single-task networks (STL, nothing shared) and a multi-head
// network (a shared trunk, a head per task) on the objective Σ_t L_t, and report Δm% of the
// multi-head network against STL on the test MSE. Run with
// `swift run -c release 06-multi-task-basics` (`--quick`: fewer seeds and epochs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let correlations: [Float] = quick ? [1, 0] : [1, 0.8, 0.6, 0.4, 0.2, 0]
let seeds: [UInt64] = quick ? [1] : [1, 2, 3]
let epochs = quick ? 2 : 15

// %% [markdown]
// ## One comparison
// The same backbone for both: two layers of 32 units (`makeBackbone`), heads of one output.
// STL trains two of them; the multi-head network shares one trunk and so has half the trunk
// parameters and sees both tasks' gradients in it.

// %%
func compare(correlation: Float, seed: UInt64) throws -> (stl: [Double], multiHead: [Double], deltaM: Double) {
    let data = try SyntheticDataset.regression.make(sampleCount: 6000, seed: seed, correlation: correlation)
    let options = ArchitectureOptions(width: 32, seed: seed)
    let stl = try runExperiment(.singleTask, data: data, options: options, epochs: epochs, batchSize: 64, learningRate: 1e-3, showsProgress: false)
    let shared = try runExperiment(.multiHead, data: data, options: options, epochs: epochs, batchSize: 64, learningRate: 1e-3, showsProgress: false)
    let delta = deltaM(multiTask: shared.test.map(\.metrics), singleTask: stl.test.map(\.metrics), metrics: [[.meanSquaredError], [.meanSquaredError]])
    return (stl.test.map(\.mainValue), shared.test.map(\.mainValue), delta)
}

// %% [markdown]
// ## Sweeping ρ
// For each correlation, the mean over seeds of the test MSE of both tasks and of Δm%.

// %%
print("ρ      STL MSE (t0, t1)    multi-head MSE (t0, t1)   Δm% (mean ± spread over \(seeds.count) seeds)")
var points: [(x: Double, y: Double)] = []
for correlation in correlations {
    var rows: [(stl: [Double], multiHead: [Double], deltaM: Double)] = []
    for seed in seeds { rows.append(try compare(correlation: correlation, seed: seed)) }
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    let delta = mean(rows.map(\.deltaM))
    let spread = (rows.map(\.deltaM).max()! - rows.map(\.deltaM).min()!) / 2
    print(String(format: "%.1f    %.3f, %.3f        %.3f, %.3f              %+.2f ± %.2f", correlation,
                 mean(rows.map { $0.stl[0] }), mean(rows.map { $0.stl[1] }),
                 mean(rows.map { $0.multiHead[0] }), mean(rows.map { $0.multiHead[1] }), delta, spread))
    points.append((Double(correlation), delta))
}

// %% [markdown]
// ## The figure
// Δm% against ρ (positive: sharing helps). Written to `Tutorials/figures/06-negative-transfer.svg`
// in a full run (a quick run writes to the temporary directory).

// %%
let figure = LinePlot(title: "Multi-head vs single-task networks as task correlation falls", xLabel: "task correlation ρ",
                      yLabel: "Δm% (test MSE)", series: [.init(name: "multi-head", points: points)])
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("06-negative-transfer.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/06-negative-transfer.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")
