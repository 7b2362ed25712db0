import Foundation
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The generated datasets by name, as `mtl train --dataset` takes them.
public enum SyntheticDataset: String, Sendable, CaseIterable {
    /// `AttributeShapes`: 8 multi-label attribute groups on 32×32 RGB images.
    case shapes
    /// `DenseScenes`: segmentation, depth and normals on 32×32 scenes.
    case scenes
    /// `MultiDigit`: two overlapping digits, two 10-class tasks.
    case digits
    /// `RelatedRegression`: two regression tasks with correlation ρ.
    case regression
    /// `AttributePortraits`: 40 face attributes in 8 groups on S×S RGB portraits.
    case portraits
    /// `RelatedRegression` with six tasks in two blocks of three: correlation ρ within a block, 0
    /// across (`RelatedRegression.blockCorrelations`) — a known answer to "which tasks are related".
    case blocks

    /// `sampleCount` samples split 70/10/20 into train/validation/test, all seeded by `seed`: the
    /// same as `make(sampleCount:problemSeed:sampleSeed:correlation:)` with both seeds `seed`, so a
    /// spread over seeds mixes the problem's variance (for `regression`) with the training's.
    public func make(sampleCount: Int, seed: UInt64,
                     correlation: Float = 0.5) throws -> DatasetSplits<MultiTaskDataset> {
        try make(sampleCount: sampleCount, problemSeed: seed, sampleSeed: seed, correlation: correlation)
    }

    /// `sampleCount` samples split 70/10/20 into train/validation/test, with the problem and the
    /// samples drawn from separate seeds.
    ///
    /// `problemSeed` draws what defines the problem: for `regression` and `blocks`, the task weights
    /// w_t and the sines' a_i, b_i of `RelatedRegression`. `sampleSeed` draws the samples (inputs,
    /// label noise) and the split. Keep `problemSeed` fixed and vary `sampleSeed` to measure a method
    /// on one problem, with only data and training varying. The image datasets (`shapes`, `scenes`,
    /// `digits`, `portraits`) have fixed rules, so only `sampleSeed` changes them.
    public func make(sampleCount: Int, problemSeed: UInt64, sampleSeed: UInt64,
                     correlation: Float = 0.5) throws -> DatasetSplits<MultiTaskDataset> {
        let data: MultiTaskDataset
        switch self {
        case .shapes: data = try AttributeShapes().dataset(sampleCount: sampleCount, seed: sampleSeed)
        case .scenes: data = try DenseScenes().dataset(sampleCount: sampleCount, seed: sampleSeed)
        case .digits: data = try MultiDigit().dataset(sampleCount: sampleCount, seed: sampleSeed)
        case .regression: data = try RelatedRegression(correlation: correlation, seed: problemSeed)
            .dataset(sampleCount: sampleCount, seed: sampleSeed &+ 1)
        case .blocks:
            let correlations = RelatedRegression.blockCorrelations(blockSizes: [3, 3], within: correlation)
            data = try RelatedRegression(correlations: correlations, seed: problemSeed)
                .dataset(sampleCount: sampleCount, seed: sampleSeed &+ 1)
        case .portraits: data = try AttributePortraits().dataset(sampleCount: sampleCount, seed: sampleSeed)
        }
        return data.split(validationFraction: 0.1, testFraction: 0.2, seed: sampleSeed &+ 2)
    }
}

/// What one training run of an architecture gave.
public struct ExperimentResult: Sendable {
    /// The architecture trained.
    public var architecture: Architecture
    /// Test results after the last epoch.
    public var test: [TaskEvaluation]
    /// Every epoch's record, in order.
    public var history: [EpochRecord]
    /// Mean wall time of an epoch, its validation pass included (`EpochRecord.seconds`).
    public var secondsPerEpoch: Double
    /// The number of scalars in the network's parameters.
    public var parameterCount: Int
    /// The best validation epoch (`Trainer.validationRecord`), nil without validation.
    public var bestEpoch: Int?
    /// Whether training ended by early stopping.
    public var stoppedEarly: Bool

    /// The mean over tasks of each task's main metric.
    public var meanMainMetric: Double { test.map(\.mainValue).reduce(0, +) / Double(test.count) }
}

