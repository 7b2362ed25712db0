import TensorCore
import Autodiff
import NeuralNetworks

/// Multi-gate Mixture-of-Experts, MMoE (Ma et al., *Modeling Task Relationships in Multi-task
/// Learning with Multi-gate Mixture-of-Experts*, KDD 2018, eqs. 6–8): n experts f_i shared by all
/// tasks, and per task t a softmax gate over them computed from the input and a head (the paper's
/// tower) h_t:
///
///     g_t(x) = softmax(W_t · flatten(x) + b_t) ∈ Δ_n,    ŷ_t = h_t(Σ_i g_{t,i}(x) · f_i(x)).
///
/// Where a multi-head network gives every task the same representation f(x), MMoE lets each task
/// choose its own mixture of the experts: tasks that conflict can lean on different experts, tasks
/// that agree on the same ones. With one expert every gate is 1 and MMoE *is* the multi-head network
/// with that expert as trunk.
///
/// Shapes: input `[B, …]`; every expert maps it to the same `[B, F…]` (features, or `[B, C, H, W]` for
/// dense tasks — the mixture is per sample, not per pixel); gate t `[B, n]`; head t → task t's output.
///
/// - θ_sh (`sharedParameters()`): the experts'. The gates and heads are task-specific: gate t only
///   reaches task t's loss.
/// - No single shared representation: each task sees its own mixture, so `outputs(_:)` returns
///   `sharedRepresentation` nil and MGDA-UB falls back to the exact MGDA on θ_sh (`MGDA`).
public final class MixtureOfExpertsNetwork: MultiTaskNetwork, ExpertGatedNetwork {
    /// f_1 … f_n, each mapping the input to the same features.
    public let experts: [Module]
    /// g_t, one per task.
    public let gates: [ExpertGate]
    /// h_t, one per task.
    public let heads: [Module]

    /// MMoE over `experts` with one gate per head (each gate over all the experts).
    public init(experts: [Module], gates: [ExpertGate], heads: [Module]) {
        checkPrecondition(!experts.isEmpty && gates.count == heads.count
                            && gates.allSatisfy({ $0.expertCount == experts.count }),
                          "MixtureOfExpertsNetwork: \(experts.count) experts, \(gates.count) gates over "
                            + "\(gates.map(\.expertCount)) experts and \(heads.count) heads")
        self.experts = experts
        self.gates = gates
        self.heads = heads
        super.init(taskCount: heads.count)
    }

    /// ŷ_t = h_t(Σ_i g_{t,i}(x) f_i(x)); every expert runs.
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "MixtureOfExpertsNetwork")
        return heads[task](mixExperts(experts.map { $0(input) }, weights: gates[task](input)))
    }

    /// Every task's output, the experts run once.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let features = experts.map { $0(input) }
        let outputs = (0..<taskCount).map { task in heads[task](mixExperts(features, weights: gates[task](input))) }
        return MultiTaskOutputs(outputs: outputs, sharedRepresentation: nil)
    }

    /// θ_sh: the experts' parameters (every task's loss reaches every expert through its gate).
    public override func sharedParameters() -> [Parameter] { experts.flatMap { $0.parameters() } }

    /// One gate per task, each over all the (shared) experts.
    public var gateDescriptions: [GateDescription] {
        let shared = experts.indices.map { ExpertIdentity(level: 0, task: nil, index: $0) }
        return (0..<taskCount).map { GateDescription(level: 0, task: $0, experts: shared) }
    }

    /// g_t(x) for every task t: `[B, n]` each.
    public func gateWeights(_ input: Variable) -> [Variable] { gates.map { $0(input) } }
}
