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
    /// Elementwise sum with broadcasting, y = a + b. Backward: ∂y/∂a = ∂y/∂b = 1, so each input gets the
    /// upstream gradient summed back to its own shape.
    public static func + (lhs: Variable, rhs: Variable) -> Variable {
        let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
        return Variable(lhs.value + rhs.value, operation: "add", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? upstream.summed(toShape: lhsShape) : nil,
             needed[1] ? upstream.summed(toShape: rhsShape) : nil]
        }
    }

    /// Elementwise difference with broadcasting, y = a − b. Backward: ∂y/∂a = 1, ∂y/∂b = −1, each
    /// summed back to the input's shape.
    public static func - (lhs: Variable, rhs: Variable) -> Variable {
        let (lhsShape, rhsShape) = (lhs.shape, rhs.shape)
        return Variable(lhs.value - rhs.value, operation: "subtract", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? upstream.summed(toShape: lhsShape) : nil,
             needed[1] ? (-upstream).summed(toShape: rhsShape) : nil]
        }
    }

    /// Elementwise (Hadamard) product with broadcasting, y = a ⊙ b. Backward: ∂y/∂a = b, ∂y/∂b = a, each
    /// times the upstream gradient and summed back to the input's shape.
    public static func * (lhs: Variable, rhs: Variable) -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        return Variable(a * b, operation: "multiply", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? (upstream * b).summed(toShape: a.shape) : nil,
             needed[1] ? (upstream * a).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting, y = a / b. Backward: ∂y/∂a = 1/b, ∂y/∂b = −a/b², each
    /// times the upstream gradient and summed back to the input's shape.
    public static func / (lhs: Variable, rhs: Variable) -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        return Variable(a / b, operation: "divide", parents: [lhs, rhs]) { upstream, needed in
            [needed[0] ? (upstream / b).summed(toShape: a.shape) : nil,
             needed[1] ? (-(upstream * a) / (b * b)).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise negation, y = −x. Backward: ∂y/∂x = −1.
    public static prefix func - (x: Variable) -> Variable {
        Variable(-x.value, operation: "negate", parents: [x]) { upstream, _ in [-upstream] }
    }

    // Constants on either side: the constant gets no gradient.
    /// `lhs + rhs` with the constant `rhs` wrapped as a leaf; only `lhs` receives a gradient.
    public static func + (lhs: Variable, rhs: Tensor) -> Variable { lhs + Variable(rhs) }
    /// `lhs − rhs` with the constant `rhs` wrapped as a leaf; only `lhs` receives a gradient.
    public static func - (lhs: Variable, rhs: Tensor) -> Variable { lhs - Variable(rhs) }
    /// `lhs ⊙ rhs` with the constant `rhs` (e.g. a mask) wrapped as a leaf; only `lhs` receives a gradient.
    public static func * (lhs: Variable, rhs: Tensor) -> Variable { lhs * Variable(rhs) }
    /// `lhs / rhs` with the constant `rhs` wrapped as a leaf; only `lhs` receives a gradient.
    public static func / (lhs: Variable, rhs: Tensor) -> Variable { lhs / Variable(rhs) }
    /// `lhs + rhs` with the constant `lhs` wrapped as a leaf; only `rhs` receives a gradient.
    public static func + (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) + rhs }
    /// `lhs − rhs` with the constant `lhs` wrapped as a leaf; only `rhs` receives a gradient.
    public static func - (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) - rhs }
    /// `lhs ⊙ rhs` with the constant `lhs` (e.g. a mask) wrapped as a leaf; only `rhs` receives a gradient.
    public static func * (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) * rhs }
    /// `lhs / rhs` with the constant `lhs` wrapped as a leaf; only `rhs` receives a gradient.
    public static func / (lhs: Tensor, rhs: Variable) -> Variable { Variable(lhs) / rhs }

    /// Adds the scalar `rhs` to every element, y = x + c, as one graph node. Backward: ∂y/∂x = 1.
    public static func + (lhs: Variable, rhs: Float) -> Variable {
        Variable(lhs.value + rhs, operation: "addScalar", parents: [lhs]) { upstream, _ in [upstream] }
    }
    /// Subtracts the scalar `rhs` from every element, y = x − c (recorded as adding −c). Backward: ∂y/∂x = 1.
    public static func - (lhs: Variable, rhs: Float) -> Variable { lhs + (-rhs) }
    /// Scales every element by the scalar `rhs`, y = c·x, as one graph node. Backward: ∂y/∂x = c.
    public static func * (lhs: Variable, rhs: Float) -> Variable {
        Variable(lhs.value * rhs, operation: "multiplyScalar", parents: [lhs]) { upstream, _ in [upstream * rhs] }
    }
    /// Divides every element by the scalar `rhs`, y = x / c (recorded as times 1/c). Backward: ∂y/∂x = 1/c.
    public static func / (lhs: Variable, rhs: Float) -> Variable { lhs * (1 / rhs) }
    /// Adds every element to the scalar `lhs`, y = c + x. Backward: ∂y/∂x = 1.
    public static func + (lhs: Float, rhs: Variable) -> Variable { rhs + lhs }
    /// The scalar `lhs` minus every element, y = c − x (recorded as −x + c). Backward: ∂y/∂x = −1.
    public static func - (lhs: Float, rhs: Variable) -> Variable { -rhs + lhs }
    /// The scalar `lhs` times every element, y = c·x. Backward: ∂y/∂x = c.
    public static func * (lhs: Float, rhs: Variable) -> Variable { rhs * lhs }
    /// The scalar `lhs` divided by every element, y = c / x, as one graph node. Backward: ∂y/∂x = −c/x².
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
