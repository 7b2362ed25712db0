// Reductions along one axis. A tensor reduced along axis k is viewed as [outer, n, inner]:
//   outer = product of the axes before k, n = the reduced axis, inner = product of those after.
// out[o, i] = ⊕ₐ x[o, a, i]. When inner > 1 the loop adds whole rows of `inner` scalars (SIMD);
// when inner == 1 (the last axis) it keeps 8 partial sums in a vector and folds them at the end.
// The order of additions depends only on the shape, never on threads.

/// Sum along the middle axis of `[outer, n, inner]` into `[outer, inner]` (reference loops).
public func sumAlongAxisNaive(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
                              into out: UnsafeMutablePointer<Float>) {
    for o in 0..<outer {
        for i in 0..<inner {
            var sum: Float = 0
            for a in 0..<n { sum += x[(o * n + a) * inner + i] }
            out[o * inner + i] = sum
        }
    }
}

/// Sum along the middle axis of `[outer, n, inner]` into `[outer, inner]` (vectorized).
public func sumAlongAxis(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int,
                         into out: UnsafeMutablePointer<Float>) {
    if inner == 1 {
        for o in 0..<outer { out[o] = sumContiguous(x + o * n, count: n) }
        return
    }
    for o in 0..<outer {
        let target = out + o * inner
        target.initialize(repeating: 0, count: inner)
        for a in 0..<n {
            binaryRun(AddKernel.self, UnsafePointer(target), 1, x + (o * n + a) * inner, 1, target, inner)
        }
    }
}

/// Σ of `count` contiguous scalars with eight vector lanes of partial sums (more accurate than one
/// running sum, and vectorized), folded in a fixed order.
func sumContiguous(_ x: UnsafePointer<Float>, count: Int) -> Float {
    var lanes = SIMD8<Float>()
    var i = 0
    let raw = UnsafeRawPointer(x)
    while i + 8 <= count {
        lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var total = lanes.sum()
    while i < count { total += x[i]; i += 1 }
    return total
}

/// Maximum (or minimum) along the middle axis of `[outer, n, inner]`, with the index of the first
/// extreme element; NaN wins (so it is never silently dropped).
func extremumAlongAxis(_ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, findMaximum: Bool,
                       values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>?) {
    for o in 0..<outer {
        for i in 0..<inner {
            var best = x[o * n * inner + i]
            var bestIndex = 0
            if !best.isNaN {
                for a in 1..<max(n, 1) {
                    let value = x[(o * n + a) * inner + i]
                    if value.isNaN { best = value; bestIndex = a; break }
                    if findMaximum ? value > best : value < best { best = value; bestIndex = a }
                }
            }
            values[o * inner + i] = best
            indices?[o * inner + i] = bestIndex
        }
    }
}
