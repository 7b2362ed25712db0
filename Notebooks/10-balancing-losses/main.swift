// %% [markdown]
// # 10 — Balancing losses: EW, uncertainty, DWA, RLW, GLS and GradNorm on unequal loss scales
//
// Two related regression tasks (MMoE generator, ρ = 0.5), but task 0's targets are multiplied by
// 10, so its squared error is ~100× task 1's. With equal weights (EW) the shared trunk's gradient is
// then almost all task 0's. Each loss-weighting method answers differently. Part 1 shows how each
// moves the weight ratio w₁/w₀ over one training run (the mechanism); part 2 compares them with the
// findings protocol — the study committed in `Tutorials/results/10-balancing/` (10 paired seeds,
// each run at its best validation epoch, Δm% with 95% CIs), of which this notebook re-runs a slice
// and checks it. Run with `swift run -c release 10-balancing-losses` (`--quick`: one seed, fewer
// epochs, a smaller slice).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let seeds: [UInt64] = [1]   // part 1 illustrates the mechanism on one seed
let epochs = quick ? 2 : 15
let methods: [BalancingMethod] = [.equal, .uncertainty, .dynamicWeightAverage, .randomLossWeighting,
                                  .geometricLossStrategy,
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

func run(_ method: BalancingMethod, data: DatasetSplits<MultiTaskDataset>, stl: ExperimentResult,
         seed: UInt64) throws -> Run {
    let result = try runExperiment(.multiHead, data: data, options: ArchitectureOptions(width: 32, seed: seed),
                                   balancing: method, learningRate: 1e-3,
                                   training: .init(epochs: epochs, batchSize: 64, seed: seed, showsProgress: false))
    let delta = deltaM(multiTask: result.test.map(\.metrics), singleTask: stl.test.map(\.metrics),
                       metrics: [[.meanSquaredError], [.meanSquaredError]])
    return Run(testErrors: result.test.map(\.mainValue), deltaM: delta,
               weightRatios: result.history.map { Double($0.weights[1] / $0.weights[0]) })
}

var runs: [BalancingMethod: [Run]] = [:]
var stlErrors: [[Double]] = []
for seed in seeds {
    let data = scaled(try SyntheticDataset.regression.make(sampleCount: 6000, seed: seed, correlation: 0.5), task: 0,
                      by: 10)
    let stl = try runExperiment(.singleTask, data: data, options: ArchitectureOptions(width: 32, seed: seed),
                                learningRate: 1e-3,
                                training: .init(epochs: epochs, batchSize: 64, seed: seed, showsProgress: false))
    stlErrors.append(stl.test.map(\.mainValue))
    for method in methods { runs[method, default: []].append(try run(method, data: data, stl: stl, seed: seed)) }
}

// %% [markdown]
// ## Uncertainty weighting, given time
// With Adam, each s_t = log σ_t² moves by about the learning rate per step whatever its gradient,
// and the equilibrium s_0 ≈ log L_0 ≈ 4.6 is far from the start (−0.5): at the model's rate 10⁻³
// (LibMTL's setting, used above) it cannot get there in 1,000 steps. The same method with its own
// rate of 0.05, built by hand with a `Trainer`:

// %%
func uncertaintyRun(seed: UInt64) throws -> Run {
    let data = scaled(try SyntheticDataset.regression.make(sampleCount: 6000, seed: seed, correlation: 0.5), task: 0,
                      by: 10)
    let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape,
                            options: ArchitectureOptions(width: 32, seed: seed))
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-3),
                          balancer: UncertaintyWeighting(taskCount: 2, learningRate: 0.05),
                          configuration: .init(epochs: epochs, batchSize: 64, seed: seed, showsProgress: false))
    let history = try trainer.fit(data.train)
    let stl = try runExperiment(.singleTask, data: data, options: ArchitectureOptions(width: 32, seed: seed),
                                learningRate: 1e-3,
                                training: .init(epochs: epochs, batchSize: 64, seed: seed, showsProgress: false))
    let test = evaluate(model, on: data.test)
    return Run(testErrors: test.map(\.mainValue),
               deltaM: deltaM(multiTask: test.map(\.metrics), singleTask: stl.test.map(\.metrics),
                              metrics: [[.meanSquaredError], [.meanSquaredError]]),
               weightRatios: history.map { Double($0.weights[1] / $0.weights[0]) })
}
let fastUncertainty = try seeds.map { try uncertaintyRun(seed: $0) }
func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
for method in methods {
    print(String(format: "%@ w₁/w₀ after the last epoch: %.2f", method.rawValue,
                 mean(runs[method]!.map { $0.weightRatios.last! })))
}
let fastRatio = mean(fastUncertainty.map { $0.weightRatios.last! })
let defaultRatio = mean(runs[.uncertainty]!.map { $0.weightRatios.last! })
print(String(format: "uncertainty, s learning rate 0.05: w₁/w₀ after the last epoch %.1f "
                + "(at the model's rate: %.2f)", fastRatio, defaultRatio))

