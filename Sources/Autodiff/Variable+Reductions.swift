import TensorCore

// Derivative rules of reductions. A sum sends its upstream gradient unchanged to every element it
// summed (a broadcast back to the input shape); a mean divides it by the count; a max or min sends
// it only to the element that won (the first one on ties).

extension Variable {
    /// The sum of all elements (a scalar).
    public func sum() -> Variable {
        let shape = self.shape
        return Variable(value.sum(), operation: "sum", parents: [self]) { upstream, _ in
            [upstream.broadcast(to: shape)]
        }
    }

    /// Sums along `axes`.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Variable {
        let shape = self.shape
        let kept = value.sum(alongAxes: axes, keepingDimensions: true).shape
        return Variable(value.sum(alongAxes: axes, keepingDimensions: keepingDimensions), operation: "sum",
                        parents: [self]) { upstream, _ in
            [upstream.reshaped(to: kept).broadcast(to: shape)]
        }
    }

    /// Sum along one axis.
    public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Variable {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The mean of all elements.
    public func mean() -> Variable { sum() / Float(Swift.max(value.count, 1)) }

    /// Means along `axes`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Variable {
        let count = axes.map { shape[$0 < 0 ? $0 + shape.count : $0] }.reduce(1, *)
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(count)
    }

    /// Mean along one axis.
    public func mean(alongAxis axis: Int, keepingDimensions: Bool = false) -> Variable {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Variance along `axes`, `Σ (x − mean)² / (n − correction)` (composed of differentiable ops).
    public func variance(alongAxes axes: [Int], keepingDimensions: Bool = false, correction: Int = 0) -> Variable {
        let count = axes.map { shape[$0 < 0 ? $0 + shape.count : $0] }.reduce(1, *)
        let centered = self - mean(alongAxes: axes, keepingDimensions: true)
        return centered.squared().sum(alongAxes: axes, keepingDimensions: keepingDimensions)
            / Float(Swift.max(count - correction, 1))
    }

    /// Maxima along one axis; the gradient goes to the (first) maximal element.
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> Variable {
        extremum(alongAxis: axis, keepingDimensions: keepingDimensions, maximum: true)
    }

    /// Minima along one axis; the gradient goes to the (first) minimal element.
    public func min(alongAxis axis: Int, keepingDimensions: Bool = false) -> Variable {
        extremum(alongAxis: axis, keepingDimensions: keepingDimensions, maximum: false)
    }

    /// The largest element.
    public func max() -> Variable { reshaped(to: [value.count]).max(alongAxis: 0) }
    /// The smallest element.
    public func min() -> Variable { reshaped(to: [value.count]).min(alongAxis: 0) }

    private func extremum(alongAxis axis: Int, keepingDimensions: Bool, maximum: Bool) -> Variable {
        let shape = self.shape
        let axis = value.normalizedAxis(axis, operation: maximum ? "max" : "min")
        let winners = maximum ? value.argmax(alongAxis: axis) : value.argmin(alongAxis: axis)
        let output = maximum ? value.max(alongAxis: axis, keepingDimensions: keepingDimensions)
                             : value.min(alongAxis: axis, keepingDimensions: keepingDimensions)
        let (outer, n, inner) = (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
        return Variable(output, operation: maximum ? "max" : "min", parents: [self]) { upstream, _ in
            // Scatter each upstream value to the position of its winner.
            var gradient = [Float](repeating: 0, count: outer * n * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    gradient[(o * n + winners[o * inner + i]) * inner + i] = upstream.scalars[o * inner + i]
                }
            }
            return [Tensor(shape: shape, scalars: gradient)]
        }
    }
}
