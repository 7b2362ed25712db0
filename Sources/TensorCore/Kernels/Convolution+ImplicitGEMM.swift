// Convolution by implicit GEMM: the im2col + GEMM products of Convolution.swift, computed without
// ever building the columns matrix (stride 1 and dilation 1; the weight gradient also needs Wo a
// multiple of 8).
// Legend in ConvolutionGeometry.swift; the readable route, and the text of chapter 03, is
// Convolution.swift — these kernels must give the same numbers up to rounding (ConvolutionTests).
//
// With stride 1, im2col row r = (c, kh, kw) at output position (oh, ow) is padded[c, oh + kh, ow + kw]
// of the zero-padded image ("slab", `fillPaddedSlab` in Im2Col.swift). Eight neighbouring positions
// in one output row — a *chunk* — are therefore eight neighbouring scalars of the slab: one vector
// load, at `slab + rowOffset(r) + chunkOffset(oh, ow)`. Each output row is cut into ⌈Wo/8⌉ chunks;
// when Wo is not a multiple of 8 the last one has spare lanes, which are computed and never stored.
// The explicit route writes C·Kh·Kw·Ho·Wo scalars of columns and then copies them again into the
// GEMM's packed panels; here the micro-kernels read the slab (≈ C·(H + 2p)·(W + 2p) scalars, in
// L1/L2) directly:
//
//   forward          out[n][f, pos]  = bias[f] + Σ_r weight[f, r] · slab(r, pos)
//                    `ImplicitGEMMKernel.forward`: the 4×24 GEMM micro-kernel with its 24 B values
//                    loaded from the slab (three 8-position chunks) instead of a packed panel.
//   weight gradient  dWeight[f, r]  += Σ_pos dOut[n][f, pos] · slab(r, pos)
//                    `ImplicitGEMMKernel.weightGradient`: both factors are contiguous along the
//                    positions, so a 4×3 tile keeps 12 vectors of per-lane partial sums (dot products)
//                    — no packing and no transposes.
//   input gradient   dx[n] = col2im(weightᵀ · dOut[n]): each 4×24 tile of weightᵀ · dOut from the
//                    packed micro-kernel is added straight into a zero-padded image, where im2col
//                    had read it from (`ImplicitGEMMKernel.addTile`) — col2im folded into the GEMM.
//
// This is the scheme of GPU "implicit GEMM" convolutions (cuDNN's IMPLICIT_GEMM; Chetlur et al.,
// "cuDNN: Efficient Primitives for Deep Learning", 2014), on one CPU core.
//
// Parallelism and bits: forward work items are (image, band of output rows); each writes only its
// own outputs. The weight gradient is a sum over items, kept in `weightGradientGroupCount` fixed
// groups of consecutive items and added in group order. The input gradient gives each image to one
// worker. Every sum is therefore done in the same order for any thread count.

extension ConvolutionGeometry {
    /// Bands of output rows for the implicit-GEMM kernels: the work items that threads share, and
    /// the cache blocking of the weight gradient, whose tiles sweep a band's slab and output-gradient
    /// rows (≈ Wo·(C + F) scalars per output row) again and again — so a band keeps them under 64 Ki
    /// scalars (256 KiB, half of a Zen 3 core's L2). Depends only on the shapes, never on the thread count.
    func implicitGEMMBands(filterCount: Int) -> [Range<Int>] {
        let bandCount = Swift.max(1, Swift.min(outputHeight,
                                               (outputPlaneSize * (channels + filterCount) + 65_535) / 65_536))
        return (0..<bandCount).map { band in
            (band * outputHeight / bandCount)..<((band + 1) * outputHeight / bandCount)
        }
    }

    /// Output positions are taken in *chunks* of 8 within one output row: ⌈Wo/8⌉ chunks per row, the
    /// last one with `Wo mod 8` valid lanes when Wo is not a multiple of 8. Chunk k of a band.
    func positionChunk(_ k: Int) -> PositionChunk {
        let chunksPerRow = (outputWidth + 7) / 8, row = k / chunksPerRow, column = (k % chunksPerRow) * 8
        return PositionChunk(slabOffset: row * (inputWidth + 2 * paddingWidth) + column,
                             outputOffset: row * outputWidth + column, laneCount: Swift.min(8, outputWidth - column))
    }