// %% [markdown]
// ## The figure
// How each method moves the weight ratio w₁/w₀ over training (seed 1; log scale). EW and unitary
// scalarization stay at 1; the others up-weight the quiet task 1 by different amounts.
// Written to `Tutorials/figures/10-weight-ratios.svg` in a full run.

// %%
let figure = LinePlot(title: "Task-1 / task-0 weight per epoch (task 0's loss is ~100× larger)", xLabel: "epoch",
                      yLabel: "w₁ / w₀", series: methods.map { .init(name: $0.rawValue,
                                                                     values: runs[$0]![0].weightRatios) }
                        + [.init(name: "uncertainty (lr 0.05)", values: fastUncertainty[0].weightRatios)],
                      logarithmicY: true)
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("10-weight-ratios.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/10-weight-ratios.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")

// %% [markdown]
// ## Part 2: the comparison, with the findings protocol
// STL and a multi-head network per method, 10 paired seeds, each run trained until 10 epochs bring
// no better validation score (at most 100) and reported at its best validation epoch. The slice
// re-runs STL, EW and GradNorm on two seeds and must reproduce the committed rows exactly.

// %%
let studyMethods: [BalancingMethod] = [.equal, .uncertainty, .dynamicWeightAverage, .randomLossWeighting,
                                       .geometricLossStrategy,
                                       .gradNorm, .unitaryScalarization]
func balancingStudy(_ methods: [BalancingMethod], seeds: [UInt64], samples: Int, epochs: Int,
                    resultsURL: URL?) -> Study {
    let arms = [StudyArm(name: "stl@32", architecture: .singleTask, options: ArchitectureOptions(width: 32))]
        + methods.map { StudyArm(name: "multi-head:\($0.rawValue)@32", architecture: .multiHead, balancing: $0,
                                 options: ArchitectureOptions(width: 32)) }
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 10, baseline: "stl@32",
                 resultsURL: resultsURL) { seed in
        scaled(try SyntheticDataset.regression.make(sampleCount: samples, seed: seed, correlation: 0.5), task: 0,
               by: 10)
    }.addingNoiseFloor()
}
let committed = URL(fileURLWithPath: "Tutorials/results/10-balancing/runs.csv")
let slice = try balancingStudy([.equal, .gradNorm], seeds: quick ? [0] : [0, 1], samples: quick ? 600 : 6000,
                               epochs: quick ? 3 : 100, resultsURL: nil).run()
if !quick {
    try slice.checkReproduces(runsAt: committed)
    print("slice re-run: identical to the committed runs of these seeds\n")
}

// %% [markdown]
// The committed study against STL, then each method against EW (the paired difference of their
// Δm% against STL, seed by seed).

// %%
var study = try balancingStudy(studyMethods, seeds: Array(0..<10), samples: 6000, epochs: 100,
                               resultsURL: committed).recordedResult()
print(study.markdownTable() + "\n")
study.baseline = "multi-head:ew@32"
for method in studyMethods.dropFirst() {
    if let comparison = study.comparison(of: "multi-head:\(method.rawValue)@32") {
        print("\(method.rawValue) against EW: Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}
