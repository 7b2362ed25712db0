// Shape manipulation. `reshaped` is free (storage is contiguous, only the shape changes); every
// other function here copies into a new contiguous tensor, and says so.

extension Tensor {
    /// The same scalars viewed with another shape (free: no copy). One dimension may be `-1`,
    /// inferred from the others.
    public func reshaped(to newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            checkPrecondition(newShape.filter { $0 == -1 }.count == 1, "reshaped(to:): more than one -1 in \(newShape)")
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            checkPrecondition(known > 0 && count % known == 0, "reshaped(to:): cannot reshape \(shape) to \(newShape)")
            newShape[inferred] = count / known
        }
        checkPrecondition(newShape.allSatisfy { $0 >= 0 } && newShape.reduce(1, *) == count,
                     "reshaped(to:): cannot reshape \(shape) (\(count) scalars) to \(newShape)")
        var result = self
        result.shape = newShape
        return result
    }

    /// Reshaped to one dimension (free).
    public func flattened() -> Tensor { reshaped(to: [count]) }

    /// A size-1 axis inserted at `axis` (free), like `unsqueeze`.
    public func expandingShape(at axis: Int) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        checkPrecondition(position >= 0 && position <= rank,
                          "expandingShape(at:): axis \(axis) out of range for shape \(shape)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(to: newShape)
    }

    /// Size-1 axes removed (all of them, or those listed) (free), like `squeeze`.
    public func squeezingShape(at axes: [Int]? = nil) -> Tensor {
        if let axes {
            let normalized = Set(axes.map { normalizedAxis($0, operation: "squeezingShape(at:)") })
            for axis in normalized {
                checkPrecondition(shape[axis] == 1, "squeezingShape(at:): axis \(axis) of shape \(shape) is not 1")
            }
            return reshaped(to: shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
        }
        return reshaped(to: shape.filter { $0 != 1 })
    }

    /// The axes reordered: axis `k` of the result is axis `axes[k]` of `self` (a copy).
    public func permuted(_ axes: [Int]) -> Tensor {
        checkPrecondition(axes.sorted() == Array(0..<rank),
                          "permuted: \(axes) is not a permutation of the axes of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        let ownStrides = Tensor.strides(of: shape)
        let outputShape = axes.map { shape[$0] }
        let iteration = BroadcastIteration(outputShape: outputShape,
                                           operandStrides: [Tensor.strides(of: outputShape),
                                                            axes.map { ownStrides[$0] }])
        let innerStride = iteration.strides[1].last!
        return Tensor(shape: outputShape) { out in
            guard out.count > 0 else { return }
            scalars.withUnsafeBufferPointer { input in
                iteration.forEachInnerRun { offsets, n in
                    let source = input.baseAddress! + offsets[1], target = out.baseAddress! + offsets[0]
                    for i in 0..<n { target[i] = source[i * innerStride] }
                }
            }
        }
    }

    /// The matrix transpose of a rank-2 tensor, or the last two axes swapped for higher ranks (a copy).
    public func transposed() -> Tensor {
        checkPrecondition(rank >= 2, "transposed: needs rank ≥ 2, got shape \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// The elements `range` along `axis` (a copy unless `axis` is the first).
    public func sliced(_ range: Range<Int>, alongAxis axis: Int = 0) -> Tensor {
        let axis = normalizedAxis(axis, operation: "sliced")
        checkPrecondition(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "sliced: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        newShape[axis] = range.count
        var result = [Float]()
        result.reserveCapacity(outer * range.count * inner)
        for o in 0..<outer {
            let start = (o * shape[axis] + range.lowerBound) * inner
            result.append(contentsOf: scalars[start..<(start + range.count * inner)])
        }
        return Tensor(shape: newShape, scalars: result)
    }

    /// Index `index` along `axis`, with that axis removed.
    public func selecting(_ index: Int, alongAxis axis: Int = 0) -> Tensor {
        let axis = normalizedAxis(axis, operation: "selecting")
        checkPrecondition(index >= 0 && index < shape[axis],
                          "selecting: index \(index) out of bounds for axis \(axis) of shape \(shape)")
        return sliced(index..<(index + 1), alongAxis: axis).squeezingShape(at: [axis])
    }

    /// Rows `indices` along `axis`, in that order (repeats allowed) — batching uses it.
    public func gathering(_ indices: [Int], alongAxis axis: Int = 0) -> Tensor {
        let axis = normalizedAxis(axis, operation: "gathering")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *), rows = shape[axis]
        if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
            checkPrecondition(false, "gathering: index \(bad) out of bounds for axis \(axis) of shape \(shape)")
        }
        var newShape = shape
        newShape[axis] = indices.count
        // A copy of rows: the outer blocks are dealt to workers (the cost model decides how many).
        return Tensor(shape: newShape) { destination in
            guard destination.count > 0 else { return }
            withUnsafeBufferPointer { source in
                let from = SendableConstPointer(source.baseAddress!), to = SendablePointer(destination.baseAddress!)
                let workers = Parallelism.workerCount(work: destination.count, of: .elementwise)
                Parallelism.forEachChunkRange(outer, maxThreads: workers) { blocks in
                    for o in blocks {
                        for (k, index) in indices.enumerated() {
                            (to.base + (o * indices.count + k) * inner)
                                .initialize(from: from.base + (o * rows + index) * inner, count: inner)
                        }
                    }
                }
            }
        }
    }

    /// The inverse placement of `gathering`: a tensor with `count` rows along `axis`, zero except
    /// row `indices[k]`, which holds row k of `self`. The indices must be distinct. (Used to run a
    /// layer on a subset of its output units and put the results back in place.)
    public func scattering(_ indices: [Int], into count: Int, alongAxis axis: Int = 0) -> Tensor {
        let axis = normalizedAxis(axis, operation: "scattering")
        checkPrecondition(indices.count == shape[axis],
                          "scattering: \(indices.count) indices for \(shape[axis]) rows along axis \(axis) of \(shape)")
        checkPrecondition(Set(indices).count == indices.count && indices.allSatisfy { $0 >= 0 && $0 < count },
                          "scattering: indices \(indices) must be distinct and in 0..<\(count)")
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        newShape[axis] = count
        // Zeros, then the rows in place: each outer block is one worker's (the cost model decides
        // how many).
        return Tensor(shape: newShape) { destination in
            guard destination.count > 0 else { return }
            withUnsafeBufferPointer { source in
                let from = SendableConstPointer(source.baseAddress!), to = SendablePointer(destination.baseAddress!)
                let workers = Parallelism.workerCount(work: destination.count, of: .elementwise)
                Parallelism.forEachChunkRange(outer, maxThreads: workers) { blocks in
                    for o in blocks {
                        let block = to.base + o * count * inner
                        block.initialize(repeating: 0, count: count * inner)
                        for (k, index) in indices.enumerated() {
                            (block + index * inner).update(from: from.base + (o * indices.count + k) * inner,
                                                           count: inner)
                        }
                    }
                }
            }
        }
    }

    /// The sub-tensor at `index` of the first axis (get and set).
    public subscript(_ index: Int) -> Tensor {
        get { selecting(index, alongAxis: 0) }
        set {
            checkPrecondition(rank >= 1 && index >= 0 && index < shape[0],
                              "subscript: index \(index) out of bounds for shape \(shape)")
            checkPrecondition(newValue.shape == Array(shape.dropFirst()),
                         "subscript set: value of shape \(newValue.shape) does not fit a row of shape \(shape)")
            let inner = newValue.count
            scalars.replaceSubrange((index * inner)..<((index + 1) * inner), with: newValue.scalars)
        }
    }

    /// Rows `range` of the first axis.
    public subscript(_ range: Range<Int>) -> Tensor {
        sliced(range, alongAxis: 0)
    }

    /// Tensors of equal shape except along `axis`, joined along it (a copy).
    public init(concatenating tensors: [Tensor], alongAxis axis: Int = 0) {
        checkPrecondition(!tensors.isEmpty, "concatenating: no tensors given")
        let first = tensors[0]
        let axis = first.normalizedAxis(axis, operation: "concatenating")
        for tensor in tensors {
            checkPrecondition(tensor.rank == first.rank
                              && (0..<first.rank).allSatisfy { $0 == axis || tensor.shape[$0] == first.shape[$0] },
                         "concatenating: shapes \(tensors.map(\.shape)) differ outside axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[(axis + 1)...].reduce(1, *)
        var newShape = first.shape
        newShape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        var result = [Float]()
        result.reserveCapacity(newShape.reduce(1, *))
        for o in 0..<outer {
            for tensor in tensors {
                let run = tensor.shape[axis] * inner
                result.append(contentsOf: tensor.scalars[(o * run)..<((o + 1) * run)])
            }
        }
        self.init(shape: newShape, scalars: result)
    }

    /// Tensors of one shape, stacked along a new axis (a copy).
    public init(stacking tensors: [Tensor], alongAxis axis: Int = 0) {
        checkPrecondition(!tensors.isEmpty, "stacking: no tensors given")
        checkPrecondition(tensors.allSatisfy { $0.shape == tensors[0].shape },
                          "stacking: shapes \(tensors.map(\.shape)) differ")
        self.init(concatenating: tensors.map { $0.expandingShape(at: axis) }, alongAxis: axis)
    }

    /// Pieces of the given sizes along `axis` (sizes must add up to the axis length).
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Tensor] {
        let axis = normalizedAxis(axis, operation: "split")
        checkPrecondition(sizes.reduce(0, +) == shape[axis] && sizes.allSatisfy { $0 >= 0 },
                     "split: sizes \(sizes) do not add up to \(shape[axis]) along axis \(axis) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(start..<(start + size), alongAxis: axis)
        }
    }

    /// `count` equal pieces along `axis`.
    public func split(count: Int, alongAxis axis: Int = 0) -> [Tensor] {
        let axis = normalizedAxis(axis, operation: "split")
        checkPrecondition(count > 0 && shape[axis] % count == 0,
                          "split: axis \(axis) of shape \(shape) does not divide into \(count) pieces")
        return split(sizes: Array(repeating: shape[axis] / count, count: count), alongAxis: axis)
    }

    /// Padded with `value`: `widths[k] = (before, after)` scalars added on each side of axis k (a copy).
    public func padded(with widths: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        checkPrecondition(widths.count == rank && widths.allSatisfy { $0.before >= 0 && $0.after >= 0 },
                     "padded: \(widths.count) non-negative widths needed for shape \(shape)")
        let newShape = (0..<rank).map { shape[$0] + widths[$0].before + widths[$0].after }
        var result = Tensor(repeating: value, shape: newShape)
        guard count > 0 else { return result }
        let newStrides = Tensor.strides(of: newShape)
        let base = (0..<rank).reduce(0) { $0 + widths[$1].before * newStrides[$1] }
        let iteration = BroadcastIteration(outputShape: shape, operandStrides: [Tensor.strides(of: shape), newStrides])
        result.scalars.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { input in
                iteration.forEachInnerRun { offsets, n in
                    let target = out.baseAddress! + base + offsets[1], source = input.baseAddress! + offsets[0]
                    let innerStride = iteration.strides[1].last!
                    for i in 0..<n { target[i * innerStride] = source[i] }
                }
            }
        }
        return result
    }
}
