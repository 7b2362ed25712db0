import TensorCore
import Autodiff
import NeuralNetworks

/// Layers applied one after the other, for one task at a time: the `Sequential` of networks with
/// `TaskMask`s (Maximum Roaming, fixed partitioning). `trunk(x, task: t)` applies each mask with
/// task t's row; the task is an argument, not state.
///
/// A `UnitSubsetComputing` layer (`Conv2D`, `Linear`) directly followed by its `TaskMask` is one
/// masked step. With `skipsMaskedUnits` that step computes only task t's units,
/// `layer(x, computing: m_t's units, reading: …)`, instead of computing all C and multiplying
/// (1 − p)·C of them by zero — the same result for about p of the work. The set of channels that
/// can be non-zero then travels with the activation: ReLU, pooling, dropout keep zero channels
/// zero, so the next masked layer reads only those (in this block or the next one); any other
/// layer ends what is known.
///
/// The steps are worked out once, when the sequence is built. Parameters are named as in
/// `Sequential` (`layers.0.weight`, `layers.1.masks`), so checkpoints of the two read alike.
public final class MaskedSequential: Module {
    public let layers: [Module]
    /// Whether masked steps compute only the active task's units (same results, less work).
    public let skipsMaskedUnits: Bool
    private let steps: [Step]

    /// What the forward pass does with each layer (or masked pair), decided at init.
    private enum Step {
        /// A layer and the mask right after it.
        case masked(any UnitSubsetComputing, TaskMask)
        /// A mask after a layer that cannot compute subsets.
        case mask(TaskMask)
        case nested(MaskedSequential)
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
            if let subsetLayer = layer as? any UnitSubsetComputing, index + 1 < layers.count,
               let mask = layers[index + 1] as? TaskMask {
                checkPrecondition(mask.unitCount == subsetLayer.outputUnitCount,
                                  "MaskedSequential: a mask of \(mask.unitCount) units after a layer of "
                                    + "\(subsetLayer.outputUnitCount)")
                steps.append(.masked(subsetLayer, mask))
                index += 2
                continue
            }
            switch layer {
            case let mask as TaskMask: steps.append(.mask(mask))
            case let nested as MaskedSequential: steps.append(.nested(nested))
            case is ReLU, is LeakyReLU, is MaxPool2D, is AvgPool2D, is GlobalAvgPool, is Dropout, is Identity:
                steps.append(.keepsZeroChannels(layer))
            default: steps.append(.other(layer))
            }
            index += 1
        }
        self.steps = steps
    }

    public convenience init(_ layers: Module..., skipsMaskedUnits: Bool = false) {
        self.init(layers, skipsMaskedUnits: skipsMaskedUnits)
    }

    /// The masks of this sequence and of the sequences nested in it, in order (found at init).
    public var masks: [TaskMask] {
        steps.flatMap { step -> [TaskMask] in
            switch step {
            case .masked(_, let mask), .mask(let mask): return [mask]
            case .nested(let nested): return nested.masks
            case .keepsZeroChannels, .other: return []
            }
        }
    }

    /// The forward pass for task `task`.
    public func callAsFunction(_ input: Variable, task: Int) -> Variable {
        forward(input, task: task, nonzeroChannels: nil).output
    }

    /// The forward pass for task `task`, given the channels (axis 1) of `input` that may be
    /// non-zero (nil: any); returns the output and the same for it.
    public func forward(_ input: Variable, task: Int, nonzeroChannels: [Int]?)
        -> (output: Variable, nonzeroChannels: [Int]?) {
        var value = input, nonzero = nonzeroChannels
        for step in steps {
            switch step {
            case .masked(let layer, let mask):
                if skipsMaskedUnits {
                    let active = mask.activeUnits(of: task)
                    value = layer(value, computing: active, reading: nonzero)
                    nonzero = active
                } else {
                    value = mask(layer(value), task: task)
                    nonzero = nil
                }
            case .mask(let mask):
                value = mask(value, task: task)
                nonzero = nil
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
