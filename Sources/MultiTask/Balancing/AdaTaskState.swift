import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// What AdaTask needs from the adaptive optimizer it runs once per task — `Adam`, `RMSProp` and
/// `AdaGrad` conform: the optimizer's own typed update, and (for the dominance record of the plain,
/// shared-accumulator optimizer) each task's part of one shared update.
public protocol TaskSeparableRule: AnyObject {
    /// The optimizer's per-parameter state (`AdamState`, …).
    associatedtype RuleState: OptimizerState
    /// One update of `parameter` from `gradient`, on `state` — the optimizer's own rule.
    func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup, state: inout RuleState)
    /// u_t, task t's part of the update the shared accumulators `sharedState` just made, from its
    /// gradient alone; `moment` is task t's own first moment where the rule has one.
    func taskPart(of gradient: Tensor, moment: inout Tensor?, sharedState: RuleState, learningRate: Float) -> Tensor
}

extension Adam: TaskSeparableRule {
    /// Adam's step counter and moments m, v.
    public typealias RuleState = AdamState

    /// η m̂_t / (√v̂ + ε) with m_t the first moment of g_t alone and v the shared second moment: the
    /// first moment is linear in the gradient, so the parts add up to the update.
    public func taskPart(of gradient: Tensor, moment: inout Tensor?, sharedState: AdamState,
                         learningRate: Float) -> Tensor {
        var m = (moment ?? Tensor.zeros(gradient.shape)) * beta1
        m.addScaled(gradient, by: 1 - beta1)
        moment = m
        let step = Float(sharedState.step)
        let c1 = 1 - Foundation.pow(beta1, step), c2 = 1 - Foundation.pow(beta2, step)
        return m * (learningRate / c1) / ((sharedState.secondMoment / c2).squareRoot() + epsilon)
    }
}

extension RMSProp: TaskSeparableRule {
    /// RMSProp's step counter and squared-gradient average s.
    public typealias RuleState = RMSPropState

    /// η g_t / (√s + ε).
    public func taskPart(of gradient: Tensor, moment: inout Tensor?, sharedState: RMSPropState,
                         learningRate: Float) -> Tensor {
        gradient * learningRate / (sharedState.squareAverage.squareRoot() + epsilon)
    }
}

extension AdaGrad: TaskSeparableRule {
    /// AdaGrad's step counter and sum of squared gradients s.
    public typealias RuleState = AdaGradState

    /// η g_t / (√s + ε).
    public func taskPart(of gradient: Tensor, moment: inout Tensor?, sharedState: AdaGradState,
                         learningRate: Float) -> Tensor {
        gradient * learningRate / (sharedState.sumOfSquares.squareRoot() + epsilon)
    }
}

/// AdaTask's state for one parameter, with the rule's state `RuleState`. In a checkpoint its parts
/// are named by prefix: `plain` unprefixed, `shared` under "shared/", task t's under "task<t>/".
public struct AdaTaskState<RuleState: OptimizerState> {
    /// The plain rule's accumulators: a task-specific parameter's, or a shared parameter's in a
    /// step without per-task gradients (task-alternating training).
    public var plain: RuleState?
    /// A shared parameter's one accumulator when tasks are not separated (the plain optimizer).
    public var shared: RuleState?
    /// Task t's own accumulators of a shared parameter (separated tasks).
    public var tasks: [RuleState?]
    /// AU_t: the exponential average of task t's squared updates (dominance).
    public var updateAverages: [Tensor?]
    /// Task t's own first moment, for its part of a shared Adam update (dominance, tasks not separated).
    public var dominanceMoments: [Tensor?]

    /// The state before any update, with an empty slot per task for `taskCount` tasks.
    public init(taskCount: Int) {
        tasks = Array(repeating: nil, count: taskCount)
        updateAverages = Array(repeating: nil, count: taskCount)
        dominanceMoments = Array(repeating: nil, count: taskCount)
    }

    /// AU_t ← β AU_t + (1 − β) u_t².
    mutating func recordUpdate(_ update: Tensor, task: Int, decay: Float) {
        var average = (updateAverages[task] ?? Tensor.zeros(update.shape)) * decay
        average.addScaled(update.squared(), by: 1 - decay)
        updateAverages[task] = average
    }
}

/// The type-erased face of `TaskSeparatedStates`, so `AdaTask` can hold the states of whichever
/// rule it was given.
protocol AdaTaskStateStore: AnyObject {
    func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                perTask: [(task: Int, gradient: Tensor)]?)
    func updateAverages(of parameter: Parameter) -> [Tensor?]
    func namedTensors(of parameter: Parameter) -> [String: Tensor]
    func validate(_ tensors: [String: Tensor], of parameter: Parameter, isShared: Bool, name: String) throws
    func restore(_ tensors: [String: Tensor], of parameter: Parameter, isShared: Bool, name: String) throws
}

/// Every parameter's `AdaTaskState` for one rule, and AdaTask's update on it.
final class TaskSeparatedStates<Rule: TaskSeparableRule>: AdaTaskStateStore {
    typealias State = AdaTaskState<Rule.RuleState>
    let rule: Rule
    let taskCount: Int
    let separatesTasks: Bool
    let tracksDominance: Bool
    let dominanceDecay: Float
    var states: [ObjectIdentifier: State] = [:]

