import TensorCore
import Autodiff

/// Mean squared error: `ℓ = (ŷ − y)²`.
///
/// The reduced forms are one graph node: `L = s · Σ (ŷ − y)²` with `s = 1/n` (mean) or 1 (sum), and
/// `∂L/∂ŷ = 2s · (ŷ − y)` — instead of four nodes (subtract, square, sum, scale) per loss.
public func meanSquaredError(prediction: Variable, target: Tensor, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "meanSquaredError")
    if reduction == .none { return (prediction - target).squared() }
    let difference = prediction.value - target
    let scale: Float = reduction == .mean ? 1 / Float(Swift.max(difference.count, 1)) : 1
    let value = (difference * difference).sum() * scale
    return Variable(value, operation: "meanSquaredError", parents: [prediction]) { upstream, _ in
        [difference * (2 * scale * upstream.scalar)]
    }
}

/// Absolute error (L1): `ℓ = |ŷ − y|` (mean by default: the "abs error" of depth estimation).
public func l1Loss(prediction: Variable, target: Tensor, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "l1Loss")
    return reduction.apply((prediction - target).abs())
}

/// Smooth L1 (Huber) loss with threshold β (PyTorch default 1):
/// `ℓ = ½d²/β` for `|d| < β`, else `|d| − ½β`, with `d = ŷ − y`.
public func smoothL1Loss(prediction: Variable, target: Tensor, beta: Float = 1, reduction: Reduction = .mean)
    -> Variable {
    checkSameShape(prediction, target, "smoothL1Loss")
    checkPrecondition(beta > 0, "smoothL1Loss: beta \(beta) must be positive")
    let difference = prediction - target
    let small = difference.value.abs() .< beta
    return reduction.apply(Variable.where(small, difference.squared() * (0.5 / beta), difference.abs() - 0.5 * beta))
}