    /// The three chunks `k0`, `k0 + 1`, `k0 + 2` of a tile, out of `chunkCount`. A chunk past the
    /// last one has no lanes (nothing is stored) and re-reads the first chunk's slab.
    func tileChunks(from k0: Int, chunkCount: Int) -> TileChunks {
        let first = positionChunk(k0)
        @inline(__always) func chunk(_ k: Int) -> PositionChunk {
            k < chunkCount ? positionChunk(k) : .spare(readingAt: first.slabOffset)
        }
        return TileChunks(first: first, second: chunk(k0 + 1), third: chunk(k0 + 2))
    }

    /// The number of 8-position chunks in `rowCount` output rows.
    func positionChunkCount(rowCount: Int) -> Int { rowCount * ((outputWidth + 7) / 8) }

    /// Where each im2col row r = (c, kh, kw) in `rows` starts in a band's padded slab: slab[c, kh, kw].
    /// The caller deallocates the result.
    func slabOffsets(ofPatchRows rows: Range<Int>, bandRowCount: Int) -> UnsafeMutablePointer<Int> {
        let slabRows = bandRowCount + kernelHeight - 1, slabWidth = inputWidth + 2 * paddingWidth
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: rows.count)
        for (index, r) in rows.enumerated() {
            let c = r / (kernelHeight * kernelWidth), kh = (r / kernelWidth) % kernelHeight, kw = r % kernelWidth
            offsets[index] = (c * slabRows + kh) * slabWidth + kw
        }
        return offsets
    }
}

/// Eight neighbouring output positions in one output row of a band (a *chunk*, see the file header):
/// one vector of the micro-kernels.
struct PositionChunk {
    /// Where the chunk's first position reads the band's padded slab, for im2col row (0, 0, 0).
    var slabOffset: Int
    /// Where the chunk starts in the band's output rows (`oh·Wo + ow`, from the band's first row).
    var outputOffset: Int
    /// How many of the 8 lanes are positions of the row: 8, fewer in the last chunk of a row whose
    /// width is not a multiple of 8, 0 for a tile's spare chunk. Only these lanes are stored.
    var laneCount: Int

    /// A tile's spare chunk, past a band's last one: no lane is stored, and its vector is loaded
    /// from `slabOffset` (an address inside the slab) only to be thrown away.
    static func spare(readingAt slabOffset: Int) -> PositionChunk {
        PositionChunk(slabOffset: slabOffset, outputOffset: 0, laneCount: 0)
    }
}

/// The three chunks a 4×24 tile spans: its 24 columns are three vectors of 8 positions.
struct TileChunks {
    var first: PositionChunk
    var second: PositionChunk
    var third: PositionChunk
}