    init(rule: Rule, taskCount: Int, separatesTasks: Bool, tracksDominance: Bool, dominanceDecay: Float) {
        self.rule = rule
        self.taskCount = taskCount
        self.separatesTasks = separatesTasks
        self.tracksDominance = tracksDominance
        self.dominanceDecay = dominanceDecay
    }

    /// `perTask`: a shared parameter's per-task gradients from the last `backward`; nil for a
    /// task-specific parameter, or when no balancer ran (the plain rule on `gradient`).
    func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                perTask: [(task: Int, gradient: Tensor)]?) {
        let id = ObjectIdentifier(parameter)
        var state = states.removeValue(forKey: id) ?? State(taskCount: taskCount)
        defer { states[id] = state }
        let fresh = { Rule.RuleState(parameterShape: parameter.shape) }
        guard let perTask else {
            var plain = state.plain ?? fresh()
            rule.update(parameter, gradient: gradient, group: group, state: &plain)
            state.plain = plain
            return
        }
        if separatesTasks {
            // One step of the rule per task, each on that task's own accumulators.
            for (task, taskGradient) in perTask {
                let before = tracksDominance ? parameter.value : nil
                var taskState = state.tasks[task] ?? fresh()
                rule.update(parameter, gradient: taskGradient, group: group, state: &taskState)
                state.tasks[task] = taskState
                if let before { state.recordUpdate(before - parameter.value, task: task, decay: dominanceDecay) }
            }
        } else {
            var shared = state.shared ?? fresh()
            rule.update(parameter, gradient: gradient, group: group, state: &shared)
            state.shared = shared
            guard tracksDominance else { return }
            for (task, taskGradient) in perTask {
                let part = rule.taskPart(of: taskGradient, moment: &state.dominanceMoments[task], sharedState: shared,
                                         learningRate: group.learningRate)
                state.recordUpdate(part, task: task, decay: dominanceDecay)
            }
        }
    }

    func updateAverages(of parameter: Parameter) -> [Tensor?] {
        states[ObjectIdentifier(parameter)]?.updateAverages ?? Array(repeating: nil, count: taskCount)
    }

    // MARK: The checkpoint boundary

    func namedTensors(of parameter: Parameter) -> [String: Tensor] {
        guard let state = states[ObjectIdentifier(parameter)] else { return [:] }
        var tensors = state.plain?.namedTensors ?? [:]
        for (key, value) in state.shared?.namedTensors ?? [:] { tensors["shared/\(key)"] = value }
        for task in 0..<taskCount {
            for (key, value) in state.tasks[task]?.namedTensors ?? [:] { tensors["task\(task)/\(key)"] = value }
            tensors["task\(task)/updateAverage"] = state.updateAverages[task]
            if !separatesTasks { tensors["task\(task)/firstMoment"] = state.dominanceMoments[task] }
        }
        return tensors
    }

    func validate(_ tensors: [String: Tensor], of parameter: Parameter, isShared: Bool, name: String) throws {
        _ = try decode(tensors, of: parameter, isShared: isShared, name: name)
    }

    func restore(_ tensors: [String: Tensor], of parameter: Parameter, isShared: Bool, name: String) throws {
        states[ObjectIdentifier(parameter)] = try decode(tensors, of: parameter, isShared: isShared, name: name)
    }

    /// Sorts the stored entries by prefix and reads each part with its own checks; an entry no part
    /// claims is refused, and so is any prefixed entry on a task-specific parameter.
    func decode(_ tensors: [String: Tensor], of parameter: Parameter, isShared: Bool, name: String) throws -> State? {
        guard !tensors.isEmpty else { return nil }
        var parts: [String: [String: Tensor]] = [:]
        for (key, tensor) in tensors {
            let slash = key.firstIndex(of: "/")
            let prefix = slash.map { String(key[...$0]) } ?? ""
            let rest = slash.map { String(key[key.index(after: $0)...]) } ?? key
            parts[prefix, default: [:]][rest] = tensor
        }
        let shape = parameter.shape
        func ruleState(_ prefix: String) throws -> Rule.RuleState? {
            guard let part = parts.removeValue(forKey: prefix), !part.isEmpty else { return nil }
            return try Rule.RuleState(namedTensors: part, parameterShape: shape,
                                      name: prefix.isEmpty ? name : name + "." + prefix)
        }
        var state = State(taskCount: taskCount)
        state.plain = try ruleState("")
        if isShared {
            state.shared = try ruleState("shared/")
            for task in 0..<taskCount {
                let prefix = "task\(task)/"
                var reader = StoredStateReader(parts[prefix] ?? [:], parameterShape: shape, name: name + "." + prefix)
                if reader.contains("updateAverage") {
                    state.updateAverages[task] = try reader.tensor("updateAverage", nonNegative: true)
                    parts[prefix]?["updateAverage"] = nil
                }
                if separatesTasks {
                    state.tasks[task] = try ruleState(prefix)
                } else if reader.contains("firstMoment") {
                    state.dominanceMoments[task] = try reader.tensor("firstMoment")
                    parts[prefix]?["firstMoment"] = nil
                }
            }
        }
        if let (prefix, part) = parts.sorted(by: { $0.key < $1.key }).first(where: { !$0.value.isEmpty }),
           let key = part.keys.sorted().first {
            throw CheckpointError.invalidValue(name: "\(name).\(excerpt(prefix + key))",
                                               reason: "AdaTask keeps no state named '\(excerpt(prefix + key))'")
        }
        return state
    }
}
