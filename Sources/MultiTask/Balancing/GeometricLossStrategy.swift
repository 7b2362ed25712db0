import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Geometric Loss Strategy (Chennupati et al., "MultiNet++: Multi-Stream Feature Aggregation and
/// Geometric Loss Strategy for Multi-Task Learning", CVPR Workshops 2019):
///
///     L = (Π_t L_t)^{1/T} = exp((1/T) Σ_t log L_t)
///
/// The geometric mean is invariant to rescaling one task's loss (only its relative change
/// matters), so tasks with large loss scales do not dominate. Its implicit weights are
/// ∂L/∂L_t = L / (T · L_t), which is what `backward` returns. Losses must be positive.
public final class GeometricLossStrategy: LossBalancer {
    /// The geometric loss strategy; it has no settings and no state.
    public init() {}

    /// "GLS", the name in logs and study tables.
    public var name: String { "GLS" }

    /// Backpropagates exp((1/T) Σ_t log L_t) and returns the implicit weights L / (T · L_t).
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        var logSum = losses[0].log()
        for loss in losses.dropFirst() { logSum = logSum + loss.log() }
        var total = (logSum / Float(losses.count)).exp()
        let value = total.value.scalar
        if let regularization = context.regularization { total = total + regularization }
        total.backward()
        return losses.map { value / (Float(losses.count) * $0.value.scalar) }
    }
}
