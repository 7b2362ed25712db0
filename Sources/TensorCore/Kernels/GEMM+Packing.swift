// Packing for `gemmBlocked` (legend in GEMM.swift).
//
// The micro-kernel reads A and B as *panels*: contiguous, in exactly the order it consumes them,
// zero-padded at the edges. Packing turns strided (and possibly transposed) matrix reads into one
// sequential stream, so the micro-kernel's loads always hit the cache and never need bounds checks.
//
//   packed A, one panel per MR = 4 rows:    for p in 0..<kc: A[i₀,p] A[i₀+1,p] A[i₀+2,p] A[i₀+3,p]
//   packed B, one panel per NR = 24 columns: for p in 0..<kc: B[p,j₀] B[p,j₀+1] … B[p,j₀+23]
//
// Rows or columns past the matrix edge are packed as zeros: the micro-kernel always computes a
// full 4×24 tile, and the driver keeps only the valid part.

/// Packs rows `rowStart..<rowStart+rowCount`, depth `depthStart..<depthStart+depth` of op(A)
/// into 4-row panels (`packed` holds `roundUp(rowCount, 4) · depth` scalars).
func packPanelsOfA(_ a: UnsafePointer<Float>, lda: Int, transposed: Bool,
                   rowStart: Int, rowCount: Int, depthStart: Int, depth: Int,
                   into packed: UnsafeMutablePointer<Float>) {
    let mr = GEMMMicroKernel.rowCount
    var panelRow = 0
    if !transposed {
        // Row-major A: two 4-row panels at a time are an 8×8 transpose per 8 depth steps
        // (lanes 0–3 of each transposed vector go to the first panel, 4–7 to the second).
        let fullDepth = depth / 8 * 8
        while panelRow + 2 * mr <= rowCount {
            let firstRow = a + (rowStart + panelRow) * lda + depthStart
            let panel = packed + panelRow * depth
            for p in stride(from: 0, to: fullDepth, by: 8) {
                let v = transposed8x8(firstRow + p, sourceRowStride: lda)
                let target = UnsafeMutableRawPointer(panel + p * mr),
                    second = UnsafeMutableRawPointer(panel + mr * depth + p * mr)
                @inline(__always) func store(_ vector: SIMD8<Float>, _ q: Int) {
                    target.storeBytes(of: vector.lowHalf, toByteOffset: q * 16, as: SIMD4<Float>.self)
                    second.storeBytes(of: vector.highHalf, toByteOffset: q * 16, as: SIMD4<Float>.self)
                }
                store(v.0, 0); store(v.1, 1); store(v.2, 2); store(v.3, 3)
                store(v.4, 4); store(v.5, 5); store(v.6, 6); store(v.7, 7)
            }
            for r in 0..<(2 * mr) {
                for p in fullDepth..<depth { panel[(r / mr) * mr * depth + p * mr + r % mr] = firstRow[r * lda + p] }
            }
            panelRow += 2 * mr
        }
    }
    var destination = packed + panelRow * depth
    for panelRow in stride(from: panelRow, to: rowCount, by: mr) {
        let rows = min(mr, rowCount - panelRow)
        if transposed && rows == mr {
            // A stored K×M: the 4 rows of a panel are 4 neighbours in each stored row — one vector.
            let source = UnsafeRawPointer(a + depthStart * lda + rowStart + panelRow)
            let target = UnsafeMutableRawPointer(destination)
            for p in 0..<depth {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: p * lda * 4, as: SIMD4<Float>.self),
                                  toByteOffset: p * 16, as: SIMD4<Float>.self)
            }
            destination += mr * depth
            continue
        }
        for r in 0..<mr {
            if r < rows {
                let i = rowStart + panelRow + r
                if transposed {
                    // op(A)[i,p] = A[p,i]: stored K×M (a ragged last panel; full ones were copied above).
                    var source = a + depthStart * lda + i
                    for p in 0..<depth { destination[p * mr + r] = source.pointee; source += lda }
                } else {
                    let source = a + i * lda + depthStart
                    for p in 0..<depth { destination[p * mr + r] = source[p] }
                }
            } else {
                for p in 0..<depth { destination[p * mr + r] = 0 }
            }
        }
        destination += mr * depth
    }
}

