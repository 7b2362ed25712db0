import TensorCore
import Autodiff

/// A loss of your own for a task, given to `TaskSpec(name:kind:customLoss:)`: the trainer trains
/// the task with it, and `evaluate` reports it as the task's loss, instead of the built-in `loss`.
///
/// `function(output, target)` receives the model's output for a batch and the stored target, in
/// the layouts `TaskSpec` documents for the task's kind, and returns one value (mean over the
/// batch, so that the loss does not grow with the batch size). Write it with `Variable`
/// operations: its gradient comes from them — and check it with `gradcheck`. For example the
/// pseudo-Huber loss δ²(√(1 + (e/δ)²) − 1) with e = ŷ − y, quadratic for small errors and linear
/// for large ones (Charbonnier et al., 1994):
///
/// ```swift
/// CustomLoss(name: "pseudo-Huber") { output, target in
///     let error = (output - target) / 20
///     return (((error.squared() + 1).squareRoot() - 1) * 400).mean()
/// }
/// ```
///
/// - Note: two custom losses compare equal when their names are equal (closures cannot be
///   compared), so give different losses different names. A custom loss lives in code: checkpoints
///   and the `mtl` command line know only the built-in `LossKind`s.
public struct CustomLoss: Sendable, Equatable, CustomStringConvertible {
    /// The loss's name, for tables, messages and equality.
    public var name: String
    /// L(output, target): one value.
    public var function: @Sendable (_ output: Variable, _ target: Tensor) -> Variable

    /// A loss called `name` computing `function(output, target)`; give each different loss its own name.
    public init(name: String, _ function: @escaping @Sendable (_ output: Variable, _ target: Tensor) -> Variable) {
        self.name = name
        self.function = function
    }

    /// The loss of `output` against `target`; stops with a message naming the loss unless it is one value.
    public func callAsFunction(_ output: Variable, _ target: Tensor) -> Variable {
        let loss = function(output, target)
        checkPrecondition(loss.value.count == 1,
                          "custom loss '\(name)': returned shape \(loss.value.shape), not one value (take .mean())")
        return loss
    }

    /// Equal when the names are equal (closures cannot be compared).
    public static func == (lhs: CustomLoss, rhs: CustomLoss) -> Bool { lhs.name == rhs.name }

    /// The loss's name.
    public var description: String { name }
}
