import TensorCore

// Derivative rules of elementwise arithmetic. With broadcasting, an input that was stretched is
// read several times, so its gradient is the upstream gradient summed back to its shape
// (`Tensor.summed(toShape:)`).
//
//   y = a + b   ∂y/∂a = 1,  ∂y/∂b = 1
//   y = a − b   ∂y/∂a = 1,  ∂y/∂b = −1
//   y = a · b   ∂y/∂a = b,  ∂y/∂b = a
//   y = a / b   ∂y/∂a = 1/b, ∂y/∂b = −a/b²

extension Variable {
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
        return Variable(lhs.value + rhs.value, operation: "add", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? upstream.summed(toShape: lhsShape) : nil,
             needed[1] ? upstream.summed(toShape: rhsShape) : nil]
        }
    }

    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
        return Variable(lhs.value - rhs.value, operation: "subtract", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? upstream.summed(toShape: lhsShape) : nil,
             needed[1] ? (-upstream).summed(toShape: rhsShape) : nil]
        }
    }

    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        return Variable(a * b, operation: "multiply", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? (upstream * b).summed(toShape: a.shape) : nil,
             needed[1] ? (upstream * a).summed(toShape: b.shape) : nil]
        }
    }

    public static func / (lhs: Variable, rhs: Variable) -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        return Variable(a / b, operation: "divide", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? (upstream / b).summed(toShape: a.shape) : nil,
             needed[1] ? (-(upstream * a) / (b * b)).summed(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (x: Variable) -> Variable {
        Variable(-x.value, operation: "negate", parents: [x]) { upstream, _ in [-upstream] }
    }

    // Constants on either side: the constant gets no gradient.
    public static func + (lhs: Variable, rhs: Tensor) -> Variable { lhs + Variable(rhs) }
    public static func - (lhs: Variable, rhs: Tensor) -> Variable { lhs - Variable(rhs) }
    public static func * (lhs: Variable, rhs: Tensor) -> Variable { lhs * Variable(rhs) }
    public static func / (lhs: Variable, rhs: Tensor) -> Variable { lhs / Variable(rhs) }
    public static func + (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) + rhs }
    public static func - (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) - rhs }
    public static func * (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) * rhs }
    public static func / (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) / rhs }

    public static func + (lhs: Variable, rhs: Float) -> Variable {
        Variable(lhs.value + rhs, operation: "addScalar", parents: [lhs]) { upstream, _ in [upstream] }
    }
    public static func - (lhs: Variable, rhs: Float) -> Variable { lhs + (-rhs) }
    public static func * (lhs: Variable, rhs: Float) -> Variable {
        Variable(lhs.value * rhs, operation: "multiplyScalar", parents: [lhs]) { upstream, _ in [upstream * rhs] }
    }
    public static func / (lhs: Variable, rhs: Float) -> Variable { lhs * (1 / rhs) }
    public static func + (lhs: Float, rhs: Variable) -> Variable { rhs + lhs }
    public static func - (lhs: Float, rhs: Variable) -> Variable { -rhs + lhs }
    public static func * (lhs: Float, rhs: Variable) -> Variable { rhs * lhs }
    public static func / (lhs: Float, rhs: Variable) -> Variable {
        let x = rhs.value
        return Variable(lhs / x, operation: "divideScalar", parents: [rhs]) { upstream, _ in
            [-(upstream * lhs) / (x * x)]
        }
    }

    /// Elementwise maximum. The gradient goes to `lhs` where `lhs ≥ rhs`, else to `rhs`
    /// (one subgradient at ties, so the two parts always add up to the upstream gradient).
    public static func maximum(_ lhs: Variable, _ rhs: Variable) -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        return Variable(Tensor.maximum(a, b), operation: "maximum", parents: [lhs, rhs]) { upstream, needed in
            let lhsWins = a .>= b
            return [needed[0] ? (upstream * lhsWins).summed(toShape: a.shape) : nil,
                    needed[1] ? (upstream * (1 - lhsWins)).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise minimum; the gradient goes to `lhs` where `lhs ≤ rhs`, else to `rhs`.
    public static func minimum(_ lhs: Variable, _ rhs: Variable) -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        return Variable(Tensor.minimum(a, b), operation: "minimum", parents: [lhs, rhs]) { upstream, needed in
            let lhsWins = a .<= b
            return [needed[0] ? (upstream * lhsWins).summed(toShape: a.shape) : nil,
                    needed[1] ? (upstream * (1 - lhsWins)).summed(toShape: b.shape) : nil]
        }
    }

    /// `whenTrue` where `condition` is nonzero, else `whenFalse` (broadcasting). The condition is a
    /// constant mask; each branch gets the upstream gradient where it was chosen.
    public static func `where`(_ condition: Tensor, _ whenTrue: Variable, _ whenFalse: Variable) -> Variable {
        let (trueShape, falseShape) = (whenTrue.shape, whenFalse.shape)
        let output = Tensor.where(condition, whenTrue.value, whenFalse.value)
        let mask = Tensor.where(condition, Tensor(1), Tensor(0)).broadcast(to: output.shape)
        return Variable(output, operation: "where", parents: [whenTrue, whenFalse]) { upstream, needed in
            [needed[0] ? (upstream * mask).summed(toShape: trueShape) : nil,
             needed[1] ? (upstream * (1 - mask)).summed(toShape: falseShape) : nil]
        }
    }
}
