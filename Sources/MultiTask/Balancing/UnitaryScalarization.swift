import TensorCore
import Autodiff
import NeuralNetworks

/// Unitary scalarization (Kurin et al., "In Defense of the Unitary Scalarization for Deep
/// Multi-Task Learning", NeurIPS 2022; Xin et al., "Do Current Multi-Task Optimization Methods in
/// Deep Learning Even Help?", NeurIPS 2022): the plain sum of the task losses with the ordinary
/// regularization of single-task training,
///
///     L = Σ_t L_t + (λ/2) Σ_W ‖W‖²
///
/// over the model's weight matrices and kernels (parameters of rank ≥ 2; biases and
/// normalization scales are not decayed). Add dropout in the model as usual. Those papers find
/// this strong baseline matches or beats most specialized multi-task optimizers once tuned.
public final class UnitaryScalarization: LossBalancer {
    /// λ, the coefficient of (λ/2) Σ_W ‖W‖² over weight matrices and kernels.
    public let weightDecay: Float

    /// - Parameter weightDecay: λ (0 gives equal weighting).
    public init(weightDecay: Float = 1e-4) {
        checkPrecondition(weightDecay >= 0, "UnitaryScalarization: weight decay \(weightDecay) must be ≥ 0")
        self.weightDecay = weightDecay
    }

    /// "unitary", the name in logs and study tables.
    public var name: String { "unitary" }

    /// Backpropagates Σ_t L_t + (λ/2) Σ_W ‖W‖² (plus any regularization term) and returns weight 1 per task.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        var total = losses[0]
        for loss in losses.dropFirst() { total = total + loss }
        if weightDecay > 0 {
            for parameter in context.model.parameters() where parameter.rank >= 2 && !parameter.isFrozen {
                total = total + parameter.squared().sum() * (weightDecay / 2)
            }
        }
        if let regularization = context.regularization { total = total + regularization }
        total.backward()
        return Array(repeating: 1, count: losses.count)
    }
}
