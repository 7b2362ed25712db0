// The weight-gradient pass of the implicit-GEMM convolution (the scheme, the legend and the forward
// pass are in Convolution+ImplicitGEMM.swift; the readable route is Convolution.swift).

/// The weight gradient `dWeight[F, C·Kh·Kw] = Σₙ dOut[n] · im2col(x[n])ᵀ` by the implicit-GEMM
/// weight-gradient kernel (see the file header). Overwrites `weightGradient`; requires `g.usesImplicitWeightGradient`.
///
/// Order of the sums (fixed, whatever the thread count): items (image, band) are split into
/// `weightGradientGroupCount` groups of consecutive items; within a group every dWeight element keeps
/// 8 lane sums over the positions in order, item after item; the lanes are then added (`SIMD8.sum()`),
/// and the groups' results added in group order.
func conv2dWeightGradientImplicitGEMM(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                      batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                                      weightGradient: UnsafeMutablePointer<Float>) {
    let patch = g.patchSize, plane = g.outputPlaneSize, wo = g.outputWidth, weightSize = filterCount * patch
    let bands = g.implicitGEMMBands(filterCount: filterCount)
    let itemCount = batchCount * bands.count
    guard itemCount > 0 else {
        weightGradient.initialize(repeating: 0, count: weightSize)
        return
    }
    let groupCount = Swift.min(weightGradientGroupCount, itemCount)
    // One partial weight gradient per group, summed in group order below.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: groupCount * weightSize)
    defer { partials.deallocate() }
    let largestBandRows = bands.map(\.count).max() ?? 0
    let work = batchCount * filterCount * plane * patch
    let inputPointer = SendableConstPointer(input), gradientPointer = SendableConstPointer(outputGradient)
    let partialPointer = SendablePointer(partials)
    let workers = Parallelism.workerCount(work: work, of: .multiplyAdd)
    Parallelism.forEachChunkRange(groupCount, maxThreads: workers) { groups in
        let slab = UnsafeMutablePointer<Float>.allocate(capacity: g.paddedSlabSize(bandRowCount: largestBandRows))
        let lanes = UnsafeMutablePointer<Float>.allocate(capacity: weightSize * 8)
        let chunkOffsets = UnsafeMutablePointer<Int>.allocate(capacity: largestBandRows * wo / 8)
        defer { slab.deallocate(); lanes.deallocate(); chunkOffsets.deallocate() }
        for group in groups {
            var first = true
            for item in (group * itemCount / groupCount)..<((group + 1) * itemCount / groupCount) {
                let n = item / bands.count, band = bands[item % bands.count]
                let chunkCount = band.count * wo / 8
                let dOut = gradientPointer.base + n * filterCount * plane + band.lowerBound * wo
                fillPaddedSlab(inputPointer.base + n * g.inputImageSize, geometry: g, band: band, slab: slab)
                let rowOffsets = g.slabOffsets(ofPatchRows: 0..<patch, bandRowCount: band.count)
                defer { rowOffsets.deallocate() }
                for k in 0..<chunkCount { chunkOffsets[k] = g.positionChunk(k).slabOffset }
                let fullFilters = filterCount / 4 * 4, fullRows = patch / 3 * 3
                for f0 in stride(from: 0, to: fullFilters, by: 4) {
                    for r0 in stride(from: 0, to: fullRows, by: 3) {
                        ImplicitGEMMKernel.weightGradient(
                            chunkCount: chunkCount, dOut: dOut + f0 * plane, ldOut: plane,
                            rows: (UnsafePointer(slab + rowOffsets[r0]), UnsafePointer(slab + rowOffsets[r0 + 1]),
                                   UnsafePointer(slab + rowOffsets[r0 + 2])),
                            chunkOffsets: chunkOffsets, lanes: lanes + (f0 * patch + r0) * 8, laneRowStride: patch,
                            accumulate: !first)
                    }
                }
                // Edges: filters past the last 4-block (every row), im2col rows past the last 3-block
                // (every filter). Only those pairs are visited: testing every F·patch pair for the
                // condition would cost more than the edges themselves.
                for f in 0..<filterCount {
                    for r in (f >= fullFilters ? 0 : fullRows)..<patch {
                        ImplicitGEMMKernel.weightGradientElement(
                            chunkCount: chunkCount, dOut: dOut + f * plane, row: slab + rowOffsets[r],
                            chunkOffsets: chunkOffsets, lanes: lanes + (f * patch + r) * 8, accumulate: !first)
                    }
                }
                first = false
            }
            let partial = partialPointer.base + group * weightSize
            for i in 0..<weightSize {
                partial[i] = UnsafeRawPointer(lanes + 8 * i).loadUnaligned(as: SIMD8<Float>.self).sum()
            }
        }
    }
    weightGradient.update(from: partials, count: weightSize)
    for group in 1..<groupCount {
        binaryRun(AddKernel.self, UnsafePointer(weightGradient), 1, partials + group * weightSize, 1, weightGradient,
                  weightSize)
    }
}
