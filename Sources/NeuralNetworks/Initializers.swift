import TensorCore

/// Weight initializers, with PyTorch's conventions.
///
/// Fan-in/fan-out of a weight: for a linear weight stored `[inputCount, outputCount]` (as MultiTaskKit
/// stores it, so that `x • W` needs no transpose), fanIn = inputCount, fanOut = outputCount; for a
/// convolution weight `[F, C, Kh, Kw]`, fanIn = C·Kh·Kw and fanOut = F·Kh·Kw.
public enum Initializer {
    /// All zeros.
    case zeros
    /// Uniform in `[low, high)`.
    case uniform(low: Float, high: Float)
    /// Normal with a standard deviation.
    case normal(standardDeviation: Float)
    /// Kaiming/He uniform (He et al., 2015): bound = gain·√(3 / fanIn), gain = √(2 / (1 + a²)).
    /// `a` is the negative slope of the following leaky ReLU (0 for ReLU).
    case kaimingUniform(negativeSlope: Float = 0)
    /// Kaiming/He normal: std = gain / √fanIn.
    case kaimingNormal(negativeSlope: Float = 0)
    /// Xavier/Glorot uniform (Glorot & Bengio, 2010): bound = gain·√(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Float = 1)
    /// Xavier/Glorot normal: std = gain·√(2 / (fanIn + fanOut)).
    case xavierNormal(gain: Float = 1)

    /// A tensor of `shape` drawn from this initializer, with the fans given.
    public func make(_ shape: [Int], fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) -> Tensor {
        let fanIn = Float(Swift.max(fanIn, 1)), fanOut = Float(Swift.max(fanOut, 1))
        switch self {
        case .zeros:
            return Tensor.zeros(shape)
        case .uniform(let low, let high):
            return Tensor.uniform(shape, low: low, high: high, using: &generator)
        case .normal(let standardDeviation):
            return Tensor.normal(shape, standardDeviation: standardDeviation, using: &generator)
        case .kaimingUniform(let slope):
            let bound = (2 / (1 + slope * slope)).squareRoot() * (3 / fanIn).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, using: &generator)
        case .kaimingNormal(let slope):
            return Tensor.normal(shape, standardDeviation: (2 / (1 + slope * slope)).squareRoot() / fanIn.squareRoot(),
                                 using: &generator)
        case .xavierUniform(let gain):
            let bound = gain * (6 / (fanIn + fanOut)).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, using: &generator)
        case .xavierNormal(let gain):
            return Tensor.normal(shape, standardDeviation: gain * (2 / (fanIn + fanOut)).squareRoot(),
                                 using: &generator)
        }
    }
}
