import TensorCore

// Derivative rules of softmax and friends, along an axis (s = softmax(x), g = upstream):
//   softmax:     ∂L/∂x = s ⊙ (g − Σ(g ⊙ s))
//   log-softmax: ∂L/∂x = g − s · Σ g
//   logSumExp:   ∂L/∂x = g · s

extension Variable {
    /// Softmax along `axis` (numerically stable).
    public func softmax(alongAxis axis: Int = -1) -> Variable {
        let s = value.softmax(alongAxis: axis)
        return Variable(s, operation: "softmax", parents: [self]) { upstream, _ in
            [s * (upstream - (upstream * s).sum(alongAxis: axis, keepingDimensions: true))]
        }
    }

    /// Log-softmax along `axis` (numerically stable).
    public func logSoftmax(alongAxis axis: Int = -1) -> Variable {
        let y = value.logSoftmax(alongAxis: axis)
        return Variable(y, operation: "logSoftmax", parents: [self]) { upstream, _ in
            [upstream - y.exp() * upstream.sum(alongAxis: axis, keepingDimensions: true)]
        }
    }

    /// `log Σ eˣ` along `axis` (numerically stable).
    public func logSumExp(alongAxis axis: Int = -1, keepingDimensions: Bool = false) -> Variable {
        let s = value.softmax(alongAxis: axis)
        let kept = value.logSumExp(alongAxis: axis, keepingDimensions: true).shape
        return Variable(value.logSumExp(alongAxis: axis, keepingDimensions: keepingDimensions), operation: "logSumExp",
                        parents: [self]) { upstream, _ in
            [upstream.reshaped(to: kept) * s]
        }
    }
}
