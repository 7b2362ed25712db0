// Comparisons give 0/1 masks (Float), so a mask multiplies straight into arithmetic.

extension Tensor {
    /// 1 where `lhs > rhs`, else 0 (broadcasting).
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, "greater") { $0 > $1 } }
    /// 1 where `lhs < rhs`, else 0 (broadcasting).
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, "less") { $0 < $1 } }
    /// 1 where `lhs ≥ rhs`, else 0 (broadcasting).
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, "greaterOrEqual") { $0 >= $1 } }
    /// 1 where `lhs ≤ rhs`, else 0 (broadcasting).
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, "lessOrEqual") { $0 <= $1 } }
    /// 1 where `lhs == rhs`, else 0 (broadcasting).
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, "equal") { $0 == $1 } }
    /// 1 where `lhs != rhs`, else 0 (broadcasting).
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, "notEqual") { $0 != $1 } }

    public static func .> (lhs: Tensor, rhs: Float) -> Tensor { lhs .> Tensor(rhs) }
    public static func .< (lhs: Tensor, rhs: Float) -> Tensor { lhs .< Tensor(rhs) }
    public static func .>= (lhs: Tensor, rhs: Float) -> Tensor { lhs .>= Tensor(rhs) }
    public static func .<= (lhs: Tensor, rhs: Float) -> Tensor { lhs .<= Tensor(rhs) }
    public static func .== (lhs: Tensor, rhs: Float) -> Tensor { lhs .== Tensor(rhs) }

    private static func compare(_ lhs: Tensor, _ rhs: Tensor, _ operation: String,
                                _ predicate: (Float, Float) -> Bool) -> Tensor {
        let outputShape = broadcastShape(lhs.shape, rhs.shape, operation: operation)
        let a = lhs.broadcast(to: outputShape), b = rhs.broadcast(to: outputShape)
        return Tensor(shape: outputShape, scalars: Swift.zip(a.scalars, b.scalars).map { predicate($0, $1) ? 1 : 0 })
    }

    /// `whenTrue` where `condition` is nonzero, else `whenFalse` (all three broadcast together),
    /// as `numpy.where`.
    public static func `where`(_ condition: Tensor, _ whenTrue: Tensor, _ whenFalse: Tensor) -> Tensor {
        let outputShape = broadcastShape(broadcastShape(condition.shape, whenTrue.shape, operation: "where"),
                                         whenFalse.shape, operation: "where")
        let c = condition.broadcast(to: outputShape), t = whenTrue.broadcast(to: outputShape), f = whenFalse.broadcast(to: outputShape)
        return Tensor(shape: outputShape, scalars: (0..<c.count).map { c.scalars[$0] != 0 ? t.scalars[$0] : f.scalars[$0] })
    }

    /// Whether every scalar is finite (no NaN or ±∞).
    public var isFinite: Bool { scalars.allSatisfy(\.isFinite) }
}
