// %% [markdown]
// # 12 — Who dominates the shared parameters? AdaTask and the AU metric, layer by layer
//
// Dense scenes: segmentation (cross-entropy), depth (L1) and surface normals (cosine loss) share
// a dilated convolutional trunk. Their losses and gradients have different scales, and Adam's
// per-parameter learning rate η / (√v̂ + ε) is set by the *sum* of the tasks' gradients — so the
// loudest task also sets every other task's step size on the parameters they share.
//
// Yang et al. (AdaTask, AAAI 2023) measure this with AU: for every shared scalar and task, an
// exponential average of the squared update that task caused; the task with the largest AU
// *dominates* the scalar. We train the same network twice — Adam, and AdaTask (one set of Adam
// moments per task on the shared parameters) — and count, layer by layer, which task dominates
// how many parameters. Run with `swift run -c release 12-task-dominance` (`--quick`: less data).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let data = try SyntheticDataset.scenes.make(sampleCount: quick ? 200 : 1500, seed: 1)
let epochs = quick ? 1 : 8
let taskNames = data.train.tasks.map(\.name)

// %% [markdown]
// ## Two runs
// `AdaTask(model:learningRate:separatesTasks:)` is both the optimizer and the balancer: its
// `backward` takes the per-task gradients, its `step()` applies one Adam step per task. With
// `separatesTasks: false` it is plain Adam, still measuring each task's part of the update
// (Adam's first moment is linear in the gradient, so task t's part is η m̂_t / (√v̂ + ε)).

// %%
func train(separatesTasks: Bool) throws -> (dominance: [AdaTask.LayerDominance], test: [TaskEvaluation]) {
    let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape, options: ArchitectureOptions(width: 16, seed: 1))
    let adaTask = AdaTask(model: model, learningRate: 1e-3, separatesTasks: separatesTasks)
    let trainer = Trainer(model: model, optimizer: adaTask, balancer: adaTask,
                          configuration: .init(epochs: epochs, batchSize: 32, seed: 1, showsProgress: false))
    try trainer.fit(data.train)
    return (adaTask.dominance(), evaluate(model, on: data.test))
}
let adam = try train(separatesTasks: false)
let adaTask = try train(separatesTasks: true)

// %% [markdown]
// ## Layer by layer
// For each shared weight: the share of its scalars each task dominates, under Adam and under
// AdaTask (biases and normalization parameters are listed too).

// %%
print("layer                          Adam: dominated by (" + taskNames.joined(separator: ", ") + ")    AdaTask")
for (plain, separated) in zip(adam.dominance, adaTask.dominance) {
    func shares(_ layer: AdaTask.LayerDominance) -> String {
        let total = Double(layer.dominatedCounts.reduce(0, +))
        return layer.dominatedCounts.map { String(format: "%4.0f%%", 100 * Double($0) / total) }.joined(separator: " ")
    }
    print("\(plain.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(shares(plain))                    \(shares(separated))")
}
print("\ntest split: " + adam.test.map { "\($0.task) \($0.mainMetric.rawValue)" }.joined(separator: ", "))
for (name, run) in [("Adam", adam), ("AdaTask", adaTask)] {
    print(name.padding(toLength: 10, withPad: " ", startingAt: 0) + run.test.map { String(format: "%10.3f", $0.mainValue) }.joined())
}

// %% [markdown]
// ## The figure
// The share of each layer's weights dominated by each task, Adam and AdaTask side by side
// (weights only). Written to `Tutorials/figures/12-dominance.svg` in a full run.

// %%
let weightLayers = zip(adam.dominance, adaTask.dominance).filter { $0.0.name.hasSuffix("weight") }
var series: [(name: String, values: [Double])] = []
for (task, name) in taskNames.enumerated() {
    for (label, pick) in [("Adam", { (pair: (AdaTask.LayerDominance, AdaTask.LayerDominance)) in pair.0 }),
                          ("AdaTask", { (pair: (AdaTask.LayerDominance, AdaTask.LayerDominance)) in pair.1 })] {
        series.append(("\(name) (\(label))", weightLayers.map { pair in
            let layer = pick(pair)
            return 100 * Double(layer.dominatedCounts[task]) / Double(layer.dominatedCounts.reduce(0, +))
        }))
    }
}
let chart = BarChart(title: "Share of shared weights dominated by each task (AU)", yLabel: "% of the layer's weights",
                     categories: weightLayers.map { $0.0.name.replacingOccurrences(of: ".weight", with: "") }, series: series)
let chartURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("12-dominance.svg")
                     : URL(fileURLWithPath: "Tutorials/figures/12-dominance.svg")
try chart.write(to: chartURL)
print("figure: \(chartURL.path)")
