import TensorCore

// Derivative rules of elementwise functions, each written with the forward value y where that is
// cheaper:  (eˣ)' = y,  (log x)' = 1/x,  (√x)' = 1/(2y),  (tanh x)' = 1 − y²,  σ'(x) = y(1 − y),
// relu'(x) = [x > 0],  |x|' = sign x,  (xᵖ)' = p·xᵖ⁻¹,  sin' = cos,  cos' = −sin.

extension Variable {
    /// `eˣ` elementwise.
    public func exp() -> Variable {
        let y = value.exp()
        return Variable(y, operation: "exp", parents: [self]) { upstream, _ in [upstream * y] }
    }

    /// Natural logarithm elementwise.
    public func log() -> Variable {
        let x = value
        return Variable(x.log(), operation: "log", parents: [self]) { upstream, _ in [upstream / x] }
    }

    /// Square root elementwise.
    public func squareRoot() -> Variable {
        let y = value.squareRoot()
        return Variable(y, operation: "squareRoot", parents: [self]) { upstream, _ in [upstream / (y * 2)] }
    }

    /// `x²` elementwise.
    public func squared() -> Variable {
        let x = value
        return Variable(x.squared(), operation: "squared", parents: [self]) { upstream, _ in [upstream * x * 2] }
    }

    /// `xᵖ` elementwise.
    public func pow(_ exponent: Float) -> Variable {
        let x = value
        return Variable(x.pow(exponent), operation: "pow", parents: [self]) { upstream, _ in
            [upstream * x.pow(exponent - 1) * exponent]
        }
    }

    /// `|x|` elementwise (subgradient 0 at 0).
    public func abs() -> Variable {
        let x = value
        return Variable(x.abs(), operation: "abs", parents: [self]) { upstream, _ in [upstream * x.sign()] }
    }

    /// Hyperbolic tangent elementwise.
    public func tanh() -> Variable {
        let y = value.tanh()
        return Variable(y, operation: "tanh", parents: [self]) { upstream, _ in [upstream * (1 - y.squared())] }
    }

    /// Logistic sigmoid elementwise.
    public func sigmoid() -> Variable {
        let y = value.sigmoid()
        return Variable(y, operation: "sigmoid", parents: [self]) { upstream, _ in [upstream * y * (1 - y)] }
    }

    /// Rectified linear unit elementwise (subgradient 0 at 0).
    public func relu() -> Variable {
        let x = value
        return Variable(x.relu(), operation: "relu", parents: [self]) { upstream, _ in
            [Tensor.reluGradient(upstream: upstream, input: x)]
        }
    }

    /// Leaky ReLU: `x` for `x > 0`, `slope · x` otherwise.
    public func leakyRelu(slope: Float = 0.01) -> Variable {
        let x = value
        return Variable(x.leakyRelu(slope: slope), operation: "leakyRelu", parents: [self]) { upstream, _ in
            let positive = x .> 0
            return [upstream * (positive + (1 - positive) * slope)]
        }
    }

    /// `sin x` elementwise.
    public func sin() -> Variable {
        let x = value
        return Variable(x.sin(), operation: "sin", parents: [self]) { upstream, _ in [upstream * x.cos()] }
    }

    /// `cos x` elementwise.
    public func cos() -> Variable {
        let x = value
        return Variable(x.cos(), operation: "cos", parents: [self]) { upstream, _ in [-(upstream * x.sin())] }
    }

    /// Each element clamped to `range`; the gradient is zero where the clamp was active.
    public func clamped(to range: ClosedRange<Float>) -> Variable {
        let x = value
        return Variable(x.clamped(to: range), operation: "clamped", parents: [self]) { upstream, _ in
            [upstream * (x .>= range.lowerBound) * (x .<= range.upperBound)]
        }
    }
}
