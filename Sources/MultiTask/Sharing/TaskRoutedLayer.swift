import TensorCore
import Autodiff
import NeuralNetworks

/// A layer whose forward pass depends on the task — a `TaskMask` (Maximum Roaming, fixed
/// partitioning) or a task's squeeze-and-excitation gate (`TaskSqueezeExcitation`, SE-MTL). The
/// task is an argument of the call, never state set from outside; a `MaskedSequential` passes it
/// down.
public protocol TaskRoutedLayer: Module {
    /// The number of tasks T the layer has a route for.
    var taskCount: Int { get }
    /// The forward pass for task `task`.
    func callAsFunction(_ input: Variable, task: Int) -> Variable
}

/// A block run for one task at a time that knows which channels of its output can be non-zero:
/// a `MaskedSequential` or a `MaskedResidualBlock`, which nest in each other.
public protocol TaskRoutedBlock: Module {
    /// The forward pass for task `task`, given the channels (axis 1) of `input` that may be
    /// non-zero (nil: any); returns the output and the same for it.
    func forward(_ input: Variable, task: Int, nonzeroChannels: [Int]?) -> (output: Variable, nonzeroChannels: [Int]?)
    /// The task-routed layers of the block and of the blocks nested in it, in order (found at init).
    var routedLayers: [any TaskRoutedLayer] { get }
    /// Every mask of the block and of the blocks nested in it with the layer it masks, in order.
    var maskedLayers: [MaskedLayer] { get }
}

/// A `TaskMask` with the layer whose units it masks and the batch normalization between them.
public struct MaskedLayer {
    /// The masked layer; nil for a mask that does not directly follow a unit-subset layer.
    public let layer: (any UnitSubsetComputing)?
    /// The batch normalization between the layer and the mask (conv → BN → mask); nil when there is none.
    public let normalization: BatchNormalization?
    /// The mask itself.
    public let mask: TaskMask

    /// The parameters holding the values of the masked units, each with the axis indexing the units:
    /// the layer's (`UnitSubsetComputing.unitParameters`) and the normalization's γ and β.
    public var unitParameters: [(parameter: Parameter, unitAxis: Int)] {
        (layer?.unitParameters ?? []) + [normalization?.scale, normalization?.offset].compactMap { $0 }.map { ($0, 0) }
    }
}

extension TaskRoutedBlock {
    /// The forward pass for task `task`.
    public func callAsFunction(_ input: Variable, task: Int) -> Variable {
        forward(input, task: task, nonzeroChannels: nil).output
    }

    /// The `TaskMask`s among `routedLayers`, in order.
    public var masks: [TaskMask] { routedLayers.compactMap { $0 as? TaskMask } }
}

extension TaskMask: TaskRoutedLayer {}
