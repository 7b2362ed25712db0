// General matrix multiply (GEMM): C ← op(A)·op(B), or C ← C + op(A)·op(B).
//
// Legend (BLAS names, used in every GEMM file):
//   M  rows of op(A) and of C
//   N  columns of op(B) and of C
//   K  the shared (reduction) dimension: columns of op(A), rows of op(B)
//   op(X) = X or Xᵀ; with `transposeA`, A is stored K×M and read as its transpose, so the backward
//   pass of a matrix product (dA = dC·Bᵀ, dB = Aᵀ·dC) never materializes a transposed copy.
//   lda, ldb, ldc  leading dimensions: the distance in scalars between two stored rows.
//
// Three variants share one signature:
//   gemmNaive     the triple loop — the oracle of the tests and the text of chapter 02;
//   gemmDirect    no packing: a row of C at a time, for thin (N < 16, K < 8) or tiny products, or one
//                 dot product per element (GEMM+DotProducts.swift);
//   gemmBlocked   one thread: packing + cache blocking + the SIMD micro-kernel (GEMM+Packing.swift,
//                 GEMM+MicroKernel.swift);
//   gemm          the parallel driver: splits C into slabs, one `gemmBlocked` per slab.

/// The reference GEMM: `C[i,j] (+)= Σₚ op(A)[i,p] · op(B)[p,j]`, three plain loops.
///
/// Shapes: op(A) M×K, op(B) K×N, C M×N (row-major, leading dimensions `lda`, `ldb`, `ldc`).
/// Accumulates in `Float` in the order p = 0, 1, …, K−1 — slow and easy to check by hand.
public func gemmNaive(m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                      b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                      c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += aValue * bValue
            }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum
        }
    }
}

/// Cache-blocking sizes of `gemmBlocked` (Goto & van de Geijn, "Anatomy of High-Performance Matrix
/// Multiplication", 2008; the BLIS loop nest).
///
/// - `kc`: depth of one packed panel pair. An MR×kc sliver of A and a kc×NR sliver of B
///   (256·24·4 B = 24 KiB) stay in the 32 KiB L1 data cache during one micro-kernel call.
/// - `mc`: rows of A packed at once (144×256×4 B = 144 KiB, within the 512 KiB L2 of Zen 3).
/// - `nc`: columns of B packed at once (256×3072×4 B = 3 MiB, in the shared L3).
public enum GEMMBlocking {
    /// Depth of one packed panel pair (k-block): 256, so the MR×kc and kc×NR slivers fit in L1.
    public static let kc = 256
    /// Rows of A packed at once (m-block): 144, a multiple of MR = 4 whose 144×256 panel fits in L2.
    public static let mc = 144
    /// Columns of B packed at once (n-block): 3072, a multiple of NR = 24 whose 256×3072 panel fits in L3.
    public static let nc = 3072
}

/// Single-threaded fast GEMM: packs op(A) and op(B) into panels and runs the 4×24 SIMD
/// micro-kernel over them. Same contract as `gemmNaive`.
///
/// Loop nest (outermost first): columns of C in blocks of `nc` → depth in blocks of `kc` (pack B)
/// → rows in blocks of `mc` (pack A) → 24-column micro-panels → 4-row micro-panels → micro-kernel.
/// Every element of C is accumulated over p in the same order (kc-blocks in order, p in order
/// within a block) whatever block it falls in, so splitting C among threads cannot change a bit.
public func gemmBlocked(m: Int, n: Int, k: Int,
                        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        // An empty sum: C = 0 (or unchanged when accumulating).
        if !accumulate { for i in 0..<m { (c + i * ldc).initialize(repeating: 0, count: n) } }
        return
    }
    let mr = GEMMMicroKernel.rowCount, nr = GEMMMicroKernel.columnCount
    let kcMax = min(k, GEMMBlocking.kc)
    let mcMax = min(roundUp(m, to: mr), GEMMBlocking.mc)
    let ncMax = min(roundUp(n, to: nr), GEMMBlocking.nc)
    let packedA = UnsafeMutablePointer<Float>.allocate(capacity: mcMax * kcMax)
    let packedB = UnsafeMutablePointer<Float>.allocate(capacity: kcMax * ncMax)
    // An edge tile is computed whole into this scratch tile, then its valid part added to C.
    let edgeTile = UnsafeMutablePointer<Float>.allocate(capacity: mr * nr)
    defer { packedA.deallocate(); packedB.deallocate(); edgeTile.deallocate() }

    for jc in stride(from: 0, to: n, by: GEMMBlocking.nc) {
        let nc = min(GEMMBlocking.nc, n - jc)
        for pc in stride(from: 0, to: k, by: GEMMBlocking.kc) {
            let kc = min(GEMMBlocking.kc, k - pc)
            packPanelsOfB(b, ldb: ldb, transposed: transposeB, depthStart: pc, depth: kc,
                          columnStart: jc, columnCount: nc, into: packedB)
            // The first depth block overwrites C (unless the caller accumulates); later ones add.
            let addToC = accumulate || pc > 0
            for ic in stride(from: 0, to: m, by: GEMMBlocking.mc) {
                let mc = min(GEMMBlocking.mc, m - ic)
                packPanelsOfA(a, lda: lda, transposed: transposeA, rowStart: ic, rowCount: mc,
                              depthStart: pc, depth: kc, into: packedA)
                multiplyPackedPanels(m: mc, n: nc, depth: kc, packedA: packedA, packedB: packedB,
                                     c: c + ic * ldc + jc, ldc: ldc, accumulate: addToC, edgeTile: edgeTile)
            }
        }
    }
}

