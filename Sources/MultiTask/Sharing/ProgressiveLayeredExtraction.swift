import TensorCore
import Autodiff
import NeuralNetworks

/// Progressive Layered Extraction, PLE (Tang et al., *Progressive Layered Extraction (PLE): A Novel
/// Multi-Task Learning (MTL) Model for Personalized Recommendations*, RecSys 2020, §4.3): CGC levels
/// (`CustomizedGateControlNetwork`) stacked, so that the tasks separate step by step. Level k holds
/// shared experts f^{s,k}_i and task experts f^{t,k}_j; each task's experts read that task's
/// representation from the level below, the shared experts read a shared one:
///
///     r^k_t = Σ g^k_t(r^{k−1}_t) ⊙ [f^{s,k}(r^{k−1}_s), f^{t,k}(r^{k−1}_t)]                   (task gate)
///     r^k_s = Σ g^k_s(r^{k−1}_s) ⊙ [f^{s,k}(r^{k−1}_s), f^{1,k}(r^{k−1}_1), …, f^{T,k}(r^{k−1}_T)]
///                                                                                     (shared gate)
///
/// with r⁰_t = r⁰_s = x, every gate g = softmax(W · flatten(·) + b) (`ExpertGate`), and
/// ŷ_t = h_t(r^L_t). The shared gate — over *all* the level's experts — is what lets the levels
/// pass what the tasks learned to one another; the last level has none (nothing reads r^L_s), so a
/// one-level PLE is a CGC.
///
/// Shapes: input `[B, …]`; the experts of level k map `[B, …]` to one shape for the level (here: the
/// backbone's blocks, split into levels: `makeNetwork`); gates `[B, n]`.
///
/// - θ_sh (`sharedParameters()`): every parameter that more than one task's loss reaches — the shared
///   experts and shared gates of every level, and, through the shared gates, the task experts of every
///   level but the last and the task gates of every level but the last two. What is left is task t's:
///   the last level's task experts and gates (and the level before's gates), and the head.
/// - No single shared representation: `sharedRepresentation` is nil (MGDA-UB falls back to MGDA).
/// - Note: we follow the paper's shared gate and shared path. LibMTL's `PLE` has no shared gate: its
///   shared experts run on each task's representation, so every level is a CGC.
public final class ProgressiveLayeredExtractionNetwork: MultiTaskNetwork, ExpertGatedNetwork {
    /// The extraction levels, from the input up; only the last has no shared gate.
    public let levels: [ExtractionLevel]
    /// h_t, one per task.
    public let heads: [Module]

    /// PLE over `levels` (every one but the last with a shared gate) and one head per task.
    public init(levels: [ExtractionLevel], heads: [Module]) {
        let taskCount = heads.count
        checkPrecondition(!levels.isEmpty && levels.allSatisfy({ $0.taskExperts.count == taskCount })
                            && levels.dropLast().allSatisfy({ $0.sharedGate != nil && !$0.sharedExperts.isEmpty })
                            && levels.last!.sharedGate == nil,
                          "ProgressiveLayeredExtractionNetwork: \(levels.count) levels with task experts for "
                            + "\(levels.map(\.taskExperts.count)) tasks and \(levels.map(\.sharedExperts.count)) "
                            + "shared experts, \(heads.count) heads (every level but the last needs a shared gate "
                            + "and shared experts to feed, the last none)")
        self.levels = levels
        self.heads = heads
        super.init(taskCount: taskCount)
    }

    /// One pass up the levels: the last level computes only `lastTasks`' representations (the levels
    /// below need every task's: the shared gates mix them all). Returns r^L_t for those tasks (nil
    /// for the others) and every gate's weights in the order of `gateDescriptions` (the last level's
    /// for `lastTasks` only).
    func extract(_ input: Variable, lastTasks: [Int]) -> (representations: [Variable?], gates: [Variable]) {
        var taskInputs = Array(repeating: input, count: taskCount), sharedInput = input
        var representations: [Variable?] = []
        var gates: [Variable] = []
        for (index, level) in levels.enumerated() {
            let isLast = index == levels.count - 1
            let shared = level.sharedExperts.map { $0(sharedInput) }
            var own: [[Variable]] = Array(repeating: [], count: taskCount)
            representations = Array(repeating: nil, count: taskCount)
            for task in isLast ? lastTasks : Array(0..<taskCount) {
                own[task] = level.taskExperts[task].map { $0(taskInputs[task]) }
                let weights = level.taskGates[task](taskInputs[task])
                gates.append(weights)
                representations[task] = mixExperts(shared + own[task], weights: weights)
            }
            if let sharedGate = level.sharedGate {
                let weights = sharedGate(sharedInput)
                gates.append(weights)
                sharedInput = mixExperts(shared + own.flatMap { $0 }, weights: weights)
            }
            if !isLast { taskInputs = representations.map { $0! } }
        }
        return (representations, gates)
    }

