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

    /// Replaces the state of one parameter (trusted: state read from a file goes through
    /// `validateState(_:of:name:)` first, as `Module.load(_:optimizer:)` does).
    public func setState(_ state: [String: Tensor], of parameter: Parameter) {
        states[ObjectIdentifier(parameter)] = state
    }

    /// The entries `update` may find in the state of `parameter`, by key — what a checkpoint's state
    /// is checked against before it is restored (the fused kernels write a parameter's worth of
    /// values through raw pointers, so a moment of the wrong size must never reach them).
    ///
    /// Every built-in optimizer lists its keys. The default, for an optimizer that does not override
    /// this, accepts a step counter under "step" and any other key holding a finite tensor of the
    /// parameter's shape — the pattern of `SGD`, `Adam`, `AdaGrad` and `RMSProp`.
    open func stateEntries(for parameter: Parameter) -> [String: OptimizerStateEntry]? { nil }

    /// Throws `CheckpointError.invalidValue` (naming `name` and the key) unless `state` could have
    /// been written by this optimizer for `parameter`: known keys, the right shapes, finite values,
    /// non-negative where the entry says so, step counters that are whole numbers in range.
    public func validateState(_ state: [String: Tensor], of parameter: Parameter, name: String) throws {
        let entries = stateEntries(for: parameter)
        for (key, tensor) in state {
            let entry: OptimizerStateEntry
            if let entries {
                guard let known = entries[key] else {
                    throw CheckpointError.invalidValue(name: "\(name).\(key)",
                                                       reason: "\(type(of: self)) keeps no state named "
                                                       + "'\(excerpt(key))'")
                }
                entry = known
            } else {
                entry = key == "step" ? .counter : .likeParameter(nonNegative: false)
            }
            try entry.validate(tensor, parameterShape: parameter.shape, name: "\(name).\(key)")
        }
    }

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

/// What one entry of an optimizer's per-parameter state must look like (see
/// `Optimizer.stateEntries(for:)`).
public enum OptimizerStateEntry: Sendable, Equatable {
    /// A step counter: a scalar holding a whole number in 0...2²⁴ (every such number is exact in Float).
    case counter
    /// A tensor of the parameter's shape with finite values; `nonNegative`: all ≥ 0 (second moments,
    /// sums of squares, whose square roots the update takes).
    case likeParameter(nonNegative: Bool)

    /// Throws `CheckpointError.invalidValue` unless `tensor` fits this entry.
    public func validate(_ tensor: Tensor, parameterShape: [Int], name: String) throws {
        switch self {
        case .counter:
            _ = try validatedCounter(tensor, name: name)
        case .likeParameter(let nonNegative):
            guard tensor.shape == parameterShape else {
                throw CheckpointError.shapeMismatch(name: name, expected: parameterShape, found: tensor.shape)
            }
            guard tensor.scalars.allSatisfy(\.isFinite) else {
                throw CheckpointError.invalidValue(name: name, reason: "it holds NaN or infinite values")
            }
            if nonNegative, tensor.scalars.contains(where: { $0 < 0 }) {
                throw CheckpointError.invalidValue(name: name,
                                                   reason: "it holds negative values, but is a sum of squares")
            }
        }
    }
}

/// The largest counter a checkpoint may hold: 2²⁴, the last integer every smaller one of which a
/// Float32 represents exactly.
public let largestStoredCounter = 1 << 24

/// The whole number in a scalar tensor read from a file (a step or update count), or a thrown
/// `CheckpointError.invalidValue` when it is not one scalar, not finite, not whole, negative or
/// above `largestStoredCounter` (NaN or 1e30 would trap in `Int(_:)`).
public func validatedCounter(_ tensor: Tensor, name: String) throws -> Int {
    guard tensor.count == 1, tensor.rank <= 1 else {
        throw CheckpointError.shapeMismatch(name: name, expected: [], found: tensor.shape)
    }
    let value = tensor.scalars[0]
    guard value.isFinite, value.rounded() == value, value >= 0, value <= Float(largestStoredCounter) else {
        throw CheckpointError.invalidValue(name: name,
                                           reason: "\(value) is not a count (a whole number in "
                                           + "0...\(largestStoredCounter))")
    }
    return Int(value)
}

/// The whole number in a metadata value read from a file, or a thrown `CheckpointError.invalidValue`
/// when it is missing, not an integer, or outside `range`.
public func validatedInteger(_ text: String?, name: String, in range: ClosedRange<Int>) throws -> Int {
    guard let text else { throw CheckpointError.invalidValue(name: name, reason: "it is missing") }
    guard let value = Int(text), range.contains(value) else {
        throw CheckpointError.invalidValue(name: name,
                                           reason: "'\(excerpt(text))' is not an integer in "
                                           + "\(range.lowerBound)...\(range.upperBound)")
    }
    return value
}
