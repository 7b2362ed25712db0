// The input-gradient pass of the implicit-GEMM convolution: col2im folded into the GEMM (the scheme,
// the legend and the forward pass are in Convolution+ImplicitGEMM.swift; the readable route is
// Convolution.swift).

/// The input gradient `dx[n] = col2im(weightᵀ · dOut[n])` with the col2im folded into the GEMM:
/// each 4×24 tile of `weightᵀ · dOut` (4 im2col rows × 24 positions) is added straight into a
/// zero-padded image (the slab of the whole image) instead of being stored in a columns matrix.
/// Requires `g.usesImplicitGEMM`; overwrites `inputGradient`.
///
/// The 4 rows of a tile are 4 *channels* at the same (kh, kw), so they land in 4 different planes:
/// adjacent rows (c, kh, kw), (c, kh, kw+1) would add into overlapping addresses one store apart,
/// which stalls the CPU's store-to-load forwarding. Each image is one worker's, added in a fixed order.
func conv2dInputGradientImplicitGEMM(weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                     batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                                     inputGradient: UnsafeMutablePointer<Float>) {
    let mr = GEMMMicroKernel.rowCount, nr = GEMMMicroKernel.columnCount
    let (channels, kernelHeight, kernelWidth) = (g.channels, g.kernelHeight, g.kernelWidth)
    let plane = g.outputPlaneSize
    let slabRows = g.outputHeight + kernelHeight - 1, slabWidth = g.inputWidth + 2 * g.paddingWidth
    let slabSize = channels * slabRows * slabWidth
    // Panels of weightᵀ: panel (kh, kw, group) holds rows (4·group + i, kh, kw), i < 4, over depth F.
    let channelGroups = (channels + mr - 1) / mr
    let panelCount = kernelHeight * kernelWidth * channelGroups
    let packedWeights = UnsafeMutablePointer<Float>.allocate(capacity: panelCount * filterCount * mr)
    defer { packedWeights.deallocate() }
    for kh in 0..<kernelHeight {
        for kw in 0..<kernelWidth {
            for group in 0..<channelGroups {
                let panel = packedWeights + ((kh * kernelWidth + kw) * channelGroups + group) * filterCount * mr
                for f in 0..<filterCount {
                    for i in 0..<mr {
                        let c = group * mr + i
                        panel[f * mr + i] = c < channels
                            ? weight[((f * channels + c) * kernelHeight + kh) * kernelWidth + kw] : 0
                    }
                }
            }
        }
    }
    let work = batchCount * filterCount * plane * g.patchSize
    let weightsPointer = SendableConstPointer(packedWeights), gradientPointer = SendableConstPointer(outputGradient)
    let inputGradientPointer = SendablePointer(inputGradient)
    let workers = Parallelism.workerCount(work: work, of: .multiplyAdd)
    Parallelism.forEachChunkRange(batchCount, maxThreads: workers) { images in
        let slab = UnsafeMutablePointer<Float>.allocate(capacity: slabSize)
        let chunkCount = g.positionChunkCount(rowCount: g.outputHeight), tileCount = (chunkCount + 2) / 3
        let packedGradient = UnsafeMutablePointer<Float>.allocate(capacity: tileCount * filterCount * nr)
        defer { slab.deallocate(); packedGradient.deallocate() }
        for n in images {
            slab.initialize(repeating: 0, count: slabSize)
            packChunkPanels(gradientPointer.base + n * filterCount * plane, filterCount: filterCount, geometry: g,
                            into: packedGradient)
            for k0 in stride(from: 0, to: chunkCount, by: 3) {
                let chunks = g.tileChunks(from: k0, chunkCount: chunkCount)
                let gradientPanel = packedGradient + k0 / 3 * filterCount * nr
                for kh in 0..<kernelHeight {
                    for kw in 0..<kernelWidth {
                        for group in 0..<channelGroups {
                            let panel = weightsPointer.base
                                + ((kh * kernelWidth + kw) * channelGroups + group) * filterCount * mr
                            // dColumns[(4·group + i, kh, kw), 3 chunks] = Σ_f weight[f, ·] · dOut[f, ·] …
                            let tile = GEMMMicroKernel.product(depth: filterCount, a: panel, b: gradientPanel)
                            // … added where im2col read it from: padded[c, oh + kh, ow + kw].
                            let target = slab + ((group * mr) * slabRows + kh) * slabWidth + kw
                            ImplicitGEMMKernel.addTile(tile, to: target, rowStride: slabRows * slabWidth,
                                                       rows: Swift.min(mr, channels - group * mr), chunks: chunks)
                        }
                    }
                }
            }
            // The image is the interior of the padded slab.
            let image = inputGradientPointer.base + n * g.inputImageSize
            for c in 0..<channels {
                for h in 0..<g.inputHeight {
                    copyScalars(from: slab + (c * slabRows + h + g.paddingHeight) * slabWidth + g.paddingWidth,
                                to: image + (c * g.inputHeight + h) * g.inputWidth, count: g.inputWidth)
                }
            }
        }
    }
}

/// Packs one image's output gradient ([F, Ho·Wo]) as B panels of three 8-position chunks (the
/// layout `GEMMMicroKernel.product` reads: for each f, 24 scalars), lanes past the end of an output
/// row zero — so a partial chunk contributes exactly nothing.
func packChunkPanels(_ gradient: UnsafePointer<Float>, filterCount: Int, geometry g: ConvolutionGeometry,
                     into packed: UnsafeMutablePointer<Float>) {
    let nr = GEMMMicroKernel.columnCount, plane = g.outputPlaneSize
    if g.outputWidth % 8 == 0 {
        // Chunks are then just runs of 8 positions: the GEMM's own (vectorized) packing of [F, Ho·Wo].
        packPanelsOfB(gradient, ldb: plane, transposed: false, depthStart: 0, depth: filterCount,
                      columnStart: 0, columnCount: plane, into: packed)
        return
    }
    let chunkCount = g.positionChunkCount(rowCount: g.outputHeight)
    var destination = packed
    for k0 in stride(from: 0, to: chunkCount, by: 3) {
        for j in 0..<3 {
            let k = k0 + j
            let chunk = k < chunkCount ? g.positionChunk(k) : .spare(readingAt: 0)
            let source = gradient + chunk.outputOffset, lanes = chunk.laneCount
            for f in 0..<filterCount {
                let target = destination + f * nr + 8 * j
                if lanes == 8 {
                    copyScalars(from: source + f * plane, to: target, count: 8)
                } else {
                    for lane in 0..<8 { target[lane] = lane < lanes ? source[f * plane + lane] : 0 }
                }
            }
        }
        destination += filterCount * nr
    }
}
