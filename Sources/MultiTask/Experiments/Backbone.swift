import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The trunk's layout (`ArchitectureOptions.backbone`).
public enum Backbone: String, Sendable, CaseIterable {
    /// Plain stacks: convolution (or linear layer) → [batch norm] → [mask] → ReLU.
    case plain
    /// Residual blocks (`ResidualBlock`, `MaskedResidualBlock`) after a stem layer.
    case residual
}

/// What follows each convolution / linear layer of a backbone built for a multi-task network.
public enum TrunkGate: Sendable, Equatable {
    /// Nothing: a shared layer.
    case none
    /// A `TaskMask` for this many tasks (Maximum Roaming, fixed partitioning).
    case mask(taskCount: Int)
    /// A `TaskSqueezeExcitation` gate for this many tasks (SE-MTL).
    case squeezeExcitation(taskCount: Int)
}

/// The standard backbone for `inputShape`, as blocks (cross-stitch stages), and its feature count.
///
/// Plain (`options.backbone == .plain`):
/// - Images `[C, H, W]` with per-sample tasks: three blocks conv3×3 → (BN) → (gate) → ReLU → 2×2 max
///   pooling, then flattened: features 4·width·(H/8)·(W/8). (The `mtl_cnn_step` network of
///   WORKLOADS.md ends in global average pooling instead; that discards where things are, and the
///   attribute-shape `position` task needs it.)
/// - Images with dense tasks: three 3×3 convolutions with dilations 1, 2, 4 at full resolution
///   (a receptive field of 15 pixels); features `[width, H, W]`.
/// - Vectors `[D]`: two blocks Linear → (BN) → (gate) → ReLU of `width` units — the `mtl_mlp_step`
///   trunk.
///
/// Residual (`.residual`, after ResNet; He et al., 2016): a stem layer as above, then residual
/// blocks F(x) = layer → (BN) → (gate) → ReLU → layer → (BN) → (gate), y = ReLU(F(x) + S(x)):
/// - images: stem conv3×3 (width) and 2×2 max pooling (ResNet's stem also pools), blocks of width,
///   2·width (stride 2) and 4·width (stride 2), each shape change through a 1×1 projection shortcut
///   with its own gate and no BN (as the Maximum Roaming reference's ResNet), then flattening —
///   4·width·(H/8)·(W/8) features when 8 divides the sides (as the plain backbone), for about 1.2
///   times its multiply-adds;
/// - dense images: stem conv (dilation 1), blocks with dilations 2 and 4 (identity shortcuts);
/// - vectors: stem Linear, one block of width units.
///
/// `gate` follows every convolution / linear layer (the masks of Maximum Roaming sit there), and
/// whole-channel dropout after it when `options.channelDropout` > 0 (not on projection shortcuts);
/// `maskedUnitCounts` lists their unit counts in order.
public func maskedUnitCounts(inputShape: [Int], denseOutput: Bool, width: Int,
                             backbone: Backbone = .plain) -> [Int] {
    switch (backbone, inputShape.count == 3, denseOutput) {
    case (.plain, false, _): return [width, width]
    case (.plain, true, true): return [width, width, width]
    case (.plain, true, false): return [width, 2 * width, 4 * width]
    case (.residual, false, _): return [width, width, width]
    case (.residual, true, true): return [width, width, width, width, width]
    case (.residual, true, false):
        return [width, width, width, 2 * width, 2 * width, 2 * width, 4 * width, 4 * width, 4 * width]
    }
}