/// The macro-kernel: `C[0..<m, 0..<n] (+)= Apacked · Bpacked` for one depth block of packed panels,
/// one micro-kernel call per 4×24 tile of C.
///
/// - `packedA`: ⌈m/4⌉ panels of `depth × 4` scalars (as `packPanelsOfA` writes them);
/// - `packedB`: ⌈n/24⌉ panels of `depth × 24` scalars (as `packPanelsOfB` writes them);
/// - `edgeTile`: 4×24 scratch scalars for tiles that hang over the bottom or right edge of C.
///
/// Loop order: 24-column B panels outermost (one panel, `depth`·96 bytes, stays in L1 while
/// every A panel streams past it from L2).
func multiplyPackedPanels(m: Int, n: Int, depth: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
                          c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                          edgeTile: UnsafeMutablePointer<Float>) {
    let mr = GEMMMicroKernel.rowCount, nr = GEMMMicroKernel.columnCount
    for jr in stride(from: 0, to: n, by: nr) {
        let columns = min(nr, n - jr)
        let bPanel = packedB + jr * depth
        for ir in stride(from: 0, to: m, by: mr) {
            let rows = min(mr, m - ir)
            let aPanel = packedA + ir * depth
            let cTile = c + ir * ldc + jr
            if rows == mr && columns == nr {
                GEMMMicroKernel.run(depth: depth, a: aPanel, b: bPanel, c: cTile, ldc: ldc, accumulate: accumulate)
            } else if rows == mr && (columns == 8 || columns == 16) {
                GEMMMicroKernel.runNarrow(vectors: columns / 8, depth: depth, a: aPanel, b: bPanel, c: cTile, ldc: ldc,
                                          accumulate: accumulate)
            } else {
                if columns <= 16 {
                    GEMMMicroKernel.runNarrow(vectors: (columns + 7) / 8, depth: depth, a: aPanel, b: bPanel,
                                              c: edgeTile, ldc: nr, accumulate: false)
                } else {
                    GEMMMicroKernel.run(depth: depth, a: aPanel, b: bPanel, c: edgeTile, ldc: nr, accumulate: false)
                }
                for r in 0..<rows {
                    for j in 0..<columns {
                        let value = edgeTile[r * nr + j]
                        cTile[r * ldc + j] = accumulate ? cTile[r * ldc + j] + value : value
                    }
                }
            }
        }
    }
}

/// Whether a product is too thin or too small for packing to pay: fewer than 16 columns or 8 depth
/// steps (a 4×24 tile would be mostly padding — N = 1 wastes 23 of 24 lanes), or under 16 Ki
/// multiply-adds in all. Depends only on the shape, so every thread count takes the same path.
@inline(__always)
func prefersDirectGEMM(m: Int, n: Int, k: Int) -> Bool {
    n < 16 || k < 8 || m * n * k < 16_384
}

