import TensorCore
import Autodiff

/// Flattens every axis after the first: `[N, d₁, d₂, …] → [N, d₁·d₂·…]`.
public final class Flatten: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable {
        input.reshaped(to: [input.shape[0], -1])
    }
}

/// Spatial upsampling of `[N, C, H, W]` by an integer factor, for dense (per-pixel) outputs.
///
/// - `.nearest`: every pixel repeated `factor × factor` times (a broadcast, so its gradient sums the
///   copies).
/// - `.bilinear`: linear interpolation in each direction with PyTorch's `align_corners=False`
///   convention — output pixel o samples the input at `(o + ½)/factor − ½`, clamped to the edges.
///   Written as `A_H · x · A_Wᵀ` with two small interpolation matrices, so its gradient is two
///   matrix products.
public final class Upsample: Module {
    /// How new pixels get their values: `.nearest` copies the nearest input pixel, `.bilinear` interpolates.
    public enum Mode: Sendable { case nearest, bilinear }
    /// The integer factor by which height and width grow: `[N, C, H, W] → [N, C, H·s, W·s]`.
    public let scaleFactor: Int
    /// Nearest-neighbour or bilinear interpolation.
    public let mode: Mode

    /// Upsampling by `scaleFactor` (at least 1; 1 is the identity) with `mode`.
    public init(scaleFactor: Int, mode: Mode = .nearest) {
        checkPrecondition(scaleFactor >= 1, "Upsample: scale factor \(scaleFactor) must be at least 1")
        self.scaleFactor = scaleFactor
        self.mode = mode
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        checkPrecondition(input.shape.count == 4, "Upsample: input must be [N, C, H, W], got \(input.shape)")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let s = scaleFactor
        switch mode {
        case .nearest:
            return input.reshaped(to: [n, c, h, 1, w, 1]).broadcast(to: [n, c, h, s, w, s]).reshaped(to: [n, c, h * s,
                                                                                                          w * s])
        case .bilinear:
            let rows = Upsample.interpolationMatrix(inputSize: h, factor: s)          // [H·s, H]
            let columns = Upsample.interpolationMatrix(inputSize: w, factor: s)       // [W·s, W]
            let planes = input.reshaped(to: [n * c, h, w])
            let vertical = Variable.matmul(Variable(rows), planes)                     // [NC, H·s, W]
            let both = Variable.matmul(vertical, Variable(columns), transposingRHS: true) // [NC, H·s, W·s]
            return both.reshaped(to: [n, c, h * s, w * s])
        }
    }

    /// Row o holds the weights of the input samples interpolated for output o.
    static func interpolationMatrix(inputSize: Int, factor: Int) -> Tensor {
        var matrix = Tensor.zeros([inputSize * factor, inputSize])
        for o in 0..<(inputSize * factor) {
            let source = Swift.max(0, (Float(o) + 0.5) / Float(factor) - 0.5)
            let lower = Swift.min(Int(source), inputSize - 1)
            let upper = Swift.min(lower + 1, inputSize - 1)
            let fraction = source - Float(lower)
            matrix[flat: o * inputSize + lower] += 1 - fraction
            matrix[flat: o * inputSize + upper] += fraction
        }
        return matrix
    }

    public override var summary: String { "Upsample(×\(scaleFactor), \(mode))" }
}
