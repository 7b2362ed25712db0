import TensorCore
import Autodiff
import NeuralNetworks

/// Static weighting: Σ_t w_t L_t with weights the user fixes (one per task of the model).
public final class StaticWeighting: LossBalancer {
    /// w_t, one per task of the model, in task order.
    public let weights: [Float]
    /// Fixed weights w_t; their count must equal the model's task count (checked at every step).
    public init(weights: [Float]) { self.weights = weights }
    /// "static", the name in logs and study tables.
    public var name: String { "static" }
    /// Backpropagates Σ_t w_t L_t over the step's tasks and returns their w_t.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        checkPrecondition(weights.count == context.model.taskCount,
                          "StaticWeighting: \(weights.count) weights for \(context.model.taskCount) tasks")
        return backwardWeightedSum(losses: losses, weights: context.tasks.map { weights[$0] }, context: context)
    }
}
