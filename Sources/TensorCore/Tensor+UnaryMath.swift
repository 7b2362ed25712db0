import Foundation

// Elementwise functions of one tensor. Each is a `UnaryKernel` (Kernels/Elementwise.swift);
// those with a cheap vector form give it, the transcendental ones run lane by lane.

extension Tensor {
    /// `eˣ` elementwise.
    public func exp() -> Tensor { Tensor.map(self, ExpKernel.self) }
    /// Natural logarithm elementwise (`-inf` at 0, NaN below).
    public func log() -> Tensor { Tensor.map(self, LogKernel.self) }
    /// Square root elementwise.
    public func squareRoot() -> Tensor { Tensor.map(self, SquareRootKernel.self) }
    /// `x²` elementwise.
    public func squared() -> Tensor { Tensor.map(self, SquareKernel.self) }
    /// `|x|` elementwise.
    public func abs() -> Tensor { Tensor.map(self, AbsoluteKernel.self) }
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { Tensor.map(self, TanhKernel.self) }
    /// Logistic sigmoid `σ(x) = 1 / (1 + e⁻ˣ)`, computed without overflow for large |x|.
    public func sigmoid() -> Tensor { Tensor.map(self, SigmoidKernel.self) }
    /// Rectified linear unit `max(x, 0)` elementwise.
    public func relu() -> Tensor { Tensor.map(self, ReLUKernel.self) }
    /// `sin x` elementwise.
    public func sin() -> Tensor { Tensor.map(self, SineKernel.self) }
    /// `cos x` elementwise.
    public func cos() -> Tensor { Tensor.map(self, CosineKernel.self) }
    /// The sign elementwise: −1, 0 or 1.
    public func sign() -> Tensor { Tensor.map(self, SignKernel.self) }
    /// `xᵖ` elementwise (Foundation's `powf`).
    public func pow(_ exponent: Float) -> Tensor { applying { Foundation.pow($0, exponent) } }
    /// Each scalar clamped to `range`.
    public func clamped(to range: ClosedRange<Float>) -> Tensor {
        Tensor.minimum(Tensor.maximum(self, Tensor(range.lowerBound)), Tensor(range.upperBound))
    }
    /// Leaky ReLU: `x` for `x > 0`, `slope · x` otherwise.
    public func leakyRelu(slope: Float = 0.01) -> Tensor { applying { $0 > 0 ? $0 : slope * $0 } }

    /// The gradient of `relu` in one pass: `upstream` where `input > 0`, else 0.
    public static func reluGradient(upstream: Tensor, input: Tensor) -> Tensor {
        checkPrecondition(upstream.shape == input.shape,
                          "reluGradient: upstream \(upstream.shape) and input \(input.shape) differ")
        return zip(upstream, input, PassWherePositiveKernel.self, operation: "reluGradient")
    }

    /// Applies an arbitrary scalar function elementwise (a readable fallback; the named functions
    /// above are vectorized where it pays).
    public func applying(_ function: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, scalars: scalars.map(function))
    }
}

struct ExpKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.exp(x) } }
struct LogKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.log(x) } }
struct TanhKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.tanh(x) } }
struct SineKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.sin(x) } }
struct CosineKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.cos(x) } }
struct SignKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? x : 0)) }
}
struct SigmoidKernel: UnaryKernel {
    // For x < 0, eˣ/(1+eˣ) avoids e⁻ˣ overflowing to inf.
    @inline(__always) static func apply(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}
struct SquareRootKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x.squareRoot() }
}
struct SquareKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { x * x }
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x * x }
}
struct AbsoluteKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { Swift.abs(x) }
}
struct ReLUKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x.replacing(with: 0, where: .!(x .> 0))
    }
}

/// `a` where `b > 0`, else 0 (the ReLU gradient).
struct PassWherePositiveKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { b > 0 ? a : 0 }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: 0, where: .!(b .> 0))
    }
}
