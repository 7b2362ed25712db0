import TensorCore
import Autodiff

/// Parameters that share optimizer settings — e.g. the early layers of a pretrained network with a
/// lower learning rate than its new head, or a frozen group during fine-tuning.
public struct ParameterGroup {
    public var parameters: [Parameter]
    /// The current learning rate η (schedules change it).
    public var learningRate: Float
    /// The learning rate the group was created with (schedules multiply it).
    public let initialLearningRate: Float
    /// Weight decay λ (L2 for SGD/Adam/AdaGrad/RMSProp, decoupled for AdamW).
    public var weightDecay: Float
    /// A frozen group is skipped by `step()`.
    public var isFrozen: Bool

    public init(parameters: [Parameter], learningRate: Float, weightDecay: Float = 0, isFrozen: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.initialLearningRate = learningRate
        self.weightDecay = weightDecay
        self.isFrozen = isFrozen
    }
}

/// The base of every optimizer: parameter groups, per-parameter state and the update loop.
///
/// `step()` visits every parameter of every unfrozen group that is not itself frozen and has a
/// gradient, and calls `update(_:gradient:group:state:)` — the one method a new optimizer overrides.
/// State (momentum buffers, moment estimates, step counts) lives in a dictionary per parameter keyed
/// by the parameter's identity, readable with `state(of:)` and restorable with `setState(_:of:)`
/// (checkpoints, and AdaTask, which keeps one state per task).
open class Optimizer {
    public var groups: [ParameterGroup]
    /// How many times `step()` ran.
    public private(set) var stepCount = 0
    private var states: [ObjectIdentifier: [String: Tensor]] = [:]

    public init(groups: [ParameterGroup]) {
        self.groups = groups
    }

    /// The state of one parameter (empty before its first update).
    public func state(of parameter: Parameter) -> [String: Tensor] { states[ObjectIdentifier(parameter)] ?? [:] }

    /// Replaces the state of one parameter.
    public func setState(_ state: [String: Tensor], of parameter: Parameter) { states[ObjectIdentifier(parameter)] = state }

    /// Every parameter of every group.
    public var parameters: [Parameter] { groups.flatMap(\.parameters) }

    /// Sets the learning rate of every group.
    public func setLearningRate(_ learningRate: Float) {
        for index in groups.indices { groups[index].learningRate = learningRate }
    }

    /// Applies one update to every trainable parameter with a gradient.
    public func step() {
        stepCount += 1
        for group in groups where !group.isFrozen {
            for parameter in group.parameters where !parameter.isFrozen {
                guard let gradient = parameter.grad else { continue }
                let id = ObjectIdentifier(parameter)
                var state = states.removeValue(forKey: id) ?? [:]
                withoutGradients { update(parameter, gradient: gradient, group: group, state: &state) }
                states[id] = state
            }
        }
    }

    /// Sets the step counter (when restoring a checkpoint).
    public func restoreStepCount(_ count: Int) { stepCount = count }

    /// Clears the gradients of every parameter.
    public func zeroGradients() {
        for parameter in parameters { parameter.grad = nil }
    }

    /// The update rule for one parameter. Subclasses override it.
    open func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup, state: inout [String: Tensor]) {
        fatalError("\(type(of: self)) does not implement update(_:gradient:group:state:)")
    }

    /// The per-parameter step counter t (1 on the first update), kept in the state as "step".
    func nextStep(_ state: inout [String: Tensor]) -> Int {
        let step = Int(state["step"]?.scalar ?? 0) + 1
        state["step"] = Tensor(Float(step))
        return step
    }
}