/// The usual training mode of an architecture: task-alternating for the task-routed networks
/// (masks, SE gates — as the Maximum Roaming reference trains them on CelebA; on Cityscapes and
/// NYUv2 it sums the task gradients into one step), summed for the others.
public func defaultTrainingMode(for architecture: Architecture) -> TrainingMode {
    architecture.isTaskRouted ? .taskAlternating : .summed
}

extension Architecture {
    /// Whether the trunk runs for one task at a time (masks or SE gates), so that the network has
    /// no one shared representation for all tasks.
    public var isTaskRouted: Bool { [.maximumRoaming, .fixedPartitioning, .squeezeExcitation].contains(self) }
}

/// Builds `architecture` for `data` (its weights seeded by `options.seed`), trains it as
/// `training` says with the balancing method's balancer and optimizer (Adam at `learningRate`
/// unless the method is AdaTask), and evaluates it on the test split after the last epoch. With
/// `resume`, training continues from `training.checkpointURL`.
///
/// `training.mode` is used as given; masked networks usually train task-alternating
/// (`defaultTrainingMode(for:)`). Pass `seed: options.seed` to seed the data order like the
/// weights, as the CLI does. `observers` join the trainer's (`Trainer.observers`).
public func runExperiment(_ architecture: Architecture, data: DatasetSplits<MultiTaskDataset>,
                          options: ArchitectureOptions, balancing: BalancingMethod = .equal,
                          learningRate: Float = 1e-3, training: Trainer.Configuration,
                          resume: Bool = false, observers: [any TrainingObserver] = []) throws -> ExperimentResult {
    let model = makeNetwork(architecture, tasks: data.train.tasks, inputShape: data.train.inputShape, options: options)
    let (balancer, optimizer) = balancing.make(for: model, learningRate: learningRate, seed: options.seed)
    let trainer = Trainer(model: model, optimizer: optimizer, balancer: balancer, configuration: training)
    trainer.observers = observers
    if resume, let checkpointURL = training.checkpointURL { try trainer.resume(from: checkpointURL) }
    let history = try trainer.fit(data.train, validation: data.validation)
    let test = evaluate(model, on: data.test)
    return ExperimentResult(architecture: architecture, test: test, history: history,
                            secondsPerEpoch: history.map(\.seconds).reduce(0, +) / Double(max(1, history.count)),
                            parameterCount: model.parameterCount, bestEpoch: trainer.validationRecord?.bestEpoch,
                            stoppedEarly: trainer.stoppedEarly)
}

/// A plain-text table of results: one row per run, one column per task's main metric, their
/// mean (when all tasks share the metric), and Δm% against the `baseline` run (usually STL) on the
/// tasks' main metrics.
public func comparisonTable(_ results: [(name: String, result: ExperimentResult)], baseline: ExperimentResult?)
    -> String {
    guard let first = results.first?.result else { return "" }
    let tasks = first.test.map(\.task)
    let metrics = first.test.map(\.mainMetric)
    let sameMetric = Set(metrics.map(\.rawValue)).count == 1
    var lines: [String] = []
    let nameWidth = max(12, results.map(\.name.count).max() ?? 0)
    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    var header = pad("model", nameWidth) + "  " + tasks.map { pad(String($0.prefix(10)), 10) }.joined(separator: " ")
        + "  " + pad("mean", 7)
    if baseline != nil { header += "  Δm%" }
    lines.append(sameMetric ? "\(metrics[0].rawValue) per task (test split)"
                            : "main metric per task (test split): "
                                + zip(tasks, metrics).map { "\($0) \($1.rawValue)" }.joined(separator: ", "))
    lines.append(header)
    for (name, result) in results {
        var line = pad(name, nameWidth) + "  "
            + result.test.map { pad(String(format: "%.3f", $0.mainValue), 10) }.joined(separator: " ")
        line += "  " + pad(sameMetric ? String(format: "%.3f", result.meanMainMetric) : "—", 7)
        if let baseline {
            let delta = deltaM(multiTask: result.test.map { [$0.mainMetric: $0.mainValue] },
                               singleTask: baseline.test.map { [$0.mainMetric: $0.mainValue] })
            line += String(format: "  %+.2f", delta)
        }
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}
