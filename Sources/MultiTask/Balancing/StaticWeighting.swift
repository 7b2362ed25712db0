import TensorCore
import Autodiff
import NeuralNetworks

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
