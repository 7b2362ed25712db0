// Comparisons give 0/1 masks (Float), so a mask multiplies straight into arithmetic.

extension Tensor {
    /// 1 where `lhs > rhs`, else 0 (broadcasting).
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor {
        zip(lhs, rhs, GreaterKernel.self, operation: "greater")
    }
    /// 1 where `lhs < rhs`, else 0 (broadcasting).
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { zip(rhs, lhs, GreaterKernel.self, operation: "less") }
    /// 1 where `lhs ≥ rhs`, else 0 (broadcasting).
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor {
        zip(lhs, rhs, GreaterOrEqualKernel.self, operation: "greaterOrEqual")
    }
    /// 1 where `lhs ≤ rhs`, else 0 (broadcasting).
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor {
        zip(rhs, lhs, GreaterOrEqualKernel.self, operation: "lessOrEqual")
    }
    /// 1 where `lhs == rhs`, else 0 (broadcasting).
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { zip(lhs, rhs, EqualKernel.self, operation: "equal") }
    /// 1 where `lhs != rhs`, else 0 (broadcasting).
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { 1 - (lhs .== rhs) }

    /// 1 where an element of `lhs` is greater than the scalar `rhs`, else 0; shape of `lhs`.
    public static func .> (lhs: Tensor, rhs: Float) -> Tensor { lhs .> Tensor(rhs) }
    /// 1 where an element of `lhs` is less than the scalar `rhs`, else 0; shape of `lhs`.
    public static func .< (lhs: Tensor, rhs: Float) -> Tensor { lhs .< Tensor(rhs) }
    /// 1 where an element of `lhs` is at least the scalar `rhs`, else 0; shape of `lhs`.
    public static func .>= (lhs: Tensor, rhs: Float) -> Tensor { lhs .>= Tensor(rhs) }
    /// 1 where an element of `lhs` is at most the scalar `rhs`, else 0; shape of `lhs`.
    public static func .<= (lhs: Tensor, rhs: Float) -> Tensor { lhs .<= Tensor(rhs) }
    /// 1 where an element of `lhs` equals the scalar `rhs` exactly, else 0; shape of `lhs` (e.g. a label match mask).
    public static func .== (lhs: Tensor, rhs: Float) -> Tensor { lhs .== Tensor(rhs) }

    /// `whenTrue` where `condition` is nonzero, else `whenFalse` (all three broadcast together),
    /// as `numpy.where`.
    public static func `where`(_ condition: Tensor, _ whenTrue: Tensor, _ whenFalse: Tensor) -> Tensor {
        let outputShape = broadcastShape(broadcastShape(condition.shape, whenTrue.shape, operation: "where"),
                                         whenFalse.shape, operation: "where")
        let c = condition.broadcast(to: outputShape), t = whenTrue.broadcast(to: outputShape),
            f = whenFalse.broadcast(to: outputShape)
        return Tensor(shape: outputShape,
                      scalars: (0..<c.count).map { c.scalars[$0] != 0 ? t.scalars[$0] : f.scalars[$0] })
    }

    /// Whether every scalar is finite (no NaN or ±∞).
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}

// Comparison kernels: a vector compare gives a lane mask, turned into 1.0 / 0.0.
struct GreaterKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: 1, where: a .> b)
    }
}
struct GreaterOrEqualKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: 1, where: a .>= b)
    }
}
struct EqualKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>().replacing(with: 1, where: a .== b)
    }
}
