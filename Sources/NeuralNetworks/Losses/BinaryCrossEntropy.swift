import TensorCore
import Autodiff

/// Binary cross-entropy from logits, for multi-label tasks (each output an independent yes/no):
/// `ℓ = −[y log σ(z) + (1 − y) log(1 − σ(z))]`, computed stably as
/// `max(z, 0) − z·y + log(1 + e^{−|z|})` (no overflow for large |z|).
/// Shapes: logits and targets equal (targets in [0, 1]).
public func binaryCrossEntropy(logits: Variable, targets: Tensor, reduction: Reduction = .mean) -> Variable {
    checkSameShape(logits, targets, "binaryCrossEntropy")
    let losses = logits.relu() - logits * targets + ((-logits.abs()).exp() + 1).log()
    return reduction.apply(losses)
}
