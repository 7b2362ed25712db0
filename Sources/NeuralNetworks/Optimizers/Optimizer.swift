import TensorCore
import Autodiff

/// Parameters that share optimizer settings — e.g. the early layers of a pretrained network with a
/// lower learning rate than its new head, or a frozen group during fine-tuning.
public struct ParameterGroup {
    /// The parameters updated with this group's settings.
    public var parameters: [Parameter]
    /// The current learning rate η (schedules change it).
    public var learningRate: Float
    /// The learning rate the group was created with (schedules multiply it).
    public let initialLearningRate: Float
    /// Weight decay λ (L2 for SGD/Adam/AdaGrad/RMSProp, decoupled for AdamW).
    public var weightDecay: Float
    /// A frozen group is skipped by `step()`.
    public var isFrozen: Bool

    /// A group of `parameters` with learning rate η, weight decay λ, and whether it starts frozen.
    public init(parameters: [Parameter], learningRate: Float, weightDecay: Float = 0, isFrozen: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.initialLearningRate = learningRate
        self.weightDecay = weightDecay
        self.isFrozen = isFrozen
    }
}

/// The base of every optimizer: parameter groups and the update loop.
///
/// `step()` visits every parameter of every unfrozen group that is not itself frozen and has a
/// gradient, and calls `update(_:gradient:group:)`. Optimizers with per-parameter state (momentum
/// buffers, moment estimates) subclass `StatefulOptimizer`, which keeps that state as a typed struct
/// and turns it into named tensors only at the checkpoint boundary (`checkpointState(of:)`,
/// `validateState(_:of:name:)`, `restoreState(_:of:name:)`).
open class Optimizer {
    /// The parameter groups, each with its own η and λ; schedules and freezing edit them in place.
    public var groups: [ParameterGroup]
    /// How many times `step()` ran.
    public private(set) var stepCount = 0

    /// An optimizer over `groups` (subclasses add their hyperparameters and call this).
    public init(groups: [ParameterGroup]) {
        self.groups = groups
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
                withoutGradients { update(parameter, gradient: gradient, group: group) }
            }
        }
    }

    /// Sets the step counter (when restoring a checkpoint).
    public func restoreStepCount(_ count: Int) { stepCount = count }

    /// Clears the gradients of every parameter.
    public func zeroGradients() {
        for parameter in parameters { parameter.grad = nil }
    }

    /// The update of one parameter. Subclasses override it (or `StatefulOptimizer`'s typed variant).
    open func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup) {
        fatalError("\(type(of: self)) does not implement update(_:gradient:group:)")
    }

    // MARK: The checkpoint boundary

    /// The state of `parameter` as named tensors — what a checkpoint stores; empty for a stateless
    /// optimizer or before the parameter's first update.
    open func checkpointState(of parameter: Parameter) -> [String: Tensor] { [:] }

    /// Throws `CheckpointError` (naming `name` and the key) unless `tensors` could have been written
    /// by this optimizer for `parameter`: known keys, the right shapes, finite values, non-negative
    /// where the rule takes a square root, step counters that are whole numbers in range. Changes
    /// nothing, so a checkpoint is checked entirely before anything is applied.
    open func validateState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws {
        if let key = tensors.keys.sorted().first {
            throw CheckpointError.invalidValue(name: "\(name).\(excerpt(key))",
                                               reason: "\(type(of: self)) keeps no state")
        }
    }

    /// Restores the state of `parameter` from named tensors, with the checks of `validateState`.
    open func restoreState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws {
        try validateState(tensors, of: parameter, name: name)
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
