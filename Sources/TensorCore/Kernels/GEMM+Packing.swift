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
    var destination = packed
    for panelRow in stride(from: 0, to: rowCount, by: mr) {
        let rows = min(mr, rowCount - panelRow)
        for r in 0..<mr {
            if r < rows {
                let i = rowStart + panelRow + r
                if transposed {
                    // op(A)[i,p] = A[p,i]: stored K×M.
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
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32, as: SIMD8<Float>.self)
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self), toByteOffset: 64, as: SIMD8<Float>.self)
            }
        }
    }
    var destination = packed
    for panelColumn in stride(from: 0, to: columnCount, by: nr) {
        let columns = min(nr, columnCount - panelColumn)
        let j0 = columnStart + panelColumn
        if transposed {
            // op(B)[p,j] = B[j,p]: stored N×K; read each stored row (one column j) contiguously.
            for j in 0..<nr {
                if j < columns {
                    let source = b + (j0 + j) * ldb + depthStart
                    for p in 0..<depth { destination[p * nr + j] = source[p] }
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
