import Foundation
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The settings of Taskonomy's transfer modelling (`taskonomyAffinities`).
public struct TaskonomySettings: Sendable {
    /// The single-task networks (width, backbone) and the seed of everything (`options.seed`).
    public var options: ArchitectureOptions
    /// Epochs of each source task's single-task network.
    public var sourceEpochs: Int
    /// Epochs of each transfer readout.
    public var readoutEpochs: Int
    /// Hidden units (channels) of a readout: features → hidden → ReLU → task output.
    public var readoutWidth: Int
    /// The highest transfer order: 1 = first order only; k > 1 adds, per target, the transfers from
    /// its 2, …, k top first-order sources concatenated (as the paper builds its higher orders).
    public var maximumOrder: Int
    /// Samples per batch of every network.
    public var batchSize: Int
    /// Adam's step size for every network.
    public var learningRate: Float

    /// Every setting, each with its default.
    public init(options: ArchitectureOptions = ArchitectureOptions(), sourceEpochs: Int = 10, readoutEpochs: Int = 5,
                readoutWidth: Int = 16, maximumOrder: Int = 1, batchSize: Int = 64, learningRate: Float = 1e-3) {
        self.options = options
        self.sourceEpochs = sourceEpochs
        self.readoutEpochs = readoutEpochs
        self.readoutWidth = readoutWidth
        self.maximumOrder = maximumOrder
        self.batchSize = batchSize
        self.learningRate = learningRate
    }
}

/// What transfer modelling measured.
public struct TaskonomyResult: Sendable {
    /// First-order AHP affinities: `values[s][t]` = the AHP weight of transfer s → t among all
    /// transfers to t (each column sums to 1 with the higher-order transfers' weights).
    public var affinity: TaskAffinity
    /// Every transfer (all orders) with its AHP affinity — the input of `selectSources`.
    public var transfers: [Transfer]
    /// Mean test loss of each transfer, in the order of `transfers`.
    public var testLosses: [Double]
}

/// A readout for `task` on `featureCount` features: hidden layer of `width` units with ReLU, then
/// the task's outputs (1×1 convolutions for dense tasks) — Taskonomy's small decoder D_{s→t}.
public func makeTransferReadout(for task: TaskSpec, featureCount: Int, width: Int, random: RandomSource) -> Module {
    task.kind.isDense
        ? Sequential(Conv2D(inputChannels: featureCount, outputChannels: width, kernelSize: 1, random: random), ReLU(),
                     Conv2D(inputChannels: width, outputChannels: task.outputCount, kernelSize: 1, random: random))
        : Sequential(Linear(inputCount: featureCount, outputCount: width, random: random), ReLU(),
                     Linear(inputCount: width, outputCount: task.outputCount, random: random))
}

/// Each task's loss on each sample of `data` (task 0 of `model`): `[N]`, mean-reduced per sample
/// as the task's loss is over a batch.
public func perSampleLosses(_ model: MultiTaskNetwork, task spec: TaskSpec, inputs: Tensor, targets: Tensor)
    -> [Double] {
    model.eval()
    defer { model.train() }
    return withoutGradients {
        let output = model(Variable(inputs), task: 0).value
        return (0..<inputs.shape[0]).map { sample in
            Double(taskLoss(spec, output: Variable(output.gathering([sample])),
                            target: targets.gathering([sample])).value.scalars[0])
        }
    }
}

