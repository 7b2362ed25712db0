// The dot-product loop order of `gemmDirect` (thin or transposed B: every C[i, j] is one dot product
// Σₚ op(A)[i, p] · op(B)[p, j]), two ways with the same arithmetic:
//   gemmDotProductsNaive   one `dotProduct` call per element — the definition;
//   gemmDotProducts        the same sums, reorganized for memory: a strided operand (a transposed A,
//                          an untransposed B read down its columns) is first copied into contiguous
//                          rows, so its dot products load vectors instead of gathering scalars; and a
//                          depth under 8 (only `dotProduct`'s scalar tail runs) is computed for eight
//                          columns of C at once.
// Each element of C sees the same multiplications and additions in the same order as in the naive
// twin, so the two agree bit for bit (the tests check it). That matters beyond the tests: a network's
// small heads (a Linear(1,024 → 3) layer's forward, weight gradient and input gradient all take this
// path) must not change their results when only their speed changes.

/// The definition: `C[i, j] (+)= dotProduct(op(A)[i, :], op(B)[:, j])` for every element.
/// Same contract as `gemmNaive`.
public func gemmDotProductsNaive(m: Int, n: Int, k: Int,
                                 a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                                 b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let aStep = transposeA ? lda : 1, bStep = transposeB ? 1 : ldb
    for i in 0..<m {
        let aRow = transposeA ? a + i : a + i * lda
        for j in 0..<n {
            let bColumn = transposeB ? b + j * ldb : b + j
            let sum = dotProduct(aRow, aStep, bColumn, bStep, count: k)
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum
        }
    }
}

/// `gemmDotProductsNaive`, fast, bit for bit the same (see the file header).
public func gemmDotProducts(m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                            b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                            c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let aStep = transposeA ? lda : 1, bStep = transposeB ? 1 : ldb
    let contiguous = aStep == 1 && bStep == 1
    guard m > 0, n > 0, k > 0, !(contiguous && k >= 8) else {
        // Nothing to reorganize: contiguous dot products long enough for `dotProduct`'s vector loop.
        gemmDotProductsNaive(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                             transposeB: transposeB, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    if contiguous {
        // k < 8: `dotProduct` runs only its tail, sum = (((z + a₀b₀) + a₁b₁) + …) from z, the sum of
        // its empty vector of lanes. Eight columns at a time, with op(B)'s rows made contiguous.
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: k * n)   // op(B) as K×N
        defer { rows.deallocate() }
        for j in 0..<n { for p in 0..<k { rows[p * n + j] = transposeB ? b[j * ldb + p] : b[p * ldb + j] } }
        let start = SIMD8<Float>().sum()
        for i in 0..<m {
            let aRow = transposeA ? a + i : a + i * lda, cRow = c + i * ldc
            var j = 0
            while j + 8 <= n {
                var sum = SIMD8<Float>(repeating: start)
                // A product, then an addition, each rounded, as the scalar tail does (not a fused FMA).
                for p in 0..<k { sum = sum + SIMD8(repeating: aRow[p]) * load8(rows + p * n + j) }
                let target = UnsafeMutableRawPointer(cRow + j)
                target.storeBytes(of: accumulate ? load8(cRow + j) + sum : sum, as: SIMD8<Float>.self)
                j += 8
            }
            while j < n {
                var sum = start
                for p in 0..<k { sum += aRow[p] * rows[p * n + j] }
                cRow[j] = accumulate ? cRow[j] + sum : sum
                j += 1
            }
        }
        return
    }
    // A strided operand: `dotProduct` sums in four lanes (a product, then an addition), then the
    // lanes, then the tail. The same sums on contiguous copies of the strided rows and columns.
    let packedA = aStep == 1 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: m * k)   // op(A), M×K
    let packedB = bStep == 1 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: n * k)   // op(B)ᵀ, N×K
    defer { packedA?.deallocate(); packedB?.deallocate() }
    if let packedA { for p in 0..<k { for i in 0..<m { packedA[i * k + p] = a[p * lda + i] } } }
    if let packedB { for p in 0..<k { for j in 0..<n { packedB[j * k + p] = b[p * ldb + j] } } }
    func aRow(_ i: Int) -> UnsafePointer<Float> { packedA.map { UnsafePointer($0 + i * k) } ?? a + i * lda }
    func bColumn(_ j: Int) -> UnsafePointer<Float> { packedB.map { UnsafePointer($0 + j * k) } ?? b + j * ldb }
    func store(_ sum: Float, _ i: Int, _ j: Int) { c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum }
    // Four rows of A against one column of B at a time: four independent chains of additions, so
    // that each hides the others' latency; every dot product keeps its own sums, in its own order.
    var i = 0
    while i + 4 <= m {
        for j in 0..<n {
            let sums = dotProductsInFours(aRow(i), aRow(i + 1), aRow(i + 2), aRow(i + 3), bColumn(j), count: k)
            for r in 0..<4 { store(sums[r], i + r, j) }
        }
        i += 4
    }
    while i < m {
        for j in 0..<n { store(dotProductInFours(aRow(i), bColumn(j), count: k), i, j) }
        i += 1
    }
}

/// `dotProductInFours` of four vectors `x0`…`x3` with one `y`, side by side: the same arithmetic for
/// each of the four, interleaved.
@inline(__always)
func dotProductsInFours(_ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
                        _ x3: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> SIMD4<Float> {
    var (s0, s1, s2, s3) = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
    @inline(__always) func load4(_ pointer: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Float>.self)
    }
    var p = 0
    while p + 4 <= count {
        let v = load4(y + p)
        s0 += load4(x0 + p) * v
        s1 += load4(x1 + p) * v
        s2 += load4(x2 + p) * v
        s3 += load4(x3 + p) * v
        p += 4
    }
    var sums = SIMD4(s0.sum(), s1.sum(), s2.sum(), s3.sum())
    while p < count {
        sums[0] += x0[p] * y[p]
        sums[1] += x1[p] * y[p]
        sums[2] += x2[p] * y[p]
        sums[3] += x3[p] * y[p]
        p += 1
    }
    return sums
}

/// `dotProduct`'s strided arithmetic on contiguous vectors: four lanes of products added in turn,
/// the lanes summed, then the tail.
@inline(__always)
func dotProductInFours(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
    var sums = SIMD4<Float>()
    var p = 0
    while p + 4 <= count {
        sums += UnsafeRawPointer(x + p).loadUnaligned(as: SIMD4<Float>.self)
            * UnsafeRawPointer(y + p).loadUnaligned(as: SIMD4<Float>.self)
        p += 4
    }
    var sum = sums.sum()
    while p < count { sum += x[p] * y[p]; p += 1 }
    return sum
}

@inline(__always)
private func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
private func load8(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}
