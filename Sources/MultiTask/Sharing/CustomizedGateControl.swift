import TensorCore
import Autodiff
import NeuralNetworks

/// Customized Gate Control, CGC (Tang et al., *Progressive Layered Extraction (PLE): A Novel
/// Multi-Task Learning (MTL) Model for Personalized Recommendations*, RecSys 2020, §4.2): m_s
/// experts shared by all tasks, m_t experts of task t's own, and per task a softmax gate over the
/// shared experts and its own:
///
///     E_t(x) = [f^s_1(x), …, f^s_{m_s}(x), f^t_1(x), …, f^t_{m_t}(x)]
///     g_t(x) = softmax(W_t · flatten(x) + b_t) ∈ Δ_{m_s + m_t},   ŷ_t = h_t(Σ_i g_{t,i}(x) · E_t(x)_i).
///
/// MMoE (`MixtureOfExpertsNetwork`) lets every task weigh every expert, so a task can only keep an
/// expert to itself by the other gates leaving it alone; CGC gives each task experts that no other
/// task's loss ever touches, and leaves the shared experts for what the tasks have in common. With
/// no task-specific experts it is MMoE over the shared ones.
///
/// Shapes: input `[B, …]`; every expert maps it to the same `[B, F…]`; gate t `[B, m_s + m_t]`.
///
/// - θ_sh (`sharedParameters()`): the shared experts'. Task t's experts, gate and head are task t's.
/// - No single shared representation: `sharedRepresentation` is nil (MGDA-UB falls back to MGDA).
public final class CustomizedGateControlNetwork: MultiTaskNetwork, ExpertGatedNetwork {
    /// f^s_1 … f^s_{m_s}.
    public let sharedExperts: [Module]
    /// `taskExperts[t]`: f^t_1 … f^t_{m_t}.
    public let taskExperts: [[Module]]
    /// g_t, one per task, over m_s + m_t experts (shared first).
    public let gates: [ExpertGate]
    /// h_t, one per task.
    public let heads: [Module]

    /// CGC over `sharedExperts` and each task's `taskExperts[t]`, with gate t over m_s + m_t experts and
    /// head t.
    public init(sharedExperts: [Module], taskExperts: [[Module]], gates: [ExpertGate], heads: [Module]) {
        checkPrecondition(taskExperts.count == heads.count && gates.count == heads.count
                            && zip(gates, taskExperts).allSatisfy({ $0.expertCount == sharedExperts.count + $1.count })
                            && taskExperts.allSatisfy({ sharedExperts.count + $0.count >= 1 }),
                          "CustomizedGateControlNetwork: \(sharedExperts.count) shared experts, "
                            + "\(taskExperts.map(\.count)) task experts, gates over \(gates.map(\.expertCount)) "
                            + "experts and \(heads.count) heads (each gate over its task's experts and the shared "
                            + "ones)")
        self.sharedExperts = sharedExperts
        self.taskExperts = taskExperts
        self.gates = gates
        self.heads = heads
        super.init(taskCount: heads.count)
    }

    /// ŷ_t: the shared experts and task t's own run, nothing of the other tasks'.
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "CustomizedGateControlNetwork")
        return output(input, shared: sharedExperts.map { $0(input) }, task: task)
    }

    /// Every task's output, the shared experts run once.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let shared = sharedExperts.map { $0(input) }
        return MultiTaskOutputs(outputs: (0..<taskCount).map { output(input, shared: shared, task: $0) },
                                sharedRepresentation: nil)
    }

    func output(_ input: Variable, shared: [Variable], task: Int) -> Variable {
        let own = taskExperts[task].map { $0(input) }
        return heads[task](mixExperts(shared + own, weights: gates[task](input)))
    }

    /// θ_sh: the shared experts' parameters.
    public override func sharedParameters() -> [Parameter] { sharedExperts.flatMap { $0.parameters() } }

    /// One gate per task, over the shared experts and then the task's own.
    public var gateDescriptions: [GateDescription] {
        (0..<taskCount).map { task in
            GateDescription(level: 0, task: task,
                            experts: sharedExperts.indices.map { ExpertIdentity(level: 0, task: nil, index: $0) }
                                + taskExperts[task].indices.map { ExpertIdentity(level: 0, task: task, index: $0) })
        }
    }

    /// g_t(x) for every task t: `[B, m_s + m_t]` each.
    public func gateWeights(_ input: Variable) -> [Variable] { gates.map { $0(input) } }
}
