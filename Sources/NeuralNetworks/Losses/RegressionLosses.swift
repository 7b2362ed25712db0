import TensorCore
import Autodiff

/// Mean squared error: `ℓ = (ŷ − y)²`.
public func meanSquaredError(prediction: Variable, target: Tensor, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "meanSquaredError")
    return reduction.apply((prediction - target).squared())
}

/// Absolute error (L1): `ℓ = |ŷ − y|` (mean by default: the "abs error" of depth estimation).
public func l1Loss(prediction: Variable, target: Tensor, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "l1Loss")
    return reduction.apply((prediction - target).abs())
}

/// Smooth L1 (Huber) loss with threshold β (PyTorch default 1):
/// `ℓ = ½d²/β` for `|d| < β`, else `|d| − ½β`, with `d = ŷ − y`.
public func smoothL1Loss(prediction: Variable, target: Tensor, beta: Float = 1, reduction: Reduction = .mean) -> Variable {
    checkSameShape(prediction, target, "smoothL1Loss")
    checkPrecondition(beta > 0, "smoothL1Loss: beta \(beta) must be positive")
    let difference = prediction - target
    let small = difference.value.abs() .< beta
    return reduction.apply(Variable.where(small, difference.squared() * (0.5 / beta), difference.abs() - 0.5 * beta))
}
