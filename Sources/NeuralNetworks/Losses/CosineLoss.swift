import TensorCore
import Autodiff

/// Cosine loss for direction fields such as surface normals: `ℓ = 1 − cos(ŷ, y)` per position,
/// with the cosine taken along `axis` (the vector components, axis 1 of `[N, 3, H, W]`):
/// `cos = Σ ŷ·y / (‖ŷ‖·‖y‖ + ε)`, ε = 1e-8.
public func cosineLoss(prediction: Variable, target: Tensor, axis: Int = 1, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "cosineLoss")
    let dot = (prediction * target).sum(alongAxis: axis)
    let predictionNorm = prediction.squared().sum(alongAxis: axis).squareRoot()
    let targetNorm = target.squared().sum(alongAxis: axis).squareRoot()
    return reduction.apply(1 - dot / (predictionNorm * targetNorm + 1e-8))
}