/// Packs depth `depthStart..<depthStart+depth`, columns `columnStart..<columnStart+columnCount`
/// of op(B) into 24-column panels (`packed` holds `depth · roundUp(columnCount, 24)` scalars).
func packPanelsOfB(_ b: UnsafePointer<Float>, ldb: Int, transposed: Bool,
                   depthStart: Int, depth: Int, columnStart: Int, columnCount: Int,
                   into packed: UnsafeMutablePointer<Float>) {
    let nr = GEMMMicroKernel.columnCount
    let fullPanels = columnCount / nr
    if !transposed {
        // Row-major B: walk each stored row once, left to right, dealing its 24-scalar pieces to
        // the panels. (Walking panel by panel instead reads rows `ldb` apart — for im2col's
        // 144×32768 B that is 128 KiB apart, the same cache sets and a new TLB page every row.)
        for p in 0..<depth {
            let sourceRow = UnsafeRawPointer(b + (depthStart + p) * ldb + columnStart)
            for panel in 0..<fullPanels {
                let source = sourceRow + panel * nr * MemoryLayout<Float>.stride
                let target = UnsafeMutableRawPointer(packed + panel * depth * nr + p * nr)
                target.storeBytes(of: source.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32,
                                  as: SIMD8<Float>.self)
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), toByteOffset: 64,
                                  as: SIMD8<Float>.self)
            }
        }
    }
    var destination = packed
    for panelColumn in stride(from: 0, to: columnCount, by: nr) {
        let columns = min(nr, columnCount - panelColumn)
        let j0 = columnStart + panelColumn
        if transposed {
            // op(B)[p,j] = B[j,p]: stored N×K, so the panel is a transpose of 24 stored rows.
            // Whole 8×8 blocks go through registers (`transpose8x8`); the ragged rest is scalar.
            let fullDepth = columns == nr ? depth / 8 * 8 : 0
            for group in 0..<(columns == nr ? 3 : 0) {
                let firstRow = b + (j0 + group * 8) * ldb + depthStart
                for p in stride(from: 0, to: fullDepth, by: 8) {
                    transpose8x8(firstRow + p, sourceRowStride: ldb, into: destination + p * nr + group * 8,
                                 targetRowStride: nr)
                }
            }
            for j in 0..<nr {
                if j < columns {
                    let source = b + (j0 + j) * ldb + depthStart
                    for p in fullDepth..<depth { destination[p * nr + j] = source[p] }
                } else {
                    for p in 0..<depth { destination[p * nr + j] = 0 }
                }
            }
        } else if columns < nr {
            // The zero-padded last panel (full panels were copied above).
            for p in 0..<depth {
                let source = b + (depthStart + p) * ldb + j0
                for j in 0..<nr { destination[p * nr + j] = j < columns ? source[j] : 0 }
            }
        }
        destination += depth * nr
    }
}

/// The 8×8 block `source[r·sourceRowStride + c]` transposed in registers: vector c of the result
/// holds column c, `(source[c], source[stride + c], …, source[7·stride + c])`.
///
/// Three rounds of "even/odd" interleaving: round k pairs vectors (2i, 2i+1) and keeps the even
/// lanes of their concatenation in vector i and the odd lanes in vector i+4. Writing an element's
/// place as the 6 bits (vector r₂r₁r₀, lane c₂c₁c₀), one round rotates them right by one bit:
/// (r₂r₁r₀ c₂c₁c₀) → (c₀r₂r₁ r₀c₂c₁). Three rotations swap the halves:
/// (c₂c₁c₀ r₂r₁r₀) — the transpose.
@inline(__always)
func transposed8x8(_ source: UnsafePointer<Float>, sourceRowStride: Int)
    -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
        SIMD8<Float>) {
    typealias V = SIMD8<Float>
    @inline(__always) func load(_ r: Int) -> V {
        UnsafeRawPointer(source + r * sourceRowStride).loadUnaligned(as: V.self)
    }
    @inline(__always) func round(_ v: (V, V, V, V, V, V, V, V)) -> (V, V, V, V, V, V, V, V) {
        let p0 = SIMD16(lowHalf: v.0, highHalf: v.1), p1 = SIMD16(lowHalf: v.2, highHalf: v.3)
        let p2 = SIMD16(lowHalf: v.4, highHalf: v.5), p3 = SIMD16(lowHalf: v.6, highHalf: v.7)
        return (p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf, p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf)
    }
    return round(round(round((load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7)))))
}

/// Transposes the 8×8 block `source[r·sourceRowStride + c]` into `target[c·targetRowStride + r]`.
@inline(__always)
func transpose8x8(_ source: UnsafePointer<Float>, sourceRowStride: Int,
                  into target: UnsafeMutablePointer<Float>, targetRowStride: Int) {
    let v = transposed8x8(source, sourceRowStride: sourceRowStride)
    let raw = UnsafeMutableRawPointer(target)
    let step = targetRowStride * MemoryLayout<Float>.stride
    raw.storeBytes(of: v.0, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.1, toByteOffset: step, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.2, toByteOffset: 2 * step, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.3, toByteOffset: 3 * step, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.4, toByteOffset: 4 * step, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.5, toByteOffset: 5 * step, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.6, toByteOffset: 6 * step, as: SIMD8<Float>.self)
    raw.storeBytes(of: v.7, toByteOffset: 7 * step, as: SIMD8<Float>.self)
}
