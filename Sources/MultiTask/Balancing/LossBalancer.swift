import TensorCore
import Autodiff
import NeuralNetworks

/// What a balancer sees of one training step besides the task losses.
public struct BalancingContext {
    /// The model being trained.
    public let model: MultiTaskNetwork
    /// The tasks whose losses are passed, in order (all tasks for single-input data; the sampled
    /// ones for multi-input data).
    public let tasks: [Int]
    /// θ_sh, the model's shared parameters (for methods that balance per-task gradients).
    public let sharedParameters: [Parameter]
    /// Z, the shared representation the outputs were computed from, when the architecture has one
    /// (MGDA-UB differentiates the task losses with respect to it).
    public let sharedRepresentation: Variable?
    /// A term every update must include unweighted (soft sharing's coupling penalty).
    public let regularization: Variable?
    /// The training step (batches since the start) and epoch.
    public let step: Int, epoch: Int

    /// The context of one step; the trainer builds it (tests and custom loops may too).
    public init(model: MultiTaskNetwork, tasks: [Int], sharedParameters: [Parameter],
                sharedRepresentation: Variable? = nil, regularization: Variable? = nil, step: Int = 0, epoch: Int = 0) {
        self.model = model
        self.tasks = tasks
        self.sharedParameters = sharedParameters
        self.sharedRepresentation = sharedRepresentation
        self.regularization = regularization
        self.step = step
        self.epoch = epoch
    }
}

/// The trainer's plug-in point for task balancing: turns the per-task losses L_t of a step into
/// gradients on the model's parameters. Loss-weighting methods compute Σ w_t L_t and call
/// `backward()`; gradient-aggregation methods (MGDA, PCGrad, Nash-MTL) take per-task gradients
/// with `gradients(of:wrt:)` and write the combined gradient into `.grad` themselves.
///
/// The trainer zeroes gradients before `backward` and calls the optimizer after it.
public protocol LossBalancer: AnyObject {
    /// A short name for logs and tables ("EW", "GradNorm").
    var name: String { get }
    /// Accumulates the step's gradients into the parameters' `.grad` and returns the task weights
    /// it used (one per entry of `losses`; for logging).
    func backward(losses: [Variable], context: BalancingContext) -> [Float]
    /// Called at the end of each training epoch with the epoch's mean training loss per task.
    func epochDidEnd(meanLosses: [Float])
    /// The balancer's own state, saved in checkpoints so a resumed run continues identically.
    var state: [String: Tensor] { get }
    /// Restores `state` as read from a checkpoint — untrusted input: check every tensor (keys,
    /// shapes, finite values) and throw (`CheckpointError`) before changing anything, never trap.
    func restoreState(_ state: [String: Tensor]) throws
    /// Which task dominated each shared parameter's updates so far (AdaTask's AU, chapter 12), for
    /// the epoch's record and diagnostics; nil for a balancer that does not measure it.
    func updateDominance() -> [TaskDominance]?
}

extension LossBalancer {
    /// Does nothing: most balancers keep no per-epoch state.
    public func epochDidEnd(meanLosses: [Float]) {}
    /// Most balancers do not measure dominance.
    public func updateDominance() -> [TaskDominance]? { nil }
    /// A stateless balancer keeps nothing.
    public var state: [String: Tensor] { [:] }
    /// A stateless balancer accepts only an empty state.
    public func restoreState(_ state: [String: Tensor]) throws {
        if let key = state.keys.sorted().first {
            throw CheckpointError.unexpectedTensor(name: "trainer.balancer.\(excerpt(key))")
        }
    }

    /// Backward of Σ_t w_t L_t (+ the context's regularization); returns `weights`.
    public func backwardWeightedSum(losses: [Variable], weights: [Float], context: BalancingContext) -> [Float] {
        checkPrecondition(losses.count == weights.count, "\(name): \(weights.count) weights for \(losses.count) losses")
        var total = losses[0] * weights[0]
        for (loss, weight) in zip(losses.dropFirst(), weights.dropFirst()) { total = total + loss * weight }
        if let regularization = context.regularization { total = total + regularization }
        total.backward()
        return weights
    }

    /// Backward for a gradient-aggregation method: one backward pass per task (`TaskGradients`),
    /// then `combine` turns them into the shared update and the weights of the task-specific
    /// gradients; both are added to `.grad`, with the context's regularization term unweighted.
    /// Returns the task-specific weights.
    public func backwardAggregated(losses: [Variable], context: BalancingContext,
                                   combine: (TaskGradients) -> (sharedUpdate: [Float], weights: [Float])) -> [Float] {
        let gradients = TaskGradients(losses: losses, model: context.model, sharedParameters: context.sharedParameters)
        let (update, weights) = combine(gradients)
        gradients.accumulate(sharedUpdate: update, specificWeights: weights)
        context.regularization?.backward()
        return weights
    }
}

/// A learnable balancer parameter (uncertainty's log-variances, GradNorm's weights) with the
/// balancer's own optimizer: its value and optimizer state go into the balancer's `state`.
final class BalancerParameter {
    let parameter: Parameter
    let optimizer: Optimizer
    let name: String

    init(name: String, value: Tensor, makeOptimizer: ([Parameter]) -> Optimizer) {
        self.name = name
        parameter = Parameter(value)
        optimizer = makeOptimizer([parameter])
    }

    /// One update from the gradient currently in `parameter.grad`.
    func step() {
        optimizer.step()
        parameter.grad = nil
    }

    var state: [String: Tensor] {
        var state = [name: parameter.value]
        for (key, value) in optimizer.checkpointState(of: parameter) { state["\(name).optimizer.\(key)"] = value }
        return state
    }

    /// Restores the value and optimizer state found in `state` (a balancer's whole state: keys of
    /// other entries are ignored here). Checks first: the value's shape, finite values, the optimizer
    /// state (`Optimizer.validateState`). An absent value leaves everything as it is.
    func restore(from state: [String: Tensor]) throws {
        guard let value = state[name] else { return }
        let label = "trainer.balancer.\(name)"
        guard value.shape == parameter.value.shape else {
            throw CheckpointError.shapeMismatch(name: label, expected: parameter.value.shape, found: value.shape)
        }
        guard value.scalars.allSatisfy(\.isFinite) else {
            throw CheckpointError.invalidValue(name: label, reason: "it holds NaN or infinite values")
        }
        var optimizerState: [String: Tensor] = [:]
        for (key, tensor) in state where key.hasPrefix("\(name).optimizer.") {
            optimizerState[String(key.dropFirst("\(name).optimizer.".count))] = tensor
        }
        try optimizer.validateState(optimizerState, of: parameter, name: "\(label).optimizer")
        parameter.update { $0 = value }
        try optimizer.restoreState(optimizerState, of: parameter, name: "\(label).optimizer")
    }

    /// The keys `state` has.
    func owns(_ key: String) -> Bool { key == name || key.hasPrefix("\(name).optimizer.") }
}
