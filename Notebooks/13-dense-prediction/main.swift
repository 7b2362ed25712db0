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
// ## Four models
// Single-task networks, then one multi-head network trained with equal weights, with uncertainty
// weighting and with MGDA-UB (chapters 10–11): the three losses have different units, so how they
// are weighted matters.

// %%
let options = ArchitectureOptions(width: 16, seed: 1)
var runs: [(name: String, result: ExperimentResult)] = []
runs.append(("STL", try runExperiment(.singleTask, data: data, options: options, epochs: epochs, batchSize: 32,
                                      showsProgress: false)))
for method in [BalancingMethod.equal, .uncertainty, .mgdaUpperBound] {
    runs.append((method.rawValue, try runExperiment(.multiHead, data: data, options: options, epochs: epochs,
                                                    batchSize: 32, balancing: method, showsProgress: false)))
}

// %% [markdown]
// ## Every metric
// Segmentation: mean IoU and pixel accuracy (higher is better); depth: absolute and relative error;
// normals: mean angle error in degrees (lower is better). Δm% over all five against STL.

// %%
let metrics: [[MetricKind]] = [[.meanIntersectionOverUnion, .pixelAccuracy], [.absoluteError, .relativeError],
                               [.meanAngleError]]
print("\nmodel         mIoU    pixel acc   depth abs   depth rel   normals °   Δm%     s/epoch")
for (name, result) in runs {
    let values = zip(result.test, metrics).flatMap { evaluation, kinds in kinds.map { evaluation.metrics[$0] ?? .nan } }
    let delta = deltaM(multiTask: result.test.map(\.metrics), singleTask: runs[0].result.test.map(\.metrics),
                       metrics: metrics)
    print(String(format: "%@ %.3f   %.3f       %.3f       %.3f       %6.2f      %+6.2f   %.2f",
                 name.padding(toLength: 13, withPad: " ", startingAt: 0),
                 values[0], values[1], values[2], values[3], values[4], delta, result.secondsPerEpoch))
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
