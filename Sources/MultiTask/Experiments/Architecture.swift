import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The architectures `mtl train` and the chapters build by name, over a standard backbone.
public enum Architecture: String, Sendable, CaseIterable {
    case singleTask = "stl"
    case multiHead = "multi-head"
    case concatenation, additive, multiplicative, film
    case softSharing = "soft-sharing"
    case crossStitch = "cross-stitch"
    case maximumRoaming = "roaming"
    case fixedPartitioning = "fixed-partitioning"
    /// SE-MTL: a squeeze-and-excitation gate per task where the masks would be.
    case squeezeExcitation = "se-mtl"
    /// MMoE: experts shared by all tasks, a softmax gate per task (`MixtureOfExpertsNetwork`).
    case mixtureOfExperts = "mmoe"
    /// CGC: shared and task-specific experts, a gate per task (`CustomizedGateControlNetwork`).
    case customizedGateControl = "cgc"
    /// PLE: stacked CGC levels with shared gates (`ProgressiveLayeredExtractionNetwork`).
    case progressiveLayeredExtraction = "ple"
    /// MTAN (Liu et al., CVPR 2019): per-task attention masks over every stage of a shared trunk
    /// (`MultiTaskAttentionNetwork`); its paper trains it with DWA (`BalancingMethod.dynamicWeightAverage`).
    case multiTaskAttention = "mtan"
}

/// The knobs of `makeNetwork`.
public struct ArchitectureOptions: Sendable {
    /// Channels of the first convolution (doubled per block) or hidden units of the MLP.
    public var width = 16
    /// Maximum Roaming / fixed partitioning: sharing ratio p.
    public var sharingRatio = 0.5
    /// Maximum Roaming: training batches between roaming updates Δ.
    public var updateInterval = 10
    /// Maximum Roaming: which inactive unit a roaming update activates (`RoamingSelection`).
    public var selection = RoamingSelection.random
    /// Soft sharing: coupling strength λ.
    public var couplingStrength: Float = 1e-3
    /// Task descriptor of the conditioned architectures.
    public var descriptor = TaskDescriptorKind.oneHot
    /// The seed of the network's initialization; masks, gates and dropout draw from seeds derived from it.
    public var seed: UInt64 = 0
    /// Masked layers compute only the active task's units (`MaskedSequential.skipsMaskedUnits`).
    public var skipsMaskedUnits = false
    /// The trunk's layout: plain stacks or residual blocks.
    public var backbone = Backbone.plain
    /// A batch normalization after every convolution / linear layer of the trunk, before its mask
    /// or gate (the Maximum Roaming reference's conv → BN → mask → ReLU). It normalizes with the
    /// batch's own statistics in training and evaluation, as the reference does
    /// (`track_running_stats=False`), so that masking stays exact when masked units are skipped.
    public var batchNormalization = false
    /// How the masks' initial partitions are drawn.
    public var partitionInitialization = PartitionInitialization.roundRobinFill
    /// Whole-channel dropout after each trunk layer's mask or gate (0: none) — a regularization
    /// control for the partitioning methods.
    public var channelDropout: Float = 0
    /// MMoE: the number of experts n, each a copy of the backbone trunk. Default 8, the count of Ma et
    /// al.'s synthetic experiments (KDD 2018).
    public var expertCount = 8
    /// CGC and PLE: experts shared by all tasks (per level). Default 1 (with `taskExpertCount` 1: the
    /// smallest network that has both kinds; Tang et al. vary the counts).
    public var sharedExpertCount = 1
    /// CGC and PLE: experts of each task's own (per level). Default 1.
    public var taskExpertCount = 1
    /// PLE: extraction levels, each a contiguous group of the backbone's blocks. Default 2, the
    /// smallest PLE that is not a CGC (and as many levels as the vector backbone has blocks).
    public var levelCount = 2

    /// The common knobs, each with its default; set the others as properties.
    public init(width: Int = 16, sharingRatio: Double = 0.5, updateInterval: Int = 10,
                selection: RoamingSelection = .random,
                couplingStrength: Float = 1e-3, descriptor: TaskDescriptorKind = .oneHot, seed: UInt64 = 0) {
        self.width = width
        self.sharingRatio = sharingRatio
        self.updateInterval = updateInterval
        self.selection = selection
        self.couplingStrength = couplingStrength
        self.descriptor = descriptor
        self.seed = seed
    }
}

/// A task head on `featureCount` features: a 1×1 convolution for dense tasks, a linear layer
/// otherwise.
public func makeHead(for task: TaskSpec, featureCount: Int, random: RandomSource) -> Module {
    task.kind.isDense
        ? Conv2D(inputChannels: featureCount, outputChannels: task.outputCount, kernelSize: 1, random: random)
        : Linear(inputCount: featureCount, outputCount: task.outputCount, random: random)
}

