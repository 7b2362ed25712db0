import TensorCore
import Autodiff
import NeuralNetworks

/// Layers applied one after the other, for one task at a time: the `Sequential` of networks with
/// task-routed layers — `TaskMask`s (Maximum Roaming, fixed partitioning) or squeeze-and-excitation
/// gates (`TaskSqueezeExcitation`, SE-MTL). `trunk(x, task: t)` applies each with task t's route;
/// the task is an argument, not state.
///
/// A `UnitSubsetComputing` layer (`Conv2D`, `Linear`) directly followed by its `TaskMask` — or by a
/// batch normalization that uses batch statistics only and then the mask (conv → BN → mask, the
/// reference's order) — is one masked step. With `skipsMaskedUnits` that step computes only task
/// t's units, `layer(x, computing: m_t's units, reading: …)`, instead of computing all C and
/// multiplying (1 − p)·C of them by zero — the same result for about p of the work (the batch
/// normalization works channel by channel, so the active channels do not see the others; with
/// running statistics it would, through the statistics of the skipped channels, and the step is
/// then computed in full). The set of channels that can be non-zero then travels with the
/// activation: ReLU, pooling, dropout, SE gates keep zero channels zero, so the next masked layer
/// reads only those (in this block, a nested one, or the next); any other layer ends what is known.
///
/// The steps are worked out once, when the sequence is built. Parameters are named as in
/// `Sequential` (`layers.0.weight`, `layers.1.masks`), so checkpoints of the two read alike.
public final class MaskedSequential: Module, TaskRoutedBlock {
    /// The layers in order, masks and gates among them; `layers.i` prefixes layer i's parameter names.
    public let layers: [Module]
    /// Whether masked steps compute only the active task's units (same results, less work).
    public let skipsMaskedUnits: Bool
    private let steps: [Step]

    /// What the forward pass does with each layer (or masked group), decided at init.
    private enum Step {
        /// A layer, the batch normalization between it and its mask (if any), and the mask.
        case masked(any UnitSubsetComputing, BatchNormalization?, TaskMask)
        /// A task-routed layer not part of a masked step (a mask after a layer that cannot
        /// compute subsets; an SE gate, which keeps zero channels zero).
        case routed(any TaskRoutedLayer, keepsZeroChannels: Bool)
        case nested(any TaskRoutedBlock)
        /// A layer that maps zero channels to zero channels (activations, pooling, dropout).
        case keepsZeroChannels(Module)
        case other(Module)
    }

    /// `layers` in order; `skipsMaskedUnits` as described above.
    public init(_ layers: [Module], skipsMaskedUnits: Bool = false) {
        self.layers = layers
        self.skipsMaskedUnits = skipsMaskedUnits
        var steps: [Step] = []
        var index = 0
        while index < layers.count {
            let layer = layers[index]
            if let subsetLayer = layer as? any UnitSubsetComputing {
                var next = index + 1
                var normalization: BatchNormalization?
                if next < layers.count, let batchNorm = layers[next] as? BatchNormalization,
                   !batchNorm.tracksRunningStatistics {
                    normalization = batchNorm
                    next += 1
                }
                if next < layers.count, let mask = layers[next] as? TaskMask {
                    checkPrecondition(mask.unitCount == subsetLayer.outputUnitCount,
                                      "MaskedSequential: a mask of \(mask.unitCount) units after a layer of "
                                        + "\(subsetLayer.outputUnitCount)")
                    steps.append(.masked(subsetLayer, normalization, mask))
                    index = next + 1
                    continue
                }
            }
            switch layer {
            case let mask as TaskMask: steps.append(.routed(mask, keepsZeroChannels: false))
            case let routed as any TaskRoutedLayer: steps.append(.routed(routed, keepsZeroChannels: true))
            case let nested as any TaskRoutedBlock: steps.append(.nested(nested))
            case is ReLU, is LeakyReLU, is MaxPool2D, is AvgPool2D, is GlobalAvgPool, is Dropout, is Identity:
                steps.append(.keepsZeroChannels(layer))
            default: steps.append(.other(layer))
            }
            index += 1
        }
        self.steps = steps
    }

    /// The sequence of the layers listed, first applied first.
    public convenience init(_ layers: Module..., skipsMaskedUnits: Bool = false) {
        self.init(layers, skipsMaskedUnits: skipsMaskedUnits)
    }

    /// The task-routed layers of this sequence and of the blocks nested in it, in order.
    public var routedLayers: [any TaskRoutedLayer] {
        steps.flatMap { step -> [any TaskRoutedLayer] in
            switch step {
            case .masked(_, _, let mask): return [mask]
            case .routed(let layer, _): return [layer]
            case .nested(let nested): return nested.routedLayers
            case .keepsZeroChannels, .other: return []
            }
        }
    }

    /// Every mask of this sequence and of the blocks nested in it, with the layer it masks, in order.
    public var maskedLayers: [MaskedLayer] {
        steps.flatMap { step -> [MaskedLayer] in
            switch step {
            case .masked(let layer, let normalization, let mask):
                return [MaskedLayer(layer: layer, normalization: normalization, mask: mask)]
            case .routed(let mask as TaskMask, _): return [MaskedLayer(layer: nil, normalization: nil, mask: mask)]
            case .nested(let nested): return nested.maskedLayers
            case .routed, .keepsZeroChannels, .other: return []
            }
        }
    }

    /// Applies the layers for task `task`, tracking which channels of the activation may be non-zero
    /// (so a masked step can read and compute only those); nil: any channel.
    public func forward(_ input: Variable, task: Int, nonzeroChannels: [Int]?)
        -> (output: Variable, nonzeroChannels: [Int]?) {
        var value = input, nonzero = nonzeroChannels
        for step in steps {
            switch step {
            case .masked(let layer, let normalization, let mask):
                if skipsMaskedUnits {
                    let active = mask.activeUnits(of: task)
                    value = layer(value, computing: active, reading: nonzero)
                    // Normalization turns the zero channels into β: the mask zeroes them again.
                    if let normalization { value = mask(normalization(value), task: task) }
                    nonzero = active
                } else {
                    let output = layer(value)
                    value = mask(normalization.map { $0(output) } ?? output, task: task)
                    nonzero = nil
                }
            case .routed(let layer, let keepsZeroChannels):
                value = layer(value, task: task)
                if !keepsZeroChannels { nonzero = nil }
            case .nested(let nested):
                (value, nonzero) = nested.forward(value, task: task, nonzeroChannels: nonzero)
            case .keepsZeroChannels(let layer):
                value = layer(value)
            case .other(let layer):
                value = layer(value)
                nonzero = nil
            }
        }
        return (value, nonzero)
    }

    /// A masked sequence needs its task: call `trunk(x, task: t)`.
    public override func callAsFunction(_ input: Variable) -> Variable {
        fatalError("MaskedSequential needs the task: call it as sequence(x, task: t)")
    }
}
