// Reductions: sum, mean, max, min, argmax, variance — over all scalars or along axes, with
// `keepingDimensions` to keep the reduced axes as size 1 (so the result broadcasts against the input).

extension Tensor {
    /// `[outer, n, inner]` sizes for a reduction along `axis`.
    func reductionSizes(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    func reducedShape(_ axes: Set<Int>, keepingDimensions: Bool) -> [Int] {
        keepingDimensions ? shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
                          : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    func normalizedAxes(_ axes: [Int], operation: String) -> Set<Int> {
        let normalized = axes.map { normalizedAxis($0, operation: operation) }
        checkPrecondition(Set(normalized).count == normalized.count,
                          "\(operation): repeated axis in \(axes) for shape \(shape)")
        return Set(normalized)
    }

    /// Sum along one axis, keeping it as size 1.
    private func sumKeeping(axis: Int) -> Tensor {
        let (outer, n, inner) = reductionSizes(axis)
        var newShape = shape
        newShape[axis] = 1
        return Tensor(shape: newShape) { out in
            scalars.withUnsafeBufferPointer { x in
                if out.count > 0 {
                    sumAlongAxis(x.baseAddress!, outer: outer, n: n, inner: inner, into: out.baseAddress!)
                }
            }
        }
    }

    /// The sum of all scalars (a rank-0 tensor).
    public func sum() -> Tensor {
        Tensor(scalars.withUnsafeBufferPointer { sumContiguous($0.baseAddress!, count: count) })
    }

    /// Sums along `axes` (negative axes count from the end).
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes, operation: "sum")
        var result = self
        for axis in axes.sorted() { result = result.sumKeeping(axis: axis) }
        return result.reshaped(to: reducedShape(axes, keepingDimensions: keepingDimensions))
    }

    /// Sum along one axis.
    public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The mean of all scalars.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// Means along `axes`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let set = normalizedAxes(axes, operation: "mean")
        let n = set.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(n)
    }

    /// Mean along one axis.
    public func mean(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Variance along `axes`: `Σ (x − mean)² / (n − correction)`. The default `correction: 0` is the
    /// population variance (NumPy's default, and what batch normalization uses); pass 1 for the
    /// unbiased estimate (PyTorch's `var` default).
    public func variance(alongAxes axes: [Int], keepingDimensions: Bool = false, correction: Int = 0) -> Tensor {
        let set = normalizedAxes(axes, operation: "variance")
        let n = set.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(alongAxes: axes, keepingDimensions: true)
        return centered.squared().sum(alongAxes: axes, keepingDimensions: keepingDimensions)
            / Float(Swift.max(n - correction, 1))
    }

    /// Variance of all scalars (see `variance(alongAxes:)`).
    public func variance(correction: Int = 0) -> Tensor {
        variance(alongAxes: Array(0..<rank), correction: correction)
    }

    private func extremum(alongAxis axis: Int, keepingDimensions: Bool, findMaximum: Bool)
        -> (values: Tensor, indices: [Int]) {
        let axis = normalizedAxis(axis, operation: findMaximum ? "max" : "min")
        checkPrecondition(shape[axis] > 0, "\(findMaximum ? "max" : "min"): axis \(axis) of shape \(shape) is empty")
        let (outer, n, inner) = reductionSizes(axis)
        var indices = [Int](repeating: 0, count: outer * inner)
        let values = Tensor(shape: reducedShape([axis], keepingDimensions: keepingDimensions)) { out in
            scalars.withUnsafeBufferPointer { x in
                indices.withUnsafeMutableBufferPointer { idx in
                    extremumAlongAxis(x.baseAddress!, outer: outer, n: n, inner: inner, findMaximum: findMaximum,
                                      values: out.baseAddress!, indices: idx.baseAddress!)
                }
            }
        }
        return (values, indices)
    }

    /// Maxima along one axis.
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        extremum(alongAxis: axis, keepingDimensions: keepingDimensions, findMaximum: true).values
    }
    /// Minima along one axis.
    public func min(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        extremum(alongAxis: axis, keepingDimensions: keepingDimensions, findMaximum: false).values
    }
    /// The largest scalar (NaN if any scalar is NaN).
    public func max() -> Tensor { flattened().max(alongAxis: 0) }
    /// The smallest scalar (NaN if any scalar is NaN).
    public func min() -> Tensor { flattened().min(alongAxis: 0) }

    /// Index of the first maximum along `axis`, as an array in the reduced shape's row-major order.
    public func argmax(alongAxis axis: Int) -> [Int] {
        extremum(alongAxis: axis, keepingDimensions: false, findMaximum: true).indices
    }
    /// Index of the first minimum along `axis`.
    public func argmin(alongAxis axis: Int) -> [Int] {
        extremum(alongAxis: axis, keepingDimensions: false, findMaximum: false).indices
    }
    /// Flat index of the first maximum.
    public func argmax() -> Int { flattened().argmax(alongAxis: 0)[0] }
}