/// Builds the standard backbone laid out as `maskedUnitCounts` describes, for an input of
/// `inputShape` (`[C, H, W]` or `[D]`), with `gate` after every convolution / linear layer; returns
/// the blocks (one per cross-stitch stage) and the feature count of their output. Weights draw from
/// `random`; masks, gates and dropout from seeds derived from `options.seed`, so the trunk starts
/// alike whatever the gate (paired comparisons).
public func makeBackbone(inputShape: [Int], denseOutput: Bool, options: ArchitectureOptions,
                         gate: TrunkGate = .none, random: RandomSource) -> (blocks: [Module], featureCount: Int) {
    var maskSeed = options.seed &+ 1000
    // The gates draw from their own sources, so that the trunk and heads of an SE-MTL network start
    // from the same weights as the other architectures' of the same seed (paired comparisons).
    var gateSeed = options.seed &+ 3000, dropoutSeed = options.seed &+ 4000
    /// A layer, its batch normalization (when asked for) and its gate.
    func gated(_ layer: any UnitSubsetComputing, normalized: Bool = true) -> [Module] {
        var layers: [Module] = [layer]
        if normalized && options.batchNormalization {
            layers.append(BatchNormalization(featureCount: layer.outputUnitCount, tracksRunningStatistics: false))
        }
        switch gate {
        case .none: break
        case .mask(let taskCount):
            maskSeed &+= 1
            layers.append(TaskMask(after: layer, taskCount: taskCount, sharingRatio: options.sharingRatio,
                                   initialization: options.partitionInitialization, seed: maskSeed))
        case .squeezeExcitation(let taskCount):
            gateSeed &+= 1
            layers.append(TaskSqueezeExcitation(channelCount: layer.outputUnitCount, taskCount: taskCount,
                                                random: RandomSource(seed: gateSeed)))
        }
        if normalized && options.channelDropout > 0 {
            dropoutSeed &+= 1
            layers.append(Dropout(probability: options.channelDropout, dropsWholeChannels: true,
                                  random: RandomSource(seed: dropoutSeed)))
        }
        return layers
    }
    // A block with gates runs for one task at a time (`MaskedSequential`); without, it is plain.
    func block(_ layers: [Module]) -> Module {
        gate == .none ? Sequential(layers) : MaskedSequential(layers, skipsMaskedUnits: options.skipsMaskedUnits)
    }
    func residualBlock(_ first: any UnitSubsetComputing, _ second: any UnitSubsetComputing,
                       projection: (any UnitSubsetComputing)?) -> Module {
        let branch = gated(first) + [ReLU()] + gated(second)
        let shortcut = projection.map { gated($0, normalized: false) }
        guard gate != .none else {
            return ResidualBlock(residual: Sequential(branch), shortcut: shortcut.map { Sequential($0) })
        }
        let skips = options.skipsMaskedUnits
        return MaskedResidualBlock(residual: MaskedSequential(branch, skipsMaskedUnits: skips),
                                   shortcut: shortcut.map { MaskedSequential($0, skipsMaskedUnits: skips) })
    }
    // Before a batch normalization a bias is redundant (the normalization subtracts the mean): as in
    // ResNet and the Maximum Roaming reference, the trunk's layers then have none. (Kept, it would
    // get a gradient that is zero but for rounding, which Adam's normalized step turns into noise.)
    let bias = !options.batchNormalization
    func conv(_ input: Int, _ output: Int, kernel: Int = 3, stride: Int = 1, dilation: Int = 1) -> Conv2D {
        Conv2D(inputChannels: input, outputChannels: output, kernelSize: kernel, stride: stride,
               padding: kernel == 1 ? 0 : dilation, dilation: dilation, bias: bias, random: random)
    }
    let width = options.width
    if inputShape.count == 3 {
        let channels = inputShape[0]
        switch (options.backbone, denseOutput) {
        case (.plain, true):
            let blocks: [Module] = [(channels, 1), (width, 2), (width, 4)].map { input, dilation in
                block(gated(conv(input, width, dilation: dilation)) + [ReLU()])
            }
            return (blocks, width)
        case (.plain, false):
            let blocks: [Module] = [
                block(gated(conv(channels, width)) + [ReLU(), MaxPool2D(kernelSize: 2)]),
                block(gated(conv(width, 2 * width)) + [ReLU(), MaxPool2D(kernelSize: 2)]),
                block(gated(conv(2 * width, 4 * width)) + [ReLU(), MaxPool2D(kernelSize: 2), Flatten()]),
            ]
            return (blocks, 4 * width * (inputShape[1] / 8) * (inputShape[2] / 8))
        case (.residual, true):
            let blocks: [Module] = [
                block(gated(conv(channels, width)) + [ReLU()]),
                residualBlock(conv(width, width, dilation: 2), conv(width, width, dilation: 2), projection: nil),
                residualBlock(conv(width, width, dilation: 4), conv(width, width, dilation: 4), projection: nil),
            ]
            return (blocks, width)
        case (.residual, false):
            let blocks: [Module] = [
                block(gated(conv(channels, width)) + [ReLU(), MaxPool2D(kernelSize: 2)]),
                residualBlock(conv(width, width), conv(width, width), projection: nil),
                residualBlock(conv(width, 2 * width, stride: 2), conv(2 * width, 2 * width),
                              projection: conv(width, 2 * width, kernel: 1, stride: 2)),
                residualBlock(conv(2 * width, 4 * width, stride: 2), conv(4 * width, 4 * width),
                              projection: conv(2 * width, 4 * width, kernel: 1, stride: 2)),
                block([Flatten()]),
            ]
            // The stem's pooling halves a side (rounding down), each stride-2 block halves it rounding up.
            func side(_ length: Int) -> Int { ((length / 2 + 1) / 2 + 1) / 2 }
            return (blocks, 4 * width * side(inputShape[1]) * side(inputShape[2]))
        }
    }
    checkPrecondition(inputShape.count == 1,
                      "makeBackbone: inputs \(inputShape) are neither [C, H, W] images nor [D] vectors")
    func linear(_ input: Int) -> Linear { Linear(inputCount: input, outputCount: width, bias: bias, random: random) }
    switch options.backbone {
    case .plain:
        return ([block(gated(linear(inputShape[0])) + [ReLU()]), block(gated(linear(width)) + [ReLU()])], width)
    case .residual:
        return ([block(gated(linear(inputShape[0])) + [ReLU()]),
                 residualBlock(linear(width), linear(width), projection: nil)], width)
    }
}
