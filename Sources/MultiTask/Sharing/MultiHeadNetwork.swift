import TensorCore
import Autodiff
import NeuralNetworks

/// Hard parameter sharing with task heads: a shared trunk f(x; θ_sh) and a head h_t(·; θ_t) per
/// task, ŷ_t = h_t(f(x)) — the most common MTL architecture (Caruana 1997; Ruder 2017). Trained on
/// Σ_t w_t L_t. The trunk runs once for all tasks in `outputs(_:)`, which also returns Z = f(x).
public final class MultiHeadNetwork: MultiTaskNetwork {
    /// f, the shared trunk, run once per batch for all tasks.
    public let trunk: Module
    /// h_t, one task-specific head per task, in task order.
    public let heads: [Module]

    /// A network ŷ_t = heads[t](trunk(x)) with one task per head.
    public init(trunk: Module, heads: [Module]) {
        self.trunk = trunk
        self.heads = heads
        super.init(taskCount: heads.count)
    }

    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "MultiHeadNetwork")
        return heads[task](trunk(input))
    }

    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let shared = trunk(input)
        return MultiTaskOutputs(outputs: heads.map { $0(shared) }, sharedRepresentation: shared)
    }

    /// θ_sh: the trunk's parameters.
    public override func sharedParameters() -> [Parameter] { trunk.parameters() }
}