/// The micro-kernels of the implicit-GEMM convolution (see the file header), on `SIMD8<Float>`
/// register tiles like `GEMMMicroKernel`'s.
enum ImplicitGEMMKernel {
    /// The forward tile: 4 filters × three 8-position chunks of a band, accumulated over every im2col
    /// row p, `out[f₀ + i, chunk j] (+)= Σₚ A[p, i] · slab-row(p)[chunk j]` with A a packed 4-filter
    /// panel (depth × 4). The 24 values of row p are read straight from the padded slab, at
    /// `slab + rowOffsets[p] + chunk j's slabOffset`, instead of from a packed panel — the GEMM
    /// micro-kernel with another B loader. Rows `0..<rows` are stored, chunk j at
    /// `c + chunk j's outputOffset` (its first `laneCount` lanes).
    @inline(__always)
    static func forward(depth: Int, a: UnsafePointer<Float>, slab: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>,
                        chunks: TileChunks, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, accumulate: Bool) {
        let s0 = UnsafeRawPointer(slab + chunks.first.slabOffset)
        let s1 = UnsafeRawPointer(slab + chunks.second.slabOffset)
        let s2 = UnsafeRawPointer(slab + chunks.third.slabOffset)
        let tile = GEMMMicroKernel.product(depth: depth, a: a) { p in
            let offset = rowOffsets[p] &* 4
            return (s0.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                    s1.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                    s2.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self))
        }
        storeTile(tile, to: c, ldc: ldc, rows: rows, chunks: chunks, accumulate: accumulate)
    }

    /// The weight-gradient kernel: a 4×3 tile of dWeight (4 filters × 3 im2col rows) as 12 vectors of
    /// per-lane partial sums, `lanes[i, j, t] (+)= Σ_k dOut[f₀+i, 8k + t] · slab-row(r₀+j)[chunk k, t]`.
    /// Both factors are contiguous along positions, so both are read in place — no packing, no
    /// transpose; lane t sums the positions ≡ t (mod 8), and the lanes are added only at the end.
    /// - Parameters:
    ///   - dOut: row f₀ of the output gradient at the band's first position; rows `ldOut` apart.
    ///   - rows: slab + rowOffsets[r₀ + j] for j = 0, 1, 2.
    ///   - chunkOffsets: slab offset of each 8-position chunk of the band.
    ///   - lanes: the tile's partial sums, `(i·laneRowStride + j)·8 + t`.
    @inline(__always)
    static func weightGradient(chunkCount: Int, dOut: UnsafePointer<Float>, ldOut: Int,
                               rows: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>),
                               chunkOffsets: UnsafePointer<Int>, lanes: UnsafeMutablePointer<Float>, laneRowStride: Int,
                               accumulate: Bool) {
        typealias V = SIMD8<Float>
        let laneRaw = UnsafeMutableRawPointer(lanes)
        @inline(__always) func start(_ i: Int, _ j: Int) -> V {
            accumulate ? laneRaw.loadUnaligned(fromByteOffset: (i * laneRowStride + j) * 32, as: V.self) : V()
        }
        var c00 = start(0, 0), c01 = start(0, 1), c02 = start(0, 2)
        var c10 = start(1, 0), c11 = start(1, 1), c12 = start(1, 2)
        var c20 = start(2, 0), c21 = start(2, 1), c22 = start(2, 2)
        var c30 = start(3, 0), c31 = start(3, 1), c32 = start(3, 2)
        let r0 = UnsafeRawPointer(rows.0), r1 = UnsafeRawPointer(rows.1), r2 = UnsafeRawPointer(rows.2)
        let a0 = UnsafeRawPointer(dOut), a1 = UnsafeRawPointer(dOut + ldOut)
        let a2 = UnsafeRawPointer(dOut + 2 * ldOut), a3 = UnsafeRawPointer(dOut + 3 * ldOut)
        for k in 0..<chunkCount {
            let offset = chunkOffsets[k] &* 4, position = k &* 32
            let b0 = r0.loadUnaligned(fromByteOffset: offset, as: V.self)
            let b1 = r1.loadUnaligned(fromByteOffset: offset, as: V.self)
            let b2 = r2.loadUnaligned(fromByteOffset: offset, as: V.self)
            let x0 = a0.loadUnaligned(fromByteOffset: position, as: V.self)
            c00 = c00.addingProduct(x0, b0); c01 = c01.addingProduct(x0, b1); c02 = c02.addingProduct(x0, b2)
            let x1 = a1.loadUnaligned(fromByteOffset: position, as: V.self)
            c10 = c10.addingProduct(x1, b0); c11 = c11.addingProduct(x1, b1); c12 = c12.addingProduct(x1, b2)
            let x2 = a2.loadUnaligned(fromByteOffset: position, as: V.self)
            c20 = c20.addingProduct(x2, b0); c21 = c21.addingProduct(x2, b1); c22 = c22.addingProduct(x2, b2)
            let x3 = a3.loadUnaligned(fromByteOffset: position, as: V.self)
            c30 = c30.addingProduct(x3, b0); c31 = c31.addingProduct(x3, b1); c32 = c32.addingProduct(x3, b2)
        }
        @inline(__always) func put(_ v: V, _ i: Int, _ j: Int) {
            laneRaw.storeBytes(of: v, toByteOffset: (i * laneRowStride + j) * 32, as: V.self)
        }
        put(c00, 0, 0); put(c01, 0, 1); put(c02, 0, 2)
        put(c10, 1, 0); put(c11, 1, 1); put(c12, 1, 2)
        put(c20, 2, 0); put(c21, 2, 1); put(c22, 2, 2)
        put(c30, 3, 0); put(c31, 3, 1); put(c32, 3, 2)
    }

    /// One element of the weight-gradient tile (for the edges of dWeight), in the same lane order.
    @inline(__always)
    static func weightGradientElement(chunkCount: Int, dOut: UnsafePointer<Float>, row: UnsafePointer<Float>,
                                      chunkOffsets: UnsafePointer<Int>, lanes: UnsafeMutablePointer<Float>,
                                      accumulate: Bool) {
        typealias V = SIMD8<Float>
        let laneRaw = UnsafeMutableRawPointer(lanes)
        var sum = accumulate ? laneRaw.loadUnaligned(as: V.self) : V()
        for k in 0..<chunkCount {
            sum = sum.addingProduct(UnsafeRawPointer(dOut + 8 * k).loadUnaligned(as: V.self),
                                    UnsafeRawPointer(row + chunkOffsets[k]).loadUnaligned(as: V.self))
        }
        laneRaw.storeBytes(of: sum, as: V.self)
    }

    typealias TileRow = GEMMMicroKernel.TileRow

    /// Adds the first `rows` rows of a 4×24 tile into an image — the scatter half of col2im: row i
    /// at `target + i·rowStride`, vector j at chunk j's `slabOffset`, only its first `laneCount` lanes.
    @inline(__always)
    static func addTile(_ tile: (TileRow, TileRow, TileRow, TileRow), to target: UnsafeMutablePointer<Float>,
                        rowStride: Int, rows: Int, chunks: TileChunks) {
        writeTile(tile, to: target, rowStride: rowStride, rows: rows, chunks: chunks, inSlab: true, accumulate: true)
    }

    /// Stores (or adds) the first `rows` rows of a 4×24 tile: row i at `c + i·ldc`, vector j at
    /// chunk j's `outputOffset`, only its first `laneCount` lanes.
    @inline(__always)
    static func storeTile(_ tile: (TileRow, TileRow, TileRow, TileRow), to c: UnsafeMutablePointer<Float>, ldc: Int,
                          rows: Int, chunks: TileChunks, accumulate: Bool) {
        writeTile(tile, to: c, rowStride: ldc, rows: rows, chunks: chunks, inSlab: false, accumulate: accumulate)
    }

    /// `addTile` (`inSlab`: at the chunks' slab offsets) and `storeTile` (at their output offsets).
    @inline(__always)
    private static func writeTile(_ tile: (TileRow, TileRow, TileRow, TileRow), to target: UnsafeMutablePointer<Float>,
                                  rowStride: Int, rows: Int, chunks: TileChunks, inSlab: Bool, accumulate: Bool) {
        @inline(__always) func write(_ row: TileRow, _ r: Int) {
            guard r < rows else { return }
            let rowStart = target + r * rowStride
            @inline(__always) func put(_ v: SIMD8<Float>, _ chunk: PositionChunk) {
                let offset = inSlab ? chunk.slabOffset : chunk.outputOffset, lanes = chunk.laneCount
                let raw = UnsafeMutableRawPointer(rowStart + offset)
                if lanes == 8 {
                    raw.storeBytes(of: accumulate ? raw.loadUnaligned(as: SIMD8<Float>.self) + v : v,
                                   as: SIMD8<Float>.self)
                } else {
                    // The last chunk of an output row whose width is not a multiple of 8.
                    for lane in 0..<lanes {
                        rowStart[offset + lane] = accumulate ? rowStart[offset + lane] + v[lane] : v[lane]
                    }
                }
            }
            put(row.0, chunks.first); put(row.1, chunks.second); put(row.2, chunks.third)
        }
        write(tile.0, 0); write(tile.1, 1); write(tile.2, 2); write(tile.3, 3)
    }
}

