import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// AdaTask (Yang et al., "AdaTask: A Task-Aware Adaptive Learning Rate Approach to Multi-Task
/// Learning", AAAI 2023): an adaptive optimizer whose accumulators are kept **per task** for the
/// shared parameters, so a task with large gradients no longer shrinks every other task's
/// effective learning rate on the parameters they share.
///
/// For a shared parameter θ and tasks t with gradients g_t = ∇_θ L_t, with the Adam rule:
///
///     m_t ← β₁ m_t + (1 − β₁) g_t,   v_t ← β₂ v_t + (1 − β₂) g_t²
///     θ ← θ − Σ_t η · m̂_t / (√v̂_t + ε)                 (one Adam step per task, summed)
///
/// and likewise with RMSProp's or AdaGrad's accumulator. Task-specific parameters use the plain
/// rule on their gradient. With one task this is exactly the plain optimizer (each task's step is
/// the plain optimizer's own `update`, on that task's state).
///
/// **Use it as both optimizer and balancer** — `Trainer(model:, optimizer: adaTask, balancer:
/// adaTask, …)` — its `backward` computes the per-task gradients (`TaskGradients`, T backward
/// passes) and keeps them for the next `step()`; `.grad` receives their sum (so gradient clipping
/// and logs see the usual gradient). An unweighted regularization term's gradient is shared
/// equally among the tasks. L2 weight decay enters every task's step (each task's objective
/// carries it). In `.taskAlternating` training the trainer calls no balancer — each update already
/// holds one task's gradient — and AdaTask then steps like the plain optimizer.
///
/// **Task dominance (AU)**: with `tracksDominance`, every shared scalar keeps, per task, an
/// exponential average of its squared updates, AU_t ← β AU_t + (1 − β) u_t²; the task with the
/// largest AU dominates that scalar (`dominance()`). With `separatesTasks: false` the optimizer is
/// the plain one (shared accumulators) and u_t is task t's part of its update — for Adam,
/// η m̂_t / (√v̂ + ε) with m_t the first moment of g_t alone (the first moment is linear in the
/// gradient, so the parts add up to the update) — which is how the paper measures dominance
/// under Adam.
public final class AdaTask: Optimizer, LossBalancer {
    /// The adaptive rule applied per task.
    public enum Rule: Sendable {
        case adam(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)
        case rmsProp(alpha: Float = 0.99, epsilon: Float = 1e-8)
        case adaGrad(epsilon: Float = 1e-10)
    }

    /// The adaptive rule (Adam, RMSProp or AdaGrad) and its constants.
    public let rule: Rule
    /// Whether shared parameters keep one accumulator per task (AdaTask) or one shared one (the plain optimizer).
    public let separatesTasks: Bool
    /// Whether the per-task averages AU_t of the shared scalars' squared updates are kept.
    public let tracksDominance: Bool
    /// β of the AU averages.
    public let dominanceDecay: Float
    /// Every parameter's typed state (`AdaTaskState`) and the rule's update on it.
    let states: AdaTaskStateStore
    let namedShared: [(name: String, parameter: Parameter)]
    let sharedIDs: Set<ObjectIdentifier>
    /// The per-task gradients of the shared parameters from the last `backward`, and their tasks.
    var pending: [ObjectIdentifier: [Tensor]] = [:]
    var pendingTasks: [Int] = []
    let taskCount: Int

    /// - Parameters:
    ///   - model: the network; its `sharedParameters()` get per-task accumulators.
    ///   - learningRate: η, for every parameter.
    ///   - rule: the adaptive rule applied per task (Adam, RMSProp or AdaGrad, with its constants).
    ///   - separatesTasks: false gives the plain optimizer (with dominance tracking, for comparison).
    ///   - weightDecay: the L2 coefficient, in every task's step.
    ///   - tracksDominance: keep the per-task averages AU_t of the shared scalars' squared updates.
    ///   - dominanceDecay: β of the AU averages.
    public init(model: MultiTaskNetwork, learningRate: Float = 1e-3, rule: Rule = .adam(), separatesTasks: Bool = true,
                weightDecay: Float = 0, tracksDominance: Bool = true, dominanceDecay: Float = 0.99) {
        self.rule = rule
        self.separatesTasks = separatesTasks
        self.tracksDominance = tracksDominance
        self.dominanceDecay = dominanceDecay
        taskCount = model.taskCount
        let shared = Set(model.sharedParameters().map(ObjectIdentifier.init))
        sharedIDs = shared
        namedShared = model.namedParameters().filter { shared.contains(ObjectIdentifier($0.parameter)) }
        func store<Rule: TaskSeparableRule>(_ rule: Rule) -> AdaTaskStateStore {
            TaskSeparatedStates(rule: rule, taskCount: model.taskCount, separatesTasks: separatesTasks,
                                tracksDominance: tracksDominance, dominanceDecay: dominanceDecay)
        }
        switch rule {
        case .adam(let beta1, let beta2, let epsilon):
            states = store(Adam(groups: [], beta1: beta1, beta2: beta2, epsilon: epsilon))
        case .rmsProp(let alpha, let epsilon): states = store(RMSProp(groups: [], alpha: alpha, epsilon: epsilon))
        case .adaGrad(let epsilon): states = store(AdaGrad(groups: [], epsilon: epsilon))
        }
        super.init(groups: [ParameterGroup(parameters: model.parameters(), learningRate: learningRate,
                                           weightDecay: weightDecay)])
    }

