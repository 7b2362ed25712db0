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
    var state: [String: Tensor] { get set }
}

extension LossBalancer {
    public func epochDidEnd(meanLosses: [Float]) {}
    public var state: [String: Tensor] {
        get { [:] }
        set {}
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
}

/// Equal weighting (EW): the objective Σ_t L_t — weights 1, not 1/T, as LibMTL.
public final class EqualWeighting: LossBalancer {
    public init() {}
    public var name: String { "EW" }
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        backwardWeightedSum(losses: losses, weights: Array(repeating: 1, count: losses.count), context: context)
    }
}

/// Static weighting: Σ_t w_t L_t with weights the user fixes (one per task of the model).
public final class StaticWeighting: LossBalancer {
    public let weights: [Float]
    public init(weights: [Float]) { self.weights = weights }
    public var name: String { "static" }
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        checkPrecondition(weights.count == context.model.taskCount,
                          "StaticWeighting: \(weights.count) weights for \(context.model.taskCount) tasks")
        return backwardWeightedSum(losses: losses, weights: context.tasks.map { weights[$0] }, context: context)
    }
}
