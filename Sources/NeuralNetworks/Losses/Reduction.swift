import TensorCore
import Autodiff

/// How a loss turns its per-element values into its result (PyTorch's `reduction`).
public enum Reduction: Sendable {
    /// Per-element losses, unreduced.
    case none
    /// The mean over elements (for weighted losses: the weighted mean).
    case mean
    /// The sum over elements.
    case sum

    func apply(_ losses: Variable) -> Variable {
        switch self {
        case .none: return losses
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        }
    }
}

func checkSameShape(_ prediction: Variable, _ target: Tensor, _ loss: String) {
    checkPrecondition(prediction.shape == target.shape,
                      "\(loss): prediction \(prediction.shape) and target \(target.shape) differ")
}