    /// "AdaTask", or "AdaTask-off" when tasks are not separated (the plain optimizer).
    public var name: String { separatesTasks ? "AdaTask" : "AdaTask-off" }

    // MARK: Balancer: per-task gradients

    /// Computes g_t for every task (T backward passes), keeps them for the next `step()`, writes their
    /// sum into `.grad`, and returns weight 1 per task.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        let gradients = TaskGradients(losses: losses, model: context.model, sharedParameters: context.sharedParameters)
        let regularization = context.regularization.map { penalty in
            Autodiff.gradients(of: penalty, wrt: gradients.sharedParameters).map { $0 / Float(losses.count) }
        }
        pending = [:]
        pendingTasks = context.tasks
        var offset = 0
        for (index, parameter) in gradients.sharedParameters.enumerated() {
            let count = parameter.value.count
            pending[ObjectIdentifier(parameter)] = gradients.shared.map { vector in
                var tensor = Tensor(shape: parameter.value.shape, scalars: Array(vector[offset..<(offset + count)]))
                if let regularization { tensor = tensor + regularization[index] }
                return tensor
            }
            offset += count
        }
        let ones = Array(repeating: Float(1), count: losses.count)
        gradients.accumulate(sharedUpdate: gradients.combination(weights: ones.map(Double.init)), specificWeights: ones)
        if let penalty = context.regularization {
            for (parameter, gradient) in zip(gradients.specificParameters,
                                             Autodiff.gradients(of: penalty, wrt: gradients.specificParameters)) {
                parameter.grad = parameter.grad.map { $0 + gradient } ?? gradient
            }
        }
        return ones
    }

    // MARK: Optimizer: per-task steps

    /// A shared parameter with per-task gradients from the last `backward` takes one step of the
    /// rule per task (`TaskSeparatedStates.update`); every other parameter takes the plain rule's step.
    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup) {
        let id = ObjectIdentifier(parameter)
        let gradients = sharedIDs.contains(id) ? pending[id] : nil
        let perTask = gradients.map { zip(pendingTasks, $0).map { (task: $0, gradient: $1) } }
        states.update(parameter, gradient: gradient, group: group, perTask: perTask)
    }

    // MARK: The checkpoint boundary (names: see `AdaTaskState`)

    public override func checkpointState(of parameter: Parameter) -> [String: Tensor] {
        states.namedTensors(of: parameter)
    }

    public override func validateState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws {
        try states.validate(tensors, of: parameter, isShared: sharedIDs.contains(ObjectIdentifier(parameter)),
                            name: name)
    }

    public override func restoreState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws {
        try states.restore(tensors, of: parameter, isShared: sharedIDs.contains(ObjectIdentifier(parameter)),
                           name: name)
    }

    // MARK: Dominance

    /// One shared parameter's dominance (the type every balancer reports, `TaskDominance`).
    public typealias LayerDominance = TaskDominance

    /// `dominance()`, as every balancer reports it (`LossBalancer.updateDominance()`).
    public func updateDominance() -> [LayerDominance]? { dominance() }

    /// The AU dominance summary of every shared parameter (in the model's order); empty before
    /// the first step or without `tracksDominance`.
    public func dominance() -> [LayerDominance] {
        namedShared.compactMap { named in
            let averages = states.updateAverages(of: named.parameter)
            guard averages.contains(where: { $0 != nil }) else { return nil }
            let count = named.parameter.value.count
            let values = averages.map { $0?.scalars ?? Array(repeating: 0, count: count) }
            var counts = Array(repeating: 0, count: taskCount)
            var shares = Array(repeating: 0.0, count: taskCount)
            for index in 0..<count {
                var total = 0.0, best = 0
                for task in 0..<taskCount {
                    total += Double(values[task][index])
                    if values[task][index] > values[best][index] { best = task }
                }
                counts[best] += 1
                if total > 0 { for task in 0..<taskCount { shares[task] += Double(values[task][index]) / total } }
            }
            return LayerDominance(name: named.name, dominatedCounts: counts,
                                  meanShares: shares.map { $0 / Double(count) })
        }
    }
}
