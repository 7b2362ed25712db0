import TensorCore
import Autodiff
import NeuralNetworks

/// Single-task learning (STL): one complete network per task, nothing shared — the baseline that
/// Δm% compares against (Caruana 1997; the lecture's "independent" model).
///
/// ```swift
/// let stl = IndependentNetworks(taskCount: 2) { task in
///     Sequential(Linear(inputCount: 100, outputCount: 64), ReLU(), Linear(inputCount: 64, outputCount: 1))
/// }
/// ```
public final class IndependentNetworks: MultiTaskNetwork {
    /// `networks[t]` maps inputs to task t's output.
    public let networks: [Module]

    /// Builds one network per task with `makeNetwork(task)`.
    public init(taskCount: Int, makeNetwork: (Int) -> Module) {
        networks = (0..<taskCount).map(makeNetwork)
        super.init(taskCount: taskCount)
    }

    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "IndependentNetworks")
        return networks[task](input)
    }

    /// Nothing is shared.
    public override func sharedParameters() -> [Parameter] { [] }
}
