import TensorCore

// Derivative rules of shape operations: each moves scalars around without changing them, so the
// gradient is moved back the inverse way (reshape ↔ reshape, permute ↔ inverse permute,
// slice ↔ pad with zeros, concatenate ↔ split, broadcast ↔ sum).

extension Variable {
    /// The same scalars with another shape (one dimension may be −1).
    public func reshaped(to newShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.reshaped(to: newShape), operation: "reshape", parents: [self]) { upstream, _ in
            [upstream.reshaped(to: shape)]
        }
    }

    /// Reshaped to one dimension.
    public func flattened() -> Variable { reshaped(to: [value.count]) }

    /// A size-1 axis inserted at `axis`.
    public func expandingShape(at axis: Int) -> Variable {
        let shape = self.shape
        return Variable(value.expandingShape(at: axis), operation: "expandingShape", parents: [self]) { upstream, _ in
            [upstream.reshaped(to: shape)]
        }
    }

    /// Size-1 axes removed (all, or those listed).
    public func squeezingShape(at axes: [Int]? = nil) -> Variable {
        let shape = self.shape
        return Variable(value.squeezingShape(at: axes), operation: "squeezingShape", parents: [self]) { upstream, _ in
            [upstream.reshaped(to: shape)]
        }
    }

    /// The axes reordered: axis k of the result is axis `axes[k]` of `self`.
    public func permuted(_ axes: [Int]) -> Variable {
        var inverse = [Int](repeating: 0, count: axes.count)
        for (position, axis) in axes.enumerated() where axis >= 0 && axis < axes.count { inverse[axis] = position }
        return Variable(value.permuted(axes), operation: "permute", parents: [self]) { upstream, _ in
            [upstream.permuted(inverse)]
        }
    }

    /// The last two axes swapped.
    public func transposed() -> Variable {
        Variable(value.transposed(), operation: "transpose", parents: [self]) { upstream, _ in [upstream.transposed()] }
    }

    /// Stretched to `targetShape` by broadcasting.
    public func broadcast(to targetShape: [Int]) -> Variable {
        let shape = self.shape
        return Variable(value.broadcast(to: targetShape), operation: "broadcast", parents: [self]) { upstream, _ in
            [upstream.summed(toShape: shape)]
        }
    }

    /// The elements `range` along `axis`; the gradient is zero outside the slice.
    public func sliced(_ range: Range<Int>, alongAxis axis: Int = 0) -> Variable {
        let shape = self.shape
        let axis = value.normalizedAxis(axis, operation: "sliced")
        return Variable(value.sliced(range, alongAxis: axis), operation: "slice", parents: [self]) { upstream, _ in
            var widths = [(before: Int, after: Int)](repeating: (0, 0), count: shape.count)
            widths[axis] = (range.lowerBound, shape[axis] - range.upperBound)
            return [upstream.padded(with: widths)]
        }
    }

    /// Index `index` along `axis`, with that axis removed.
    public func selecting(_ index: Int, alongAxis axis: Int = 0) -> Variable {
        let axis = value.normalizedAxis(axis, operation: "selecting")
        return sliced(index..<(index + 1), alongAxis: axis).squeezingShape(at: [axis])
    }

    /// Rows `indices` along `axis` (repeats allowed); a repeated row gets the sum of its gradients.
    public func gathering(_ indices: [Int], alongAxis axis: Int = 0) -> Variable {
        let shape = self.shape
        let axis = value.normalizedAxis(axis, operation: "gathering")
        let distinct = Set(indices).count == indices.count
        return Variable(value.gathering(indices, alongAxis: axis), operation: "gather",
                        parents: [self]) { upstream, _ in
            // Distinct rows: the gradient is a placement (the common case: channel subsets).
            if distinct { return [upstream.scattering(indices, into: shape[axis], alongAxis: axis)] }
            let (outer, n, inner) = (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
            var gradient = [Float](repeating: 0, count: outer * n * inner)
            for o in 0..<outer {
                for (k, index) in indices.enumerated() {
                    for i in 0..<inner {
                        gradient[(o * n + index) * inner + i] += upstream.scalars[(o * indices.count + k) * inner + i]
                    }
                }
            }
            return [Tensor(shape: shape, scalars: gradient)]
        }
    }

    /// `count` rows along `axis`, zero except rows `indices` (distinct), which hold this
    /// variable's rows in order; the gradient is the upstream gradient gathered at `indices`.
    public func scattering(_ indices: [Int], into count: Int, alongAxis axis: Int = 0) -> Variable {
        let axis = value.normalizedAxis(axis, operation: "scattering")
        return Variable(value.scattering(indices, into: count, alongAxis: axis), operation: "scatter",
                        parents: [self]) { upstream, _ in
            [upstream.gathering(indices, alongAxis: axis)]
        }
    }

    /// Padded with `value` (a constant); the gradient of the padding is dropped.
    public func padded(with widths: [(before: Int, after: Int)], value padding: Float = 0) -> Variable {
        let shape = self.shape
        return Variable(value.padded(with: widths, value: padding), operation: "pad", parents: [self]) { upstream, _ in
            var gradient = upstream
            for axis in 0..<shape.count where widths[axis].before > 0 || widths[axis].after > 0 {
                gradient = gradient.sliced(widths[axis].before..<(widths[axis].before + shape[axis]), alongAxis: axis)
            }
            return [gradient]
        }
    }

    /// Variables joined along `axis`; each gets its slice of the gradient back.
    public static func concatenating(_ variables: [Variable], alongAxis axis: Int = 0) -> Variable {
        let value = Tensor(concatenating: variables.map(\.value), alongAxis: axis)
        let normalizedAxis = variables[0].value.normalizedAxis(axis, operation: "concatenating")
        let sizes = variables.map { $0.shape[normalizedAxis] }
        return Variable(value, operation: "concatenate", parents: variables) { upstream, _ in
            upstream.split(sizes: sizes, alongAxis: normalizedAxis)
        }
    }

    /// Variables of one shape stacked along a new axis.
    public static func stacking(_ variables: [Variable], alongAxis axis: Int = 0) -> Variable {
        concatenating(variables.map { $0.expandingShape(at: axis) }, alongAxis: axis)
    }

    /// Pieces of the given sizes along `axis`.
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Variable] {
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(start..<(start + size), alongAxis: axis)
        }
    }
}
