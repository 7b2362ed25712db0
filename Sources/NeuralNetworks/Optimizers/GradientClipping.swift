import TensorCore
import Autodiff

/// Scales the gradients of `parameters` so that their global L2 norm `√(Σ ‖g‖²)` is at most
/// `maxNorm` (`torch.nn.utils.clip_grad_norm_`). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    checkPrecondition(maxNorm > 0, "clipGradientNorm: max norm \(maxNorm) must be positive")
    var squares: Double = 0
    for parameter in parameters {
        guard let gradient = parameter.grad else { continue }
        for value in gradient.scalars { squares += Double(value) * Double(value) }
    }
    let norm = Float(squares.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for parameter in parameters where parameter.grad != nil { parameter.grad = parameter.grad! * scale }
    }
    return norm
}
