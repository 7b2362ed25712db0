import TensorCore
import Autodiff
import NeuralNetworks

/// Equal weighting (EW): the objective Σ_t L_t — weights 1, not 1/T, as LibMTL.
public final class EqualWeighting: LossBalancer {
    /// Equal weighting; it has no settings and no state.
    public init() {}
    /// "EW", the name in logs and study tables.
    public var name: String { "EW" }
    /// Backpropagates Σ_t L_t (plus any regularization term) and returns weight 1 for every task.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        backwardWeightedSum(losses: losses, weights: Array(repeating: 1, count: losses.count), context: context)
    }
}
