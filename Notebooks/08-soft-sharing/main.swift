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
// task's features become a learned linear mix of all tasks' features. We sweep λ on two related
// regression tasks and compare with cross-stitch and the multi-head network. Run with
// `swift run -c release 08-soft-sharing` (`--quick`: less data, one seed).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let seeds: [UInt64] = quick ? [1] : [1, 2, 3]
let strengths: [Float] = quick ? [0, 1e-2] : [0, 1e-4, 1e-3, 1e-2, 1e-1, 1]
let epochs = quick ? 2 : 15

// %% [markdown]
// ## One run
// `runExperiment(.softSharing, …)` builds a `SoftSharingNetwork` whose columns are the standard
// backbone and whose heads are not coupled; λ is `ArchitectureOptions.couplingStrength`. We report
// Δm% against STL and the final distance Σ ‖θ₀ − θ₁‖² between the columns.

// %%
func softSharing(_ strength: Float, data: DatasetSplits<MultiTaskDataset>, stl: ExperimentResult, seed: UInt64) throws -> (deltaM: Double, distance: Double) {
    let options = ArchitectureOptions(width: 32, couplingStrength: strength, seed: seed)
    let model = makeNetwork(.softSharing, tasks: data.train.tasks, inputShape: data.train.inputShape, options: options) as! SoftSharingNetwork
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-3),
                          configuration: .init(epochs: epochs, batchSize: 64, seed: seed, showsProgress: false))
    try trainer.fit(data.train)
    let test = evaluate(model, on: data.test)
    let distance = zip(model.columns[0].parameters(), model.columns[1].parameters())
        .reduce(0.0) { $0 + Double(($1.0.value - $1.1.value).squared().sum().scalar) }
    return (deltaM(multiTask: test.map(\.metrics), singleTask: stl.test.map(\.metrics), metrics: [[.meanSquaredError], [.meanSquaredError]]), distance)
}

// %% [markdown]
// ## The sweep
// Mean over seeds of Δm% and of the column distance for each λ, then cross-stitch and multi-head.

// %%
var sweep = strengths.map { _ in (deltaM: 0.0, distance: 0.0) }
var others: [String: Double] = ["cross-stitch": 0, "multi-head": 0]
for seed in seeds {
    let data = try SyntheticDataset.regression.make(sampleCount: quick ? 600 : 6000, seed: seed, correlation: 0.5)
    let options = ArchitectureOptions(width: 32, seed: seed)
    let stl = try runExperiment(.singleTask, data: data, options: options, epochs: epochs, learningRate: 1e-3, showsProgress: false)
    for (index, strength) in strengths.enumerated() {
        let result = try softSharing(strength, data: data, stl: stl, seed: seed)
        sweep[index].deltaM += result.deltaM / Double(seeds.count)
        sweep[index].distance += result.distance / Double(seeds.count)
    }
    for architecture in [Architecture.crossStitch, .multiHead] {
        let run = try runExperiment(architecture, data: data, options: options, epochs: epochs, learningRate: 1e-3, showsProgress: false)
        others[architecture.rawValue]! += deltaM(multiTask: run.test.map(\.metrics), singleTask: stl.test.map(\.metrics),
                                                 metrics: [[.meanSquaredError], [.meanSquaredError]]) / Double(seeds.count)
    }
}
print("λ          Δm%       Σ‖θ₀ − θ₁‖²")
for (strength, result) in zip(strengths, sweep) {
    print(String(format: "%-8g   %+7.2f   %.4f", strength, result.deltaM, result.distance))
}
print(String(format: "cross-stitch  Δm%% %+.2f;  multi-head  Δm%% %+.2f", others["cross-stitch"]!, others["multi-head"]!))

// %% [markdown]
// ## The figure
// Δm% against log₁₀ λ (λ = 0 drawn at −5). Written to `Tutorials/figures/08-soft-sharing.svg` in a full run.

// %%
let points = zip(strengths, sweep).map { (x: $0 == 0 ? -5 : Double(Foundation.log10($0)), y: $1.deltaM) }
let figure = LinePlot(title: "Soft sharing: Δm% as the coupling λ grows", xLabel: "log₁₀ λ (λ = 0 at −5)", yLabel: "Δm% against STL",
                      series: [.init(name: "soft sharing", points: points),
                               .init(name: "multi-head", points: points.map { ($0.x, others["multi-head"]!) })])
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("08-soft-sharing.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/08-soft-sharing.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")