    /// ŷ_t = h_t(r^L_t).
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "ProgressiveLayeredExtractionNetwork")
        return heads[task](extract(input, lastTasks: [task]).representations[task]!)
    }

    /// Every task's output from one pass.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let representations = extract(input, lastTasks: Array(0..<taskCount)).representations
        return MultiTaskOutputs(outputs: (0..<taskCount).map { heads[$0](representations[$0]!) },
                                sharedRepresentation: nil)
    }

    /// θ_sh: the parameters more than one task's loss reaches (see the type's documentation), in the
    /// order of `parameters()`.
    public override func sharedParameters() -> [Parameter] {
        var shared: [Parameter] = []
        for (index, level) in levels.enumerated() {
            shared += level.sharedExperts.flatMap { $0.parameters() }
            shared += level.sharedGate?.parameters() ?? []
            // Task experts feed this level's shared gate; task gates feed the next level's task
            // experts, which feed the next level's shared gate.
            if level.sharedGate != nil { shared += level.taskExperts.flatMap { $0.flatMap { $0.parameters() } } }
            if index + 1 < levels.count, levels[index + 1].sharedGate != nil {
                shared += level.taskGates.flatMap { $0.parameters() }
            }
        }
        let ids = Set(shared.map(ObjectIdentifier.init))
        return parameters().filter { ids.contains(ObjectIdentifier($0)) }
    }

    /// Level by level: each task's gate (over the shared experts and its own), then the shared gate
    /// (over the shared experts and every task's).
    public var gateDescriptions: [GateDescription] {
        var descriptions: [GateDescription] = []
        for (index, level) in levels.enumerated() {
            let shared = level.sharedExperts.indices.map { ExpertIdentity(level: index, task: nil, index: $0) }
            let own = (0..<taskCount).map { task in
                level.taskExperts[task].indices.map { ExpertIdentity(level: index, task: task, index: $0) }
            }
            for task in 0..<taskCount {
                descriptions.append(GateDescription(level: index, task: task, experts: shared + own[task]))
            }
            if level.sharedGate != nil {
                descriptions.append(GateDescription(level: index, task: nil, experts: shared + own.flatMap { $0 }))
            }
        }
        return descriptions
    }

    /// Every gate's weights, level by level (each level's task gates, then its shared gate).
    public func gateWeights(_ input: Variable) -> [Variable] {
        extract(input, lastTasks: Array(0..<taskCount)).gates
    }
}

/// One level of PLE: shared experts, each task's experts, a gate per task over the shared experts
/// and its own, and (except in the last level) a shared gate over all of the level's experts
/// (shared first, then task 0's, task 1's, …).
public final class ExtractionLevel: Module {
    /// The level's shared experts (they read the shared representation).
    public let sharedExperts: [Module]
    /// `taskExperts[t]`: task t's experts.
    public let taskExperts: [[Module]]
    /// Gate t over m_s + m_t experts.
    public let taskGates: [ExpertGate]
    /// The shared gate over m_s + Σ_t m_t experts; nil in the last level.
    public let sharedGate: ExpertGate?

    /// A level with its experts and gates; the gates' expert counts must match (m_s + m_t, m_s + Σ m_t).
    public init(sharedExperts: [Module], taskExperts: [[Module]], taskGates: [ExpertGate], sharedGate: ExpertGate?) {
        let allExperts = sharedExperts.count + taskExperts.map(\.count).reduce(0, +)
        checkPrecondition(taskGates.count == taskExperts.count
                            && zip(taskGates, taskExperts).allSatisfy({
                                $0.expertCount == sharedExperts.count + $1.count && $0.expertCount >= 1 })
                            && (sharedGate.map { $0.expertCount == allExperts } ?? true),
                          "ExtractionLevel: \(sharedExperts.count) shared experts, task experts "
                            + "\(taskExperts.map(\.count)), task gates over \(taskGates.map(\.expertCount)) and a "
                            + "shared gate over \(sharedGate.map { String($0.expertCount) } ?? "none")")
        self.sharedExperts = sharedExperts
        self.taskExperts = taskExperts
        self.taskGates = taskGates
        self.sharedGate = sharedGate
    }
}
