// The GEMM micro-kernel (legend in GEMM.swift): a 4×24 tile of C held in registers.
//
// Register budget on AVX2 (16 ymm registers of 8 Floats): the tile is 4 rows × 3 vectors
// = 12 accumulators, plus 3 vectors of B and 1 broadcast of A = 16. Per depth step it does
// 3 loads + 4 broadcasts for 12 fused multiply-adds (96 flops × 2), which keeps both FMA units
// of a Zen 3 core busy. The shape 4×24 also tiles the convolution products exactly
// (Cout = 32 = 8·4 rows; Cin·3·3 = 144 = 6·24 columns).
//
// Performance notes (measured on the development CPU; figures in Benchmarks/README.md):
// - `.addingProduct` is one `vfmadd231ps` only when the build targets a CPU with FMA
//   (Package.swift passes `-target-cpu native`); `a * b + c` is never fused by Swift.
// - The accumulators are separate local variables of the concrete type `SIMD8<Float>`: a generic or
//   array-held version spills to memory or is not specialized, and runs orders of magnitude slower.

/// The 4×24 register-blocked micro-kernel on `SIMD8<Float>` accumulators.
enum GEMMMicroKernel {
    /// MR: rows of C per tile (= scalars of packed A per depth step).
    static let rowCount = 4
    /// NR: columns of C per tile (= scalars of packed B per depth step), three `SIMD8<Float>`.
    static let columnCount = 24

    /// `C[0..<4, 0..<24] (+)= Σₚ Apanel[p] ⊗ Bpanel[p]` over `depth` steps of packed panels.
    /// - Parameters:
    ///   - a: packed A panel, `depth × 4` scalars.
    ///   - b: packed B panel, `depth × 24` scalars.
    ///   - c: top-left of the C tile, rows `ldc` apart.
    @inline(__always)
    static func run(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let tile = product(depth: depth, a: a, b: b)
        storeRow(tile.0, to: c, accumulate: accumulate)
        storeRow(tile.1, to: c + ldc, accumulate: accumulate)
        storeRow(tile.2, to: c + 2 * ldc, accumulate: accumulate)
        storeRow(tile.3, to: c + 3 * ldc, accumulate: accumulate)
    }

    /// One row of a tile: 24 scalars in three vectors.
    typealias TileRow = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

    /// The 4×24 tile `Σₚ Apanel[p] ⊗ Bpanel[p]`, left in registers for the caller to store
    /// (`run` stores it into C; the convolution's input gradient adds it into an image).
    @inline(__always)
    static func product(depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>)
        -> (TileRow, TileRow, TileRow, TileRow) {
        let bRaw = UnsafeRawPointer(b)
        return product(depth: depth, a: a) { p in
            let row = p &* 96
            return (bRaw.loadUnaligned(fromByteOffset: row, as: SIMD8<Float>.self),
                    bRaw.loadUnaligned(fromByteOffset: row &+ 32, as: SIMD8<Float>.self),
                    bRaw.loadUnaligned(fromByteOffset: row &+ 64, as: SIMD8<Float>.self))
        }
    }

    /// The tile with the 24 B values of depth step p supplied by `loadB(p)` — a packed panel here,
    /// the padded image itself in the implicit-GEMM convolution. Per step: 3 B vectors, 4
    /// broadcasts of A, 12 fused multiply-adds into 12 accumulators (16 registers in all).
    @inline(__always)
    static func product(depth: Int, a: UnsafePointer<Float>, loadB: (Int) -> TileRow)
        -> (TileRow, TileRow, TileRow, TileRow) {
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c02 = V()
        var c10 = V(), c11 = V(), c12 = V()
        var c20 = V(), c21 = V(), c22 = V()
        var c30 = V(), c31 = V(), c32 = V()
        var aPointer = a
        for p in 0..<depth {
            let (b0, b1, b2) = loadB(p)
            let a0 = V(repeating: aPointer[0])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1); c02 = c02.addingProduct(a0, b2)
            let a1 = V(repeating: aPointer[1])
            c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1); c12 = c12.addingProduct(a1, b2)
            let a2 = V(repeating: aPointer[2])
            c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1); c22 = c22.addingProduct(a2, b2)
            let a3 = V(repeating: aPointer[3])
            c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1); c32 = c32.addingProduct(a3, b2)
            aPointer += 4
        }
        return ((c00, c01, c02), (c10, c11, c12), (c20, c21, c22), (c30, c31, c32))
    }

    /// The same for a right edge of 8 or 16 columns (`vectors` = 1 or 2): only the first columns of
    /// the packed panel are read, so no multiply-adds are spent on zero padding (a layer of 128 units
    /// ends in an 8-column panel). Every element sees the same sequence of FMAs as in `run`.
    @inline(__always)
    static func runNarrow(vectors: Int, depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                          c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        typealias V = SIMD8<Float>
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var aPointer = a
        var bRaw = UnsafeRawPointer(b)
        if vectors == 1 {
            for _ in 0..<depth {
                let b0 = bRaw.loadUnaligned(as: V.self)
                c00 = c00.addingProduct(V(repeating: aPointer[0]), b0)
                c10 = c10.addingProduct(V(repeating: aPointer[1]), b0)
                c20 = c20.addingProduct(V(repeating: aPointer[2]), b0)
                c30 = c30.addingProduct(V(repeating: aPointer[3]), b0)
                aPointer += 4
                bRaw += 96
            }
        } else {
            for _ in 0..<depth {
                let b0 = bRaw.loadUnaligned(as: V.self), b1 = bRaw.loadUnaligned(fromByteOffset: 32, as: V.self)
                let a0 = V(repeating: aPointer[0]), a1 = V(repeating: aPointer[1])
                c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
                c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
                let a2 = V(repeating: aPointer[2]), a3 = V(repeating: aPointer[3])
                c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
                c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
                aPointer += 4
                bRaw += 96
            }
        }
        @inline(__always) func store(_ v0: V, _ v1: V, row: Int) {
            let raw = UnsafeMutableRawPointer(c + row * ldc)
            raw.storeBytes(of: accumulate ? raw.loadUnaligned(as: V.self) + v0 : v0, as: V.self)
            if vectors == 2 {
                raw.storeBytes(of: accumulate ? raw.loadUnaligned(fromByteOffset: 32, as: V.self) + v1 : v1,
                               toByteOffset: 32, as: V.self)
            }
        }
        store(c00, c01, row: 0); store(c10, c11, row: 1); store(c20, c21, row: 2); store(c30, c31, row: 3)
    }

    @inline(__always)
    private static func storeRow(_ v: TileRow, to row: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let raw = UnsafeMutableRawPointer(row)
        if accumulate {
            raw.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self) + v.0, as: SIMD8<Float>.self)
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) + v.1, toByteOffset: 32,
                           as: SIMD8<Float>.self)
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) + v.2, toByteOffset: 64,
                           as: SIMD8<Float>.self)
        } else {
            raw.storeBytes(of: v.0, as: SIMD8<Float>.self)
            raw.storeBytes(of: v.1, toByteOffset: 32, as: SIMD8<Float>.self)
            raw.storeBytes(of: v.2, toByteOffset: 64, as: SIMD8<Float>.self)
        }
    }
}
