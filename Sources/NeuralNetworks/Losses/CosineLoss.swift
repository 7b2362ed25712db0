import TensorCore
import Autodiff

/// Cosine loss for direction fields such as surface normals: `ℓ = 1 − cos(ŷ, y)` per position,
/// with the cosine taken along `axis` (the vector components, axis 1 of `[N, 3, H, W]`), as
/// PyTorch's `F.cosine_similarity` computes it:
///
///     cos(ŷ, y) = Σ ŷ·y / (max(‖ŷ‖, ε) · max(‖y‖, ε)),   ε = 1e-8.
///
/// Each norm is clamped as max(‖v‖, ε) = √max(Σ v², ε²): clamping the sum of squares *before*
/// the square root matters for the gradient. At ŷ = 0, √'s derivative 1/(2√s) is infinite, and
/// the chain rule would multiply it by ∂s/∂ŷ = 2ŷ = 0, giving 0·∞ = NaN; the clamp's zero gradient
/// stops the flow before the square root instead, so the gradient there is the finite
/// −y / (ε · max(‖y‖, ε)) (scaled by the reduction), as in PyTorch.
public func cosineLoss(prediction: Variable, target: Tensor, axis: Int = 1, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "cosineLoss")
    let epsilon: Float = 1e-8
    let squaredFloor = (epsilon * epsilon)...Float.greatestFiniteMagnitude
    let dot = (prediction * target).sum(alongAxis: axis)
    let predictionNorm = prediction.squared().sum(alongAxis: axis).clamped(to: squaredFloor).squareRoot()
    let targetNorm = target.squared().sum(alongAxis: axis).clamped(to: squaredFloor).squareRoot()
    return reduction.apply(1 - dot / (predictionNorm * targetNorm))
}
