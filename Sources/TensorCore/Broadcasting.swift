// NumPy broadcasting.
//
// Two shapes are aligned at their last axis; walking leftwards, each pair of sizes must be equal or
// one of them 1 (a missing axis counts as 1). The result takes the larger size of every pair:
//   [4, 1, 3] and [2, 1]  →  [4, 2, 3]
// A size-1 axis is "stretched" by reading it with stride 0 — nothing is copied.

extension Tensor {
    /// The shape two operands broadcast to, or a precondition failure naming `operation` and both shapes.
    public static func broadcastShape(_ lhs: [Int], _ rhs: [Int], operation: String) -> [Int] {
        let rank = Swift.max(lhs.count, rhs.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let l = axis < rank - lhs.count ? 1 : lhs[axis - (rank - lhs.count)]
            let r = axis < rank - rhs.count ? 1 : rhs[axis - (rank - rhs.count)]
            checkPrecondition(l == r || l == 1 || r == 1,
                         "\(operation): shapes \(lhs) and \(rhs) are not broadcast-compatible (axis \(axis - rank): "
                         + "\(l) vs \(r))")
            result[axis] = l == 1 ? r : l
        }
        return result
    }

    /// Strides for reading a tensor of `shape` as if it had `outputShape`: 0 along stretched axes.
    static func broadcastStrides(of shape: [Int], to outputShape: [Int]) -> [Int] {
        let own = strides(of: shape)
        let offset = outputShape.count - shape.count
        return (0..<outputShape.count).map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
        }
    }

    /// This tensor stretched to `targetShape` and materialized (a copy).
    public func broadcast(to targetShape: [Int]) -> Tensor {
        let result = Tensor.broadcastShape(shape, targetShape, operation: "broadcast(to:)")
        checkPrecondition(result == targetShape, "broadcast(to:): shape \(shape) cannot be broadcast to \(targetShape)")
        if shape == targetShape { return self }
        return Tensor.map(self, to: targetShape, AssignKernel.self)
    }
}

/// A shape collapsed for iteration: adjacent axes merged wherever every operand can walk them as
/// one axis. `[32, 16, 32, 32] + [1, 16, 1, 1]` becomes `[32, 16, 1024]` with strides
/// `[0, 1, 0]` for the bias, so the innermost loop runs over 1024 scalars at a time.
struct BroadcastIteration {
    var shape: [Int]
    var strides: [[Int]]   // one stride list per operand

    init(outputShape: [Int], operandStrides: [[Int]]) {
        var shape: [Int] = []
        var strides = [[Int]](repeating: [], count: operandStrides.count)
        for axis in 0..<outputShape.count where outputShape[axis] != 1 {
            if let last = shape.indices.last,
               operandStrides.indices.allSatisfy({
                   operandStrides[$0][axis] * outputShape[axis] == strides[$0][last]
               }) {
                // Merge with the previous kept axis: walking both is one walk with the inner stride.
                shape[last] *= outputShape[axis]
                for operand in operandStrides.indices { strides[operand][last] = operandStrides[operand][axis] }
            } else {
                shape.append(outputShape[axis])
                for operand in operandStrides.indices { strides[operand].append(operandStrides[operand][axis]) }
            }
        }
        if shape.isEmpty { shape = [1]; strides = strides.map { _ in [0] } }
        self.shape = shape
        self.strides = strides
    }

    /// Calls `body(offsets, innerCount)` for every run along the innermost axis, where
    /// `offsets[k]` is the starting offset of operand k.
    func forEachInnerRun(_ body: ([Int], Int) -> Void) {
        let outerRank = shape.count - 1
        var index = [Int](repeating: 0, count: outerRank)
        var offsets = [Int](repeating: 0, count: strides.count)
        let outerCount = shape.dropLast().reduce(1, *)
        for _ in 0..<outerCount {
            body(offsets, shape[outerRank])
            // Odometer increment of the outer index, updating the offsets incrementally.
            var axis = outerRank - 1
            while axis >= 0 {
                index[axis] += 1
                for k in offsets.indices { offsets[k] += strides[k][axis] }
                if index[axis] < shape[axis] { break }
                for k in offsets.indices { offsets[k] -= strides[k][axis] * shape[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// Sums this tensor down to `targetShape`, undoing a broadcast: leading axes that the broadcast
    /// added are summed away, and axes where `targetShape` has 1 are summed with the dimension kept.
    /// This is the gradient rule of broadcasting — an input read k times gets the sum of k gradients.
    public func summed(toShape targetShape: [Int]) -> Tensor {
        if shape == targetShape { return self }
        let extra = rank - targetShape.count
        checkPrecondition(extra >= 0, "summed(toShape:): cannot reduce \(shape) to the larger rank of \(targetShape)")
        var axes = Array(0..<extra)
        for axis in 0..<targetShape.count where targetShape[axis] == 1 && shape[axis + extra] != 1 {
            axes.append(axis + extra)
        }
        for axis in 0..<targetShape.count {
            checkPrecondition(targetShape[axis] == 1 || targetShape[axis] == shape[axis + extra],
                              "summed(toShape:): \(shape) is not a broadcast of \(targetShape)")
        }
        let reduced = axes.isEmpty ? self : sum(alongAxes: axes, keepingDimensions: true)
        return reduced.reshaped(to: targetShape)
    }
}
