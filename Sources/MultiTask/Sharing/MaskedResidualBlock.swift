import TensorCore
import Autodiff
import NeuralNetworks

/// A residual block run for one task at a time: `y = ReLU(F_t(x) + S_t(x))`, the task-routed twin of
/// `ResidualBlock`. As in the Maximum Roaming reference's ResNet, the masks sit inside the branches —
/// after each convolution (and its batch normalization) of the residual branch F, the last one
/// before the addition, and after the projection of the shortcut S — while an identity shortcut is
/// left unmasked, so a task's units receive the block's input whether or not the task uses them.
/// The branches may hold any task-routed layers: SE-MTL's gates sit where the masks would.
///
/// Parameters are named `residual.…` and `shortcut.…`, as in `ResidualBlock`.
public final class MaskedResidualBlock: Module, TaskRoutedBlock {
    /// F, the residual branch.
    public let residual: MaskedSequential
    /// S, the projection shortcut; nil: the identity.
    public let shortcut: MaskedSequential?

    /// The block ReLU(F_t(x) + S_t(x)); leave `shortcut` nil when `residual` keeps the shape.
    public init(residual: MaskedSequential, shortcut: MaskedSequential? = nil) {
        self.residual = residual
        self.shortcut = shortcut
    }

    /// The task-routed layers of F, then of S.
    public var routedLayers: [any TaskRoutedLayer] { residual.routedLayers + (shortcut?.routedLayers ?? []) }

    /// The masks of F, then of S, each with the layer it masks.
    public var maskedLayers: [MaskedLayer] { residual.maskedLayers + (shortcut?.maskedLayers ?? []) }

    /// ReLU(F_t(x) + S_t(x)); a channel can be non-zero where either branch's can.
    public func forward(_ input: Variable, task: Int, nonzeroChannels: [Int]?)
        -> (output: Variable, nonzeroChannels: [Int]?) {
        let (branch, branchNonzero) = residual.forward(input, task: task, nonzeroChannels: nonzeroChannels)
        let (skip, skipNonzero) = shortcut?.forward(input, task: task, nonzeroChannels: nonzeroChannels)
            ?? (input, nonzeroChannels)
        let output = (branch + skip).relu()
        guard let branchNonzero, let skipNonzero else { return (output, nil) }
        return (output, Array(Set(branchNonzero).union(skipNonzero)).sorted())
    }

    /// A masked block needs its task: call `block(x, task: t)`.
    public override func callAsFunction(_ input: Variable) -> Variable {
        fatalError("MaskedResidualBlock needs the task: call it as block(x, task: t)")
    }
}
