// Elementwise kernels: one loop over contiguous runs, `SIMD8<Float>` in the body, scalars for
// the tail. An operation is a small type conforming to `BinaryKernel` / `UnaryKernel`; the generic
// loops below are specialized for each one inside this module (never called unspecialized across
// modules: a generic call that is not specialized is slower by orders of magnitude).
//
// Legend: n scalars per run; stride 1 = walk the operand, stride 0 = repeat one scalar (broadcast).

#if compiler(>=6.2)
/// What every kernel type is: its metatype travels into the workers' closures (`binaryRunInParallel`).
protocol KernelMetatype: SendableMetatype {}
#else
/// What every kernel type is (before Swift 6.2, metatypes needed no `SendableMetatype`).
protocol KernelMetatype {}
#endif

/// An elementwise operation of two scalars, with a vector form for the SIMD loop.
protocol BinaryKernel: KernelMetatype {
    static func apply(_ a: Float, _ b: Float) -> Float
    static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
}

/// An elementwise operation of one scalar, with a vector form for the SIMD loop.
protocol UnaryKernel: KernelMetatype {
    static func apply(_ x: Float) -> Float
    static func apply(_ x: SIMD8<Float>) -> SIMD8<Float>
}

extension UnaryKernel {
    /// Lane-by-lane default for functions without a vector form (exp, log, tanh, …).
    @inline(__always)
    static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for lane in 0..<8 { result[lane] = apply(x[lane]) }
        return result
    }
}

/// `out[i] = K(a[i·aStride], b[i·bStride])` for `i in 0..<n`, strides 0 or 1.
@inline(__always)
func binaryRun<K: BinaryKernel>(_ kernel: K.Type, _ a: UnsafePointer<Float>, _ aStride: Int,
                                _ b: UnsafePointer<Float>, _ bStride: Int,
                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b), rawOut = UnsafeMutableRawPointer(out)
    switch (aStride, bStride) {
    case (1, 1):
        while i + 8 <= n {
            let v = K.apply(rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                            rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            rawOut.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
    case (1, 0):
        let vb = SIMD8<Float>(repeating: b[0])
        while i + 8 <= n {
            let v = K.apply(rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self), vb)
            rawOut.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
    case (0, 1):
        let va = SIMD8<Float>(repeating: a[0])
        while i + 8 <= n {
            let v = K.apply(va, rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            rawOut.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
    default:
        break
    }
    while i < n {
        out[i] = K.apply(a[i * aStride], b[i * bStride])
        i += 1
    }
}

/// `out[i] = K(x[i·xStride])` for `i in 0..<n`, stride 0 or 1.
@inline(__always)
func unaryRun<K: UnaryKernel>(_ kernel: K.Type, _ x: UnsafePointer<Float>, _ xStride: Int,
                              _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    if xStride == 1 {
        let rawX = UnsafeRawPointer(x), rawOut = UnsafeMutableRawPointer(out)
        while i + 8 <= n {
            rawOut.storeBytes(of: K.apply(rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)),
                              toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
    }
    while i < n {
        out[i] = K.apply(x[i * xStride])
        i += 1
    }
}

/// `binaryRun` on contiguous operands (strides 1), split over the workers the cost model asks for
/// (`Parallelism.workerCount`, elementwise work). Each worker's share starts at a multiple of 8, so
/// every scalar goes through the same vector or scalar form of `K` as in one `binaryRun`: the same
/// results for any thread count.
func binaryRunInParallel<K: BinaryKernel>(_ kernel: K.Type, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                          _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    let workers = Parallelism.workerCount(work: n, of: .elementwise)
    guard workers > 1 else { return binaryRun(K.self, a, 1, b, 1, out, n) }
    let share = roundUp((n + workers - 1) / workers, to: 8)
    let (aPointer, bPointer, outPointer) = (SendableConstPointer(a), SendableConstPointer(b), SendablePointer(out))
    Parallelism.forEachChunk((n + share - 1) / share, maxThreads: workers) { part in
        let start = part * share
        binaryRun(K.self, aPointer.base + start, 1, bPointer.base + start, 1, outPointer.base + start,
                  Swift.min(share, n - start))
    }
}

/// `unaryRun` on a contiguous operand, split like `binaryRunInParallel`.
func unaryRunInParallel<K: UnaryKernel>(_ kernel: K.Type, _ x: UnsafePointer<Float>,
                                        _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    let workers = Parallelism.workerCount(work: n, of: .elementwise)
    guard workers > 1 else { return unaryRun(K.self, x, 1, out, n) }
    let share = roundUp((n + workers - 1) / workers, to: 8)
    let (xPointer, outPointer) = (SendableConstPointer(x), SendablePointer(out))
    Parallelism.forEachChunk((n + share - 1) / share, maxThreads: workers) { part in
        let start = part * share
        unaryRun(K.self, xPointer.base + start, 1, outPointer.base + start, Swift.min(share, n - start))
    }
}

// MARK: - The operations

struct AddKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
}
struct SubtractKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
}
struct MultiplyKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
}
struct DivideKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a / b }
}
/// Elementwise maximum; NaN in either operand gives NaN (as `torch.maximum`), so it is never hidden.
struct MaximumKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for lane in 0..<8 { result[lane] = apply(a[lane], b[lane]) }
        return result
    }
}
struct MinimumKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        var result = SIMD8<Float>()
        for lane in 0..<8 { result[lane] = apply(a[lane], b[lane]) }
        return result
    }
}
/// Copies the first operand (used to materialize a broadcast).
struct AssignKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { x }
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x }
}
