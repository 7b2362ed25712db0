import TensorCore
import Autodiff
import NeuralNetworks

/// Equal weighting (EW): the objective Σ_t L_t — weights 1, not 1/T, as LibMTL.
public final class EqualWeighting: LossBalancer {
    public init() {}
    public var name: String { "EW" }
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        backwardWeightedSum(losses: losses, weights: Array(repeating: 1, count: losses.count), context: context)
    }
}
