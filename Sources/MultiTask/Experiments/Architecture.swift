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
}

/// The knobs of `makeNetwork`.
public struct ArchitectureOptions: Sendable {
    /// Channels of the first convolution (doubled per block) or hidden units of the MLP.
    public var width = 16
    /// Maximum Roaming / fixed partitioning: sharing ratio p.
    public var sharingRatio = 0.5
    /// Maximum Roaming: training batches between roaming updates Δ.
    public var updateInterval = 10
    public var selection = RoamingSelection.random
    /// Soft sharing: coupling strength λ.
    public var couplingStrength: Float = 1e-3
    /// Task descriptor of the conditioned architectures.
    public var descriptor = TaskDescriptorKind.oneHot
    public var seed: UInt64 = 0
    /// Masked layers compute only the active task's units (`MaskedSequential.skipsMaskedUnits`).
    public var skipsMaskedUnits = false

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

/// The standard backbone for `inputShape`, as blocks (cross-stitch stages), and its feature count.
///
/// - Images `[C, H, W]` with per-sample tasks: three blocks conv3×3 → (mask) → ReLU → 2×2 max
///   pooling, then flattened: features 4·width·(H/8)·(W/8). (The `mtl_cnn_step` network of
///   WORKLOADS.md ends in global average pooling instead; that discards where things are, and the
///   attribute-shape `position` task needs it.)
/// - Images with dense tasks: three 3×3 convolutions with dilations 1, 2, 4 at full resolution
///   (a receptive field of 15 pixels); features `[width, H, W]`.
/// - Vectors `[D]`: two blocks Linear → (mask) → ReLU of `width` units — the `mtl_mlp_step` trunk.
///
/// With `maskTasks` a `TaskMask` follows every convolution / linear layer (Maximum Roaming).
/// The unit counts of the layers `makeBackbone` masks (in order): w, 2w, 4w for the image
/// classifier, w three times for the dense one, w twice for vectors.
public func maskedUnitCounts(inputShape: [Int], denseOutput: Bool, width: Int) -> [Int] {
    guard inputShape.count == 3 else { return [width, width] }
    return denseOutput ? [width, width, width] : [width, 2 * width, 4 * width]
}

public func makeBackbone(inputShape: [Int], denseOutput: Bool, options: ArchitectureOptions, maskTasks: Int? = nil,
                         random: RandomSource) -> (blocks: [Module], featureCount: Int) {
    var maskSeed = options.seed &+ 1000
    func masked(_ layer: any UnitSubsetComputing) -> [Module] {
        guard let taskCount = maskTasks else { return [layer] }
        maskSeed &+= 1
        return [layer, TaskMask(after: layer, taskCount: taskCount, sharingRatio: options.sharingRatio, seed: maskSeed)]
    }
    // A block with masks runs for one task at a time (`MaskedSequential`); without, it is plain.
    func block(_ layers: [Module]) -> Module {
        maskTasks == nil ? Sequential(layers) : MaskedSequential(layers, skipsMaskedUnits: options.skipsMaskedUnits)
    }
    let width = options.width
    if inputShape.count == 3 {
        let channels = inputShape[0]
        if denseOutput {
            let blocks: [Module] = [(channels, 1), (width, 2), (width, 4)].map { input, dilation in
                block(masked(Conv2D(inputChannels: input, outputChannels: width, kernelSize: 3, padding: dilation,
                                    dilation: dilation, random: random)) + [ReLU()])
            }
            return (blocks, width)
        }
        let blocks: [Module] = [
            block(masked(Conv2D(inputChannels: channels, outputChannels: width, kernelSize: 3, padding: 1,
                                random: random)) + [ReLU(), MaxPool2D(kernelSize: 2)]),
            block(masked(Conv2D(inputChannels: width, outputChannels: 2 * width, kernelSize: 3, padding: 1,
                                random: random)) + [ReLU(), MaxPool2D(kernelSize: 2)]),
            block(masked(Conv2D(inputChannels: 2 * width, outputChannels: 4 * width, kernelSize: 3, padding: 1,
                                random: random)) + [ReLU(), MaxPool2D(kernelSize: 2), Flatten()]),
        ]
        return (blocks, 4 * width * (inputShape[1] / 8) * (inputShape[2] / 8))
    }
    checkPrecondition(inputShape.count == 1,
                      "makeBackbone: inputs \(inputShape) are neither [C, H, W] images nor [D] vectors")
    let blocks: [Module] = [
        block(masked(Linear(inputCount: inputShape[0], outputCount: width, random: random)) + [ReLU()]),
        block(masked(Linear(inputCount: width, outputCount: width, random: random)) + [ReLU()]),
    ]
    return (blocks, width)
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
    func backbone(masks: Int? = nil) -> (blocks: [Module], featureCount: Int) {
        makeBackbone(inputShape: inputShape, denseOutput: dense, options: options, maskTasks: masks, random: random)
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
        let (blocks, features) = backbone(masks: tasks.count)
        return MaximumRoamingNetwork(trunk: MaskedSequential(blocks, skipsMaskedUnits: options.skipsMaskedUnits),
                                     heads: heads(features),
                                     updateInterval: architecture == .maximumRoaming ? options.updateInterval : nil,
                                     selection: options.selection, seed: options.seed &+ 2000)
    }
}
