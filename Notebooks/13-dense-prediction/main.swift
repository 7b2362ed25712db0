// %% [markdown]
// # 13 — Dense prediction: segmentation, depth and surface normals
//
// Three per-pixel tasks on generated scenes (`DenseScenes`: a wall, a floor, spheres and boxes
// rendered with a z-buffer): semantic segmentation (4 classes, cross-entropy per pixel), depth (L1)
// and surface normals (unit vectors, cosine loss) — the NYUv2 trio of the multi-task literature,
// in miniature. The backbone keeps full resolution (three 3×3 convolutions with dilations 1, 2, 4)
// and every head is a 1×1 convolution. Run with `swift run -c release 13-dense-prediction`
// (`--quick`: less data).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let data = try SyntheticDataset.scenes.make(sampleCount: quick ? 200 : 2000, seed: 1)
let epochs = quick ? 1 : 12
print("\(data.train.count) training scenes of shape \(data.train.inputShape); tasks: "
      + data.train.tasks.map(\.name).joined(separator: ", "))

// %% [markdown]
// ## The measured comparison
// The committed dense-scenes study (`Tutorials/results/12-13-scenes/`, shared with chapter 12):
// 2,000 scenes, three single-task networks of width 16 against one multi-head network of width 16
// trained with equal weights, uncertainty weighting and MGDA-UB (chapters 10–11; the three losses
// have different units, so how they are weighted matters), and AdaTask with its control (chapter
// 12). 5 paired seeds; each run trains until 5 epochs bring no better validation score (at most
// 50) and is reported at its best validation epoch — per task for the single-task networks. Δm%
// averages each task's relative change of its main metric (mIoU, depth absolute error, normals mean
// angle) against STL. The slice re-runs the equally weighted network on seed 0 and must reproduce
// the committed row.

// %%
func scenesStudy(_ methods: [BalancingMethod], seeds: [UInt64], samples: Int, epochs: Int,
                 resultsURL: URL?) -> Study {
    let arms = StudyArm.singleTaskAndMultiHead(balancedBy: methods, options: ArchitectureOptions(width: 16),
                                               batchSize: 32)
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 5, baseline: "stl@16",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.scenes.make(sampleCount: samples, seed: seed)
    }
}
let committed = URL(fileURLWithPath: "Tutorials/results/12-13-scenes/runs.csv")
var slice = scenesStudy([.equal], seeds: [0], samples: quick ? 200 : 2000, epochs: quick ? 2 : 50, resultsURL: nil)
slice.arms.removeFirst()
let sliceResult = try slice.run()
if !quick {
    try sliceResult.checkReproduces(runsAt: committed)
    print("slice re-run: identical to the committed run\n")
}
var study = try scenesStudy([.equal, .uncertainty, .mgdaUpperBound, .adaTask, .equalWithScaledSharedRate],
                            seeds: Array(0..<5), samples: 2000, epochs: 50, resultsURL: committed).recordedResult()
print(study.markdownTable() + "\n")
study.baseline = "multi-head:ew@16"
for method in ["uncertainty", "mgda-ub"] {
    if let comparison = study.comparison(of: "multi-head:\(method)@16") {
        print("\(method) against EW: Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}

// %% [markdown]
// Where the differences lie: per task, each multi-head network's test metric minus STL's (mean IoU:
// higher is better; depth error and normals angle: lower is better), paired by seed.

// %%
let stlRuns = study.runs.filter { $0.arm == "stl@16" }.sorted { $0.seed < $1.seed }
for method in ["ew", "uncertainty", "mgda-ub", "adatask", "ew-shared-lr"] {
    let armRuns = study.runs.filter { $0.arm == "multi-head:\(method)@16" }.sorted { $0.seed < $1.seed }
    guard armRuns.count == stlRuns.count, armRuns.count >= 2 else { continue }
    let lines = study.tasks.indices.map { task in
        let comparison = PairedComparison(armRuns.map { $0.test[task] }, minus: stlRuns.map { $0.test[task] })
        let reading = comparison.isDetectable ? "" : " (no detectable difference)"
        return "\(study.tasks[task].name) \(comparison.formatted(decimals: 3))\(reading)"
    }
    print("\(method) − STL: " + lines.joined(separator: "; "))
}

// %% [markdown]
// ## Every metric, one seed
// An illustration of what the three tasks measure, not a finding: one seed (seed 1), 12 epochs,
// the single-task networks and the equally weighted multi-head network, with all five metrics.

// %%
let options = ArchitectureOptions(width: 16, seed: 1)
var runs: [(name: String, result: ExperimentResult)] = []
let training = Trainer.Configuration(epochs: epochs, batchSize: 32, seed: options.seed, showsProgress: false)
runs.append(("STL", try runExperiment(.singleTask, data: data, options: options, training: training)))
runs.append(("ew", try runExperiment(.multiHead, data: data, options: options, balancing: .equal,
                                     training: training)))
let metrics: [[MetricKind]] = [[.meanIntersectionOverUnion, .pixelAccuracy], [.absoluteError, .relativeError],
                               [.meanAngleError]]
print("model         mIoU    pixel acc   depth abs   depth rel   normals °   s/epoch")
for (name, result) in runs {
    let values = zip(result.test, metrics).flatMap { evaluation, kinds in
        kinds.map { evaluation.metrics[$0] ?? .nan }
    }
    print(String(format: "%@ %.3f   %.3f       %.3f       %.3f       %6.2f      %.2f",
                 name.padding(toLength: 13, withPad: " ", startingAt: 0),
                 values[0], values[1], values[2], values[3], values[4], result.secondsPerEpoch))
}

// %% [markdown]
// ## The figure
// Validation main metric per epoch for each task, STL against the equally weighted multi-head
// network — normalized by STL's last value so the three tasks share one axis (lower is better
// for depth and normals, higher for segmentation). Written to `Tutorials/figures/13-dense.svg` in
// a full run.

// %%
var series: [LinePlot.Series] = []
for (task, spec) in data.train.tasks.enumerated() {
    let reference = runs[0].result.history.last!.validation![task].mainValue
    for (name, result) in [runs[0], runs[1]] {
        series.append(.init(name: "\(spec.name) (\(name))",
                            values: result.history.map { $0.validation![task].mainValue / reference }))
    }
}
let figure = LinePlot(title: "Validation metric per epoch, relative to STL's last epoch", xLabel: "epoch",
                      yLabel: "metric / STL final", series: series)
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("13-dense.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/13-dense.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")