/// Builds `architecture` for `tasks` on inputs of `inputShape` (without the batch axis), over the
/// standard backbone. Every architecture gets the same backbone, so comparisons are fair; the
/// initialization is seeded by `options.seed`.
public func makeNetwork(_ architecture: Architecture, tasks: [TaskSpec], inputShape: [Int],
                        options: ArchitectureOptions = ArchitectureOptions()) -> MultiTaskNetwork {
    let random = RandomSource(seed: options.seed)
    let dense = tasks.contains { $0.kind.isDense }
    func backbone(gate: TrunkGate = .none) -> (blocks: [Module], featureCount: Int) {
        makeBackbone(inputShape: inputShape, denseOutput: dense, options: options, gate: gate, random: random)
    }
    func heads(_ featureCount: Int) -> [Module] {
        tasks.map { makeHead(for: $0, featureCount: featureCount, random: random) }
    }
    switch architecture {
    case .singleTask:
        return IndependentNetworks(taskCount: tasks.count) { task in
            let (blocks, features) = backbone()
            return Sequential(blocks + [makeHead(for: tasks[task], featureCount: features, random: random)])
        }
    case .multiHead:
        let (blocks, features) = backbone()
        return MultiHeadNetwork(trunk: Sequential(blocks), heads: heads(features))
    case .concatenation, .additive, .multiplicative, .film:
        let (blocks, features) = backbone()
        let descriptor = TaskDescriptor(kind: options.descriptor, taskCount: tasks.count, random: random)
        let conditioning: TaskConditioning
        var decoderInputs = features
        switch architecture {
        case .concatenation:
            conditioning = ConcatenationConditioning(descriptor: descriptor)
            decoderInputs += descriptor.dimension
        case .additive: conditioning = AdditiveConditioning(featureCount: features, descriptor: descriptor)
        case .multiplicative:
            conditioning = MultiplicativeConditioning(featureCount: features, descriptor: descriptor, random: random)
        default: conditioning = FiLM(featureCount: features, descriptor: descriptor, random: random)
        }
        // The conditioning enters *before* a nonlinear layer: features → (conditioned) → a hidden
        // layer with ReLU → the output layer. Before a linear decoder alone, additive or
        // concatenated conditioning could only shift each task's output by a constant, and FiLM
        // would be a multi-head network in disguise (chapter 07).
        let widest = tasks.map(\.outputCount).max()!
        let decoder: Module = dense
            ? Sequential(Conv2D(inputChannels: decoderInputs, outputChannels: options.width, kernelSize: 1,
                                random: random), ReLU(),
                         Conv2D(inputChannels: options.width, outputChannels: widest, kernelSize: 1, random: random))
            : Sequential(Linear(inputCount: decoderInputs, outputCount: options.width, random: random), ReLU(),
                         Linear(inputCount: options.width, outputCount: widest, random: random))
        return TaskConditionedNetwork(encoder: Sequential(blocks), conditioning: conditioning, decoder: decoder,
                                      outputCounts: tasks.map(\.outputCount))
    case .softSharing:
        var featureCount = 0
        return SoftSharingNetwork(taskCount: tasks.count, couplingStrength: options.couplingStrength, makeColumn: { _ in
            let (blocks, features) = backbone()
            featureCount = features
            return Sequential(blocks)
        }, makeHead: { task in makeHead(for: tasks[task], featureCount: featureCount, random: random) })
    case .crossStitch:
        let columns = tasks.indices.map { _ in backbone() }
        return CrossStitchNetwork(taskCount: tasks.count, stageCount: columns[0].blocks.count,
                                  makeStage: { task, stage in columns[task].blocks[stage] },
                                  makeHead: { makeHead(for: tasks[$0], featureCount: columns[$0].featureCount,
                                                       random: random) })
    case .maximumRoaming, .fixedPartitioning:
        let (blocks, features) = backbone(gate: .mask(taskCount: tasks.count))
        return MaximumRoamingNetwork(trunk: MaskedSequential(blocks, skipsMaskedUnits: options.skipsMaskedUnits),
                                     heads: heads(features),
                                     updateInterval: architecture == .maximumRoaming ? options.updateInterval : nil,
                                     selection: options.selection, seed: options.seed &+ 2000)
    case .squeezeExcitation:
        let (blocks, features) = backbone(gate: .squeezeExcitation(taskCount: tasks.count))
        return SqueezeExcitationNetwork(trunk: MaskedSequential(blocks, skipsMaskedUnits: options.skipsMaskedUnits),
                                        heads: heads(features))
    case .mixtureOfExperts, .customizedGateControl, .progressiveLayeredExtraction:
        return makeExpertNetwork(architecture, taskCount: tasks.count, inputShape: inputShape, denseOutput: dense,
                                 options: options, backbone: { backbone() }, heads: heads)
    case .multiTaskAttention:
        let (blocks, features) = backbone()
        // The attention modules draw from their own source, so that the trunk and heads start from
        // the multi-head network's weights of the same seed (paired comparisons).
        return MultiTaskAttentionNetwork(blocks: blocks, heads: heads(features), inputShape: inputShape,
                                         random: RandomSource(seed: options.seed &+ 5000))
    }
}
