import Foundation
import TensorCore
import Autodiff

/// `max(x, 0)`.
public final class ReLU: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable { input.relu() }
}

/// `x` for `x > 0`, `slope · x` otherwise (PyTorch default slope 0.01).
public final class LeakyReLU: Module {
    /// The slope applied to negative inputs, `LeakyReLU(x) = slope · x` for x ≤ 0.
    public let slope: Float
    /// A leaky ReLU with the given negative `slope` (0 gives the plain ReLU).
    public init(slope: Float = 0.01) { self.slope = slope }
    public override func callAsFunction(_ input: Variable) -> Variable { input.leakyRelu(slope: slope) }
}

/// The logistic sigmoid `1 / (1 + e⁻ˣ)`.
public final class Sigmoid: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable { input.sigmoid() }
}

/// The hyperbolic tangent.
public final class Tanh: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable { input.tanh() }
}

/// Softmax along an axis (default: the last).
public final class Softmax: Module {
    /// The axis the probabilities sum to 1 along; negative counts from the end (−1: the last, the classes).
    public let axis: Int
    /// A softmax `exp(xᵢ) / Σⱼ exp(xⱼ)` along `axis`.
    public init(axis: Int = -1) { self.axis = axis }
    public override func callAsFunction(_ input: Variable) -> Variable { input.softmax(alongAxis: axis) }
}

/// The Gaussian error linear unit (Hendrycks & Gimpel, 2016), exact form as PyTorch's default:
/// `GELU(x) = x·Φ(x) = ½x(1 + erf(x/√2))`, with derivative `Φ(x) + x·φ(x)`, φ the normal density.
public final class GELU: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable { input.gelu() }
}

extension Variable {
    /// The Gaussian error linear unit, `x·Φ(x)` (see `GELU`).
    public func gelu() -> Variable {
        let x = value
        let cdf = x.applying { 0.5 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }
        let density = x.applying { Foundation.exp(-0.5 * $0 * $0) / Float(2 * Double.pi).squareRoot() }
        return Variable(x * cdf, operation: "gelu", parents: [self]) { upstream, _ in
            [upstream * (cdf + x * density)]
        }
    }
}