extension ConvolutionGeometry {
    /// Whether the implicit-GEMM forward and input-gradient kernels apply: stride 1 and dilation 1.
    var usesImplicitGEMM: Bool { isUnitStride }

    /// Whether the implicit-GEMM weight gradient applies: also Wo a multiple of 8. (Its dot products
    /// run over whole 8-position chunks; a partial chunk would multiply the slab values past the end
    /// of an output row — zero times a finite value, but NaN if the input holds an infinity.)
    var usesImplicitWeightGradient: Bool { isUnitStride && outputWidth % 8 == 0 }
}

/// Convolution forward by implicit GEMM (see the file header). Same contract as `conv2dNaive`;
/// requires `g.usesImplicitGEMM`.
func conv2dImplicitGEMM(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                        output: UnsafeMutablePointer<Float>) {
    let mr = GEMMMicroKernel.rowCount
    let patch = g.patchSize, plane = g.outputPlaneSize, wo = g.outputWidth
    let bands = g.implicitGEMMBands(filterCount: filterCount)
    // The weights, packed once for all images: ⌈F/4⌉ panels of patch × 4.
    let packedWeights = UnsafeMutablePointer<Float>.allocate(capacity: roundUp(filterCount, to: mr) * patch)
    defer { packedWeights.deallocate() }
    packPanelsOfA(weight, lda: patch, transposed: false, rowStart: 0, rowCount: filterCount,
                  depthStart: 0, depth: patch, into: packedWeights)
    let largestBandRows = bands.map(\.count).max() ?? 0
    let itemCount = batchCount * bands.count
    let work = batchCount * filterCount * plane * patch
    let inputPointer = SendableConstPointer(input), weightsPointer = SendableConstPointer(packedWeights)
    let biasPointer = bias.map(SendableConstPointer.init), outputPointer = SendablePointer(output)
    let workers = Parallelism.workerCount(work: work, of: .multiplyAdd)
    Parallelism.forEachChunkRange(itemCount, maxThreads: workers) { items in
        // The last chunk of a row may read up to 7 scalars past the slab (into lanes never stored).
        let slabSize = g.paddedSlabSize(bandRowCount: largestBandRows)
        let slab = UnsafeMutablePointer<Float>.allocate(capacity: slabSize + 8)
        (slab + slabSize).initialize(repeating: 0, count: 8)
        defer { slab.deallocate() }
        for item in items {
            let n = item / bands.count, band = bands[item % bands.count]
            let bandSize = band.count * wo
            let out = outputPointer.base + n * filterCount * plane + band.lowerBound * wo
            if let bias = biasPointer?.base {
                for f in 0..<filterCount { (out + f * plane).initialize(repeating: bias[f], count: bandSize) }
            }
            fillPaddedSlab(inputPointer.base + n * g.inputImageSize, geometry: g, band: band, slab: slab)
            let rowOffsets = g.slabOffsets(ofPatchRows: 0..<patch, bandRowCount: band.count)
            defer { rowOffsets.deallocate() }
            let chunkCount = g.positionChunkCount(rowCount: band.count)
            for k0 in stride(from: 0, to: chunkCount, by: 3) {
                let chunks = g.tileChunks(from: k0, chunkCount: chunkCount)
                for f0 in stride(from: 0, to: filterCount, by: mr) {
                    ImplicitGEMMKernel.forward(depth: patch, a: weightsPointer.base + f0 * patch, slab: slab,
                                               rowOffsets: rowOffsets, chunks: chunks, c: out + f0 * plane, ldc: plane,
                                               rows: Swift.min(mr, filterCount - f0), accumulate: biasPointer != nil)
                }
            }
        }
    }
}
