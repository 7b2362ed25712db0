// %% [markdown]
// # 10 — Balancing losses: EW, uncertainty, DWA, RLW, GLS and GradNorm on unequal loss scales
//
// Two related regression tasks (MMoE generator, ρ = 0.5), but task 0's targets are multiplied by
// 10, so its squared error is ~100× task 1's. With equal weights (EW) the shared trunk's gradient is
// then almost all task 0's. Each loss-weighting method answers differently; we train a multi-head
// network with each, over three seeds, and compare per-task test errors and Δm% against
// single-task networks. Run with `swift run -c release 10-balancing-losses` (`--quick`: one seed,
// fewer epochs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let seeds: [UInt64] = quick ? [1] : [1, 2, 3]
let epochs = quick ? 2 : 15
let methods: [BalancingMethod] = [.equal, .uncertainty, .dynamicWeightAverage, .randomLossWeighting, .geometricLossStrategy,
                                  .gradNorm, .unitaryScalarization]

// %% [markdown]
// ## The data: one task a hundred times louder
// `scaled(_:task:by:)` multiplies one task's targets in every split. Relative metrics (Δm%) do not
// care about the scale; the training objective Σ_t w_t L_t does.

// %%
func scaled(_ splits: DatasetSplits<MultiTaskDataset>, task: Int, by factor: Float) -> DatasetSplits<MultiTaskDataset> {
    var result = splits
    result.train.targets[task] = splits.train.targets[task] * factor
    result.validation.targets[task] = splits.validation.targets[task] * factor
    result.test.targets[task] = splits.test.targets[task] * factor
    return result
}

// %% [markdown]
// ## One run per method
// `runExperiment` builds the multi-head network (two shared layers of 32 units), takes the
// balancer and optimizer from `BalancingMethod.make(for:learningRate:seed:)`, and records each
// epoch's mean task weights in `history`.

// %%
struct Run {
    var testErrors: [Double]
    var deltaM: Double
    var weightRatios: [Double]  // w₁ / w₀ per epoch
}

func run(_ method: BalancingMethod, data: DatasetSplits<MultiTaskDataset>, stl: ExperimentResult, seed: UInt64) throws -> Run {
    let result = try runExperiment(.multiHead, data: data, options: ArchitectureOptions(width: 32, seed: seed), epochs: epochs,
                                   batchSize: 64, learningRate: 1e-3, balancing: method, showsProgress: false)
    let delta = deltaM(multiTask: result.test.map(\.metrics), singleTask: stl.test.map(\.metrics),
                       metrics: [[.meanSquaredError], [.meanSquaredError]])
    return Run(testErrors: result.test.map(\.mainValue), deltaM: delta,
               weightRatios: result.history.map { Double($0.weights[1] / $0.weights[0]) })
}

var runs: [BalancingMethod: [Run]] = [:]
var stlErrors: [[Double]] = []
for seed in seeds {
    let data = scaled(try SyntheticDataset.regression.make(sampleCount: 6000, seed: seed, correlation: 0.5), task: 0, by: 10)
    let stl = try runExperiment(.singleTask, data: data, options: ArchitectureOptions(width: 32, seed: seed), epochs: epochs,
                                batchSize: 64, learningRate: 1e-3, showsProgress: false)
    stlErrors.append(stl.test.map(\.mainValue))
    for method in methods { runs[method, default: []].append(try run(method, data: data, stl: stl, seed: seed)) }
}

// %% [markdown]
// ## The table
// Test MSE of each task (task 0 on its ×100 scale), the last epoch's weight ratio w₁/w₀, and Δm%
// (mean ± half-range over seeds; > 0 is better than single-task).

// %%
func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
print("method        task-0 MSE   task-1 MSE   w₁/w₀ (last epoch)   Δm%")
print(String(format: "STL           %8.3f     %8.4f     —", mean(stlErrors.map { $0[0] }), mean(stlErrors.map { $0[1] })))
for method in methods {
    let list = runs[method]!
    let deltas = list.map(\.deltaM)
    print(String(format: "%@ %8.3f     %8.4f     %8.3f             %+6.2f ± %.2f",
                 method.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0),
                 mean(list.map { $0.testErrors[0] }), mean(list.map { $0.testErrors[1] }), mean(list.map { $0.weightRatios.last! }),
                 mean(deltas), (deltas.max()! - deltas.min()!) / 2))
}

// %% [markdown]
// ## Uncertainty weighting, given time
// With Adam, each s_t = log σ_t² moves by about the learning rate per step whatever its gradient,
// and the equilibrium s_0 ≈ log L_0 ≈ 4.6 is far from the start (−0.5): at the model's rate 10⁻³
// (LibMTL's setting, used above) it cannot get there in 1,000 steps. The same method with its own
// rate of 0.05, built by hand with a `Trainer`:

// %%
func uncertaintyRun(seed: UInt64) throws -> Run {
    let data = scaled(try SyntheticDataset.regression.make(sampleCount: 6000, seed: seed, correlation: 0.5), task: 0, by: 10)
    let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape, options: ArchitectureOptions(width: 32, seed: seed))
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-3),
                          balancer: UncertaintyWeighting(taskCount: 2, learningRate: 0.05),
                          configuration: .init(epochs: epochs, batchSize: 64, seed: seed, showsProgress: false))
    let history = try trainer.fit(data.train)
    let stl = try runExperiment(.singleTask, data: data, options: ArchitectureOptions(width: 32, seed: seed), epochs: epochs,
                                batchSize: 64, learningRate: 1e-3, showsProgress: false)
    let test = evaluate(model, on: data.test)
    return Run(testErrors: test.map(\.mainValue),
               deltaM: deltaM(multiTask: test.map(\.metrics), singleTask: stl.test.map(\.metrics), metrics: [[.meanSquaredError], [.meanSquaredError]]),
               weightRatios: history.map { Double($0.weights[1] / $0.weights[0]) })
}
let fastUncertainty = try seeds.map { try uncertaintyRun(seed: $0) }
print(String(format: "uncertainty, s learning rate 0.05: task-0 MSE %.3f, task-1 MSE %.4f, w₁/w₀ %.1f, Δm%% %+.2f",
             mean(fastUncertainty.map { $0.testErrors[0] }), mean(fastUncertainty.map { $0.testErrors[1] }),
             mean(fastUncertainty.map { $0.weightRatios.last! }), mean(fastUncertainty.map(\.deltaM))))

// %% [markdown]
// ## The figure
// How each method moves the weight ratio w₁/w₀ over training (seed 1; log scale). EW and unitary
// scalarization stay at 1; the others up-weight the quiet task 1 by different amounts.
// Written to `Tutorials/figures/10-weight-ratios.svg` in a full run.

// %%
let figure = LinePlot(title: "Task-1 / task-0 weight per epoch (task 0's loss is ~100× larger)", xLabel: "epoch",
                      yLabel: "w₁ / w₀", series: methods.map { .init(name: $0.rawValue, values: runs[$0]![0].weightRatios) }
                        + [.init(name: "uncertainty (lr 0.05)", values: fastUncertainty[0].weightRatios)],
                      logarithmicY: true)
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("10-weight-ratios.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/10-weight-ratios.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")