/// Taskonomy's transfer modelling and AHP normalization (Zamir et al., CVPR 2018, §3.1–3.3):
///
/// 1. for each task s, a single-task network (the standard backbone and a head) trained on s; its
///    encoder E_s (the backbone) is frozen;
/// 2. for each target t and source s, a readout D_{s→t} trained on E_s(x) to predict t (first
///    order); with `maximumOrder` k > 1, also on E_{s₁}(x) ‖ … ‖ E_{s_j}(x) for t's top j = 2…k
///    first-order sources;
/// 3. per target, the AHP affinities of its transfers from their per-sample test losses
///    (`AHPNormalization`).
///
/// Cost: T source networks and T² (+ T(k − 1)) readouts. Works with any single-input dataset (the
/// generated ones and user data).
///
/// - Parameters:
///   - data: train/validation/test splits; readouts train on `train`, the tournament uses `test`.
///   - settings: the networks and their training.
/// - Returns: the first-order affinity matrix, every transfer with its affinity, and test losses.
public func taskonomyAffinities(data: DatasetSplits<MultiTaskDataset>, settings: TaskonomySettings) throws
    -> TaskonomyResult {
    let tasks = data.train.tasks
    let count = tasks.count
    checkPrecondition(settings.maximumOrder >= 1 && settings.sourceEpochs >= 1 && settings.readoutEpochs >= 1,
                      "taskonomyAffinities: order \(settings.maximumOrder) and epochs must be ≥ 1")
    func configuration(_ epochs: Int, seed: UInt64) -> Trainer.Configuration {
        Trainer.Configuration(epochs: epochs, batchSize: settings.batchSize, seed: seed, showsProgress: false)
    }
    // 1. The source networks; their trunks are the encoders.
    var encoders: [Module] = []
    for source in 0..<count {
        var options = settings.options
        options.seed = settings.options.seed &+ UInt64(source)
        let network = makeNetwork(.multiHead, tasks: [tasks[source]], inputShape: data.train.inputShape,
                                  options: options) as! MultiHeadNetwork
        let trainer = Trainer(model: network, optimizer: Adam(parameters: network.parameters(),
                                                               learningRate: settings.learningRate),
                              configuration: configuration(settings.sourceEpochs, seed: options.seed))
        try trainer.fit(data.train.selectingTasks([source]))
        encoders.append(network.trunk)
    }
    let featureCounts = encoders.map { encoder in
        withoutGradients { encoder(Variable(data.test.inputs.sliced(0..<1))).shape[1] }
    }
    // 2. A readout per transfer; 3. AHP per target.
    func readoutLosses(sources: [Int], target: Int) throws -> [Double] {
        let seed = settings.options.seed &+ 7000 &+ UInt64(target * 997 + sources.reduce(0) { $0 * 31 + $1 + 1 })
        let featureCount = sources.map { featureCounts[$0] }.reduce(0, +)
        let readout = makeTransferReadout(for: tasks[target], featureCount: featureCount, width: settings.readoutWidth,
                                          random: RandomSource(seed: seed))
        let network = MultiHeadNetwork(trunk: FrozenEncoders(sources.map { encoders[$0] }), heads: [readout])
        let trainer = Trainer(model: network, optimizer: Adam(parameters: readout.parameters(),
                                                              learningRate: settings.learningRate),
                              configuration: configuration(settings.readoutEpochs, seed: seed))
        try trainer.fit(data.train.selectingTasks([target]))
        return perSampleLosses(network, task: tasks[target], inputs: data.test.inputs,
                               targets: data.test.targets[target])
    }
    var transfers: [Transfer] = [], testLosses: [Double] = []
    var affinity = Array(repeating: Array(repeating: 0.0, count: count), count: count)
    for target in 0..<count {
        var sourceSets = (0..<count).map { [$0] }
        var losses = try sourceSets.map { try readoutLosses(sources: $0, target: target) }
        if settings.maximumOrder > 1 {
            let firstOrder = AHPNormalization.affinities(losses: losses)
            let ranked = firstOrder.indices.sorted { firstOrder[$0] > firstOrder[$1] }
            for order in 2...min(settings.maximumOrder, count) {
                let sources = Array(ranked.prefix(order)).sorted()
                sourceSets.append(sources)
                losses.append(try readoutLosses(sources: sources, target: target))
            }
        }
        let weights = AHPNormalization.affinities(losses: losses)
        for (index, sources) in sourceSets.enumerated() {
            transfers.append(Transfer(sources: sources, target: target, affinity: weights[index]))
            testLosses.append(losses[index].reduce(0, +) / Double(max(1, losses[index].count)))
            if sources.count == 1 { affinity[sources[0]][target] = weights[index] }
        }
    }
    return TaskonomyResult(affinity: TaskAffinity(taskNames: tasks.map(\.name), values: affinity,
                                                  method: "taskonomy"),
                           transfers: transfers, testLosses: testLosses)
}
