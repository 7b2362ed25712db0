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
// how many parameters; then we repeat the count over five seeds, and read the accuracy side from
// the committed dense-scenes study (`Tutorials/results/12-13-scenes/`, 5 paired seeds) with the
// control that gives plain Adam AdaTask's step size. Run with
// `swift run -c release 12-task-dominance` (`--quick`: less data, one seed).

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
func train(separatesTasks: Bool, data: DatasetSplits<MultiTaskDataset> = data,
           seed: UInt64 = 1) throws -> (dominance: [AdaTask.LayerDominance], test: [TaskEvaluation]) {
    let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape,
                            options: ArchitectureOptions(width: 16, seed: seed))
    let adaTask = AdaTask(model: model, learningRate: 1e-3, separatesTasks: separatesTasks)
    let trainer = Trainer(model: model, optimizer: adaTask, balancer: adaTask,
                          configuration: .init(epochs: epochs, batchSize: 32, seed: seed, showsProgress: false))
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
    print("\(plain.name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(shares(plain))                    "
          + "\(shares(separated))")
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
                     categories: weightLayers.map { $0.0.name.replacingOccurrences(of: ".weight", with: "") },
                     series: series)
let chartURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("12-dominance.svg")
                     : URL(fileURLWithPath: "Tutorials/figures/12-dominance.svg")
try chart.write(to: chartURL)
print("figure: \(chartURL.path)")

// %% [markdown]
// ## Is the shift a finding? Five seeds
// One seed shows the mechanism; whether AdaTask *reliably* spreads dominance is a paired question.
// For seeds 1–5 (new data and weights each), the same two runs; per run, the largest share of the
// first layer's weights that any one task dominates, and the same averaged over the three shared
// weight layers. The paired difference AdaTask − Adam with its 95% bootstrap CI.

// %%
var firstLayer: (adam: [Double], adaTask: [Double]) = ([], [])
var allLayers: (adam: [Double], adaTask: [Double]) = ([], [])
func largestShare(_ layer: AdaTask.LayerDominance) -> Double {
    100 * Double(layer.dominatedCounts.max()!) / Double(layer.dominatedCounts.reduce(0, +))
}
for seed in quick ? [UInt64(1)] : Array(1...5) {
    let seedData = try SyntheticDataset.scenes.make(sampleCount: quick ? 200 : 1500, seed: seed)
    let plain = try train(separatesTasks: false, data: seedData, seed: seed).dominance
        .filter { $0.name.hasSuffix("weight") }
    let separated = try train(separatesTasks: true, data: seedData, seed: seed).dominance
        .filter { $0.name.hasSuffix("weight") }
    firstLayer.adam.append(largestShare(plain[0]))
    firstLayer.adaTask.append(largestShare(separated[0]))
    allLayers.adam.append(plain.map(largestShare).reduce(0, +) / Double(plain.count))
    allLayers.adaTask.append(separated.map(largestShare).reduce(0, +) / Double(separated.count))
    print(String(format: "seed %d: largest share, first layer %.0f%% → %.0f%%, mean over layers %.0f%% → %.0f%%",
                 seed, firstLayer.adam.last!, firstLayer.adaTask.last!, allLayers.adam.last!,
                 allLayers.adaTask.last!))
}
for (name, values) in [("first layer", firstLayer), ("mean over layers", allLayers)] {
    let comparison = PairedComparison(values.adaTask, minus: values.adam)
    let reading = values.adam.count < PairedComparison.minimumSeedsForVerdict ? "too few seeds"
        : comparison.confidenceInterval.upper < 0 ? "AdaTask spreads dominance"
        : comparison.confidenceInterval.lower > 0 ? "AdaTask concentrates it" : "no detectable difference"
    print("\(name): AdaTask − Adam \(comparison.formatted()) points (\(values.adam.count) seeds) — \(reading)")
}
// Which layer is the most dominated under Adam: the first, against the mean over the layers.
let firstAgainstMean = PairedComparison(firstLayer.adam, minus: allLayers.adam)
print("Adam: first layer − mean over layers \(firstAgainstMean.formatted()) points (\(firstLayer.adam.count) seeds)")

// %% [markdown]
// ## Does it pay in accuracy? The committed study
// Dense scenes (2,000), width 16: three single-task networks against one multi-head network with
// EW, AdaTask and the control `ew-shared-lr` — equal weights with plain Adam at T·η on the shared
// parameters, the step size AdaTask's T per-task steps add up to, without its per-task moments.
// 5 paired seeds, each run selected on validation (patience 5, at most 50 epochs). The study is
// chapter 13's too: its notebook re-runs a slice and checks it. Here, the differences that answer
// this chapter's question: each method against EW, and AdaTask against the control.

// %%
let arms = ["stl@16"] + ["ew", "uncertainty", "mgda-ub", "adatask", "ew-shared-lr"].map { "multi-head:\($0)@16" }
let committed = URL(fileURLWithPath: "Tutorials/results/12-13-scenes/runs.csv")
var study = StudyResult(tasks: data.train.tasks, arms: arms, seeds: Array(0..<5), baseline: "stl@16",
                        runs: try StudyResult.readRuns(from: committed))
print(study.markdownTable() + "\n")
for (arm, baseline) in [("adatask", "ew"), ("ew-shared-lr", "ew"), ("adatask", "ew-shared-lr")] {
    study.baseline = "multi-head:\(baseline)@16"
    if let comparison = study.comparison(of: "multi-head:\(arm)@16") {
        print("\(arm) against \(baseline): Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}
// Per task, AdaTask's test metric minus the control's, paired by seed (mean IoU: higher is better;
// depth error and normals angle: lower is better).
let adaTaskRuns = study.runs.filter { $0.arm == "multi-head:adatask@16" }.sorted { $0.seed < $1.seed }
let controlRuns = study.runs.filter { $0.arm == "multi-head:ew-shared-lr@16" }.sorted { $0.seed < $1.seed }
if adaTaskRuns.count == controlRuns.count, adaTaskRuns.count >= 2 {
    for (task, spec) in study.tasks.enumerated() {
        let comparison = PairedComparison(adaTaskRuns.map { $0.test[task] }, minus: controlRuns.map { $0.test[task] })
        let reading = comparison.isDetectable ? "detectable" : "no detectable difference"
        print("\(spec.name): AdaTask − control \(comparison.formatted(decimals: 3)) — \(reading)")
    }
}