/// GEMM without packing, for thin or tiny products. Same contract as `gemmNaive`.
///
/// Two loop orders, by shape:
/// - wide rows (N ≥ 8, B read row-wise): each depth step adds a scaled row of B to a row of C,
///   eight columns per vector (`C[i, :] += op(A)[i, p] · B[p, :]`);
/// - thin or transposed B: each element is a dot product `Σₚ op(A)[i, p] · op(B)[p, j]`, on vectors
///   when both operands are contiguous along p, else with four independent running sums (one long
///   chain of dependent additions would run at one addition per 4 cycles).
public func gemmDirect(m: Int, n: Int, k: Int,
                       a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                       b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                       c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    if transposeB || n < 8 {
        // One dot product per element (GEMM+DotProducts.swift).
        gemmDotProducts(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                        transposeB: transposeB, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    for i in 0..<m {
        let row = c + i * ldc
        if !accumulate { row.initialize(repeating: 0, count: n) }
        for p in 0..<k {
            let scale = transposeA ? a[p * lda + i] : a[i * lda + p]
            let bRow = b + p * ldb
            var j = 0
            let factor = SIMD8<Float>(repeating: scale)
            while j + 8 <= n {
                let target = UnsafeMutableRawPointer(row + j)
                target.storeBytes(of: target.loadUnaligned(as: SIMD8<Float>.self)
                    .addingProduct(factor, UnsafeRawPointer(bRow + j).loadUnaligned(as: SIMD8<Float>.self)),
                                  as: SIMD8<Float>.self)
                j += 8
            }
            while j < n { row[j] += scale * bRow[j]; j += 1 }
        }
    }
}

/// `Σₚ x[p·xStep] · y[p·yStep]` for `p in 0..<count`.
@inline(__always)
func dotProduct(_ x: UnsafePointer<Float>, _ xStep: Int, _ y: UnsafePointer<Float>, _ yStep: Int, count: Int) -> Float {
    var p = 0
    if xStep == 1 && yStep == 1 {
        var lanes = SIMD8<Float>()
        while p + 8 <= count {
            lanes = lanes.addingProduct(UnsafeRawPointer(x + p).loadUnaligned(as: SIMD8<Float>.self),
                                        UnsafeRawPointer(y + p).loadUnaligned(as: SIMD8<Float>.self))
            p += 8
        }
        var sum = lanes.sum()
        while p < count { sum += x[p] * y[p]; p += 1 }
        return sum
    }
    var sums = SIMD4<Float>()
    while p + 4 <= count {
        sums += SIMD4(x[p * xStep], x[(p + 1) * xStep], x[(p + 2) * xStep], x[(p + 3) * xStep])
            * SIMD4(y[p * yStep], y[(p + 1) * yStep], y[(p + 2) * yStep], y[(p + 3) * yStep])
        p += 4
    }
    var sum = sums.sum()
    while p < count { sum += x[p * xStep] * y[p * yStep]; p += 1 }
    return sum
}

/// The parallel GEMM driver: same contract as `gemmNaive`, on as many workers as the cost model
/// says are worth waking (`Parallelism.workerCount(work:of:)` for the M·N·K multiply-adds), or on
/// `threads` when given.
///
/// Partition: C is cut into as many slabs as workers — along N (column slabs, multiples of the
/// micro-kernel's 24 columns) when N ≥ M, else along M (row slabs, multiples of 4 rows) — and each
/// slab is an independent `gemmBlocked` call that packs its own panels. K is never split, so each
/// element of C sees the same operations in the same order: results are bit-identical for any
/// thread count.
public func gemm(m: Int, n: Int, k: Int,
                 a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                 b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                 c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                 threads: Int? = nil) {
    if prefersDirectGEMM(m: m, n: n, k: k) {
        gemmDirect(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA,
                   b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    let workers = threads ?? Parallelism.workerCount(work: m * n * k, of: .multiplyAdd)
    let splitColumns = n >= m
    let unit = splitColumns ? GEMMMicroKernel.columnCount : GEMMMicroKernel.rowCount
    let extent = splitColumns ? n : m
    let units = (extent + unit - 1) / unit
    let slabCount = max(1, min(workers, units))
    if slabCount == 1 {
        gemmBlocked(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA,
                    b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    let aPointer = SendableConstPointer(a), bPointer = SendableConstPointer(b), cPointer = SendablePointer(c)
    Parallelism.forEachChunk(slabCount, maxThreads: slabCount) { slab in
        let firstUnit = slab * units / slabCount, endUnit = (slab + 1) * units / slabCount
        let start = firstUnit * unit, end = min(endUnit * unit, extent)
        guard start < end else { return }
        if splitColumns {
            // Columns start..<end of op(B) and of C.
            let bSlab = transposeB ? bPointer.base + start * ldb : bPointer.base + start
            gemmBlocked(m: m, n: end - start, k: k, a: aPointer.base, lda: lda, transposeA: transposeA,
                        b: bSlab, ldb: ldb, transposeB: transposeB,
                        c: cPointer.base + start, ldc: ldc, accumulate: accumulate)
        } else {
            // Rows start..<end of op(A) and of C.
            let aSlab = transposeA ? aPointer.base + start : aPointer.base + start * lda
            gemmBlocked(m: end - start, n: n, k: k, a: aSlab, lda: lda, transposeA: transposeA,
                        b: bPointer.base, ldb: ldb, transposeB: transposeB,
                        c: cPointer.base + start * ldc, ldc: ldc, accumulate: accumulate)
        }
    }
}

@inline(__always) func roundUp(_ value: Int, to multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}
