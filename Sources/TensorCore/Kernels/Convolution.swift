// 2-D convolution (cross-correlation, as in every deep-learning framework), forward and backward
// (legend in ConvolutionGeometry.swift):
//
//   out[n, f, oh, ow] = bias[f]
//                     + Σ_{c, kh, kw} weight[f, c, kh, kw] · x[n, c, oh·s − p + kh·d, ow·s − p + kw·d]
//
// Shapes: x [N, C, H, W], weight [F, C, Kh, Kw], bias [F], out [N, F, Ho, Wo].
//
// Stride 1 and dilation 1 (the 3×3 "same" convolutions of most CNNs) take a faster route that never
// builds the columns matrix (Convolution+ImplicitGEMM.swift; its weight gradient also needs Wo a
// multiple of 8). Every other geometry, and the text of chapter 03, is this one.
//
// Fast path, per image n (columns = im2col(x[n]), [C·Kh·Kw, Ho·Wo]):
//   forward          out[n]   = weight · columns + bias           (GEMM, M = F, K = C·Kh·Kw, N = Ho·Wo)
//   input gradient   dx[n]    = col2im(weightᵀ · dOut[n])         (GEMM with Aᵀ read in place)
//   weight gradient  dWeight += dOut[n] · columnsᵀ                (GEMM with Bᵀ read in place)
//   bias gradient    dBias[f] = Σ_{n, oh, ow} dOut[n, f, oh, ow]
//
// Parallelism: images are dealt to workers; each worker owns its im2col buffer and writes only its
// images' outputs. The weight gradient is a sum over images, so it is accumulated in a fixed number
// of groups of consecutive images (`weightGradientGroupCount`, independent of the thread count) that
// are added up in order at the end — the same sums in the same order for 1 or 16 threads.

/// The direct convolution: seven nested loops, the oracle of the tests and the text of chapter 03.
public func conv2dNaive(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                        output: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (g.outputHeight, g.outputWidth)
    for n in 0..<batchCount {
        for f in 0..<filterCount {
            for oh in 0..<ho {
                for ow in 0..<wo {
                    var sum: Float = bias?[f] ?? 0
                    for c in 0..<g.channels {
                        for kh in 0..<g.kernelHeight {
                            for kw in 0..<g.kernelWidth {
                                let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                                let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                                guard ih >= 0, ih < g.inputHeight, iw >= 0, iw < g.inputWidth else { continue }
                                sum += weight[((f * g.channels + c) * g.kernelHeight + kh) * g.kernelWidth + kw]
                                    * input[((n * g.channels + c) * g.inputHeight + ih) * g.inputWidth + iw]
                            }
                        }
                    }
                    output[((n * filterCount + f) * ho + oh) * wo + ow] = sum
                }
            }
        }
    }
}

/// The backward pass by the same direct loops: every product `weight · x` of the forward pass
/// sends `dOut` to both factors. Any output pointer may be nil to skip that gradient; the others
/// are overwritten.
public func conv2dBackwardNaive(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>, batchCount: Int, filterCount: Int,
                                geometry g: ConvolutionGeometry, inputGradient: UnsafeMutablePointer<Float>?,
                                weightGradient: UnsafeMutablePointer<Float>?,
                                biasGradient: UnsafeMutablePointer<Float>?) {
    let (ho, wo) = (g.outputHeight, g.outputWidth)
    inputGradient?.initialize(repeating: 0, count: batchCount * g.inputImageSize)
    weightGradient?.initialize(repeating: 0, count: filterCount * g.patchSize)
    biasGradient?.initialize(repeating: 0, count: filterCount)
    for n in 0..<batchCount {
        for f in 0..<filterCount {
            for oh in 0..<ho {
                for ow in 0..<wo {
                    let upstream = outputGradient[((n * filterCount + f) * ho + oh) * wo + ow]
                    biasGradient?[f] += upstream
                    for c in 0..<g.channels {
                        for kh in 0..<g.kernelHeight {
                            for kw in 0..<g.kernelWidth {
                                let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                                let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                                guard ih >= 0, ih < g.inputHeight, iw >= 0, iw < g.inputWidth else { continue }
                                let w = ((f * g.channels + c) * g.kernelHeight + kh) * g.kernelWidth + kw
                                let x = ((n * g.channels + c) * g.inputHeight + ih) * g.inputWidth + iw
                                weightGradient?[w] += upstream * input[x]
                                inputGradient?[x] += upstream * weight[w]
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Number of image groups the weight gradient is accumulated in (fixed, so results do not depend
/// on the thread count; 8 keeps up to 8 cores busy).
public let weightGradientGroupCount = 8

/// Convolution forward by im2col + GEMM (see the file header). Same contract as `conv2dNaive`.
public func conv2d(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                   batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                   output: UnsafeMutablePointer<Float>) {
    if g.usesImplicitGEMM {
        // The common case (3×3 "same" convolutions): im2col never materialized.
        conv2dImplicitGEMM(input: input, weight: weight, bias: bias, batchCount: batchCount,
                           filterCount: filterCount, geometry: g, output: output)
        return
    }
    let plane = g.outputPlaneSize, patch = g.patchSize
    // Enough work and images to share (the cost model, `Parallelism.workerCount`): one image per
    // worker with single-threaded GEMMs. Otherwise images run in turn, each GEMM deciding for itself.
    let workers = Parallelism.workerCount(work: batchCount * filterCount * plane * patch, of: .multiplyAdd)
    let parallelOverImages = workers > 1 && batchCount >= workers
    let inputPointer = SendableConstPointer(input), weightPointer = SendableConstPointer(weight)
    let biasPointer = bias.map(SendableConstPointer.init), outputPointer = SendablePointer(output)
    let bands = g.outputRowBands
    Parallelism.forEachChunkRange(batchCount, maxThreads: parallelOverImages ? workers : 1) { images in
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.largestBandSize)
        defer { columns.deallocate() }
        for n in images {
            let out = outputPointer.base + n * filterCount * plane
            for band in bands {
                let bandStart = band.lowerBound * g.outputWidth, bandSize = band.count * g.outputWidth
                if let bias = biasPointer?.base {
                    // Start the band from the bias and let the GEMM accumulate onto it (band by band,
                    // so the output is still in cache when the GEMM reads it back).
                    for f in 0..<filterCount {
                        (out + f * plane + bandStart).initialize(repeating: bias[f], count: bandSize)
                    }
                }
                im2col(inputPointer.base + n * g.inputImageSize, geometry: g, outputRows: band, columns: columns)
                // out[n][:, band] (+)= weight · columns   — C rows are `plane` apart.
                gemm(m: filterCount, n: bandSize, k: patch, a: weightPointer.base, lda: patch, transposeA: false,
                     b: columns, ldb: bandSize, transposeB: false, c: out + bandStart, ldc: plane,
                     accumulate: biasPointer != nil, threads: parallelOverImages ? 1 : nil)
            }
        }
    }
}

/// Convolution backward by im2col + GEMM + col2im. Same contract as `conv2dBackwardNaive`: each
/// non-nil gradient is overwritten, by its own function below.
public func conv2dBackward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           outputGradient: UnsafePointer<Float>, batchCount: Int, filterCount: Int,
                           geometry g: ConvolutionGeometry, inputGradient: UnsafeMutablePointer<Float>?,
                           weightGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?) {
    if let biasGradient {
        conv2dBiasGradient(outputGradient: outputGradient, batchCount: batchCount, filterCount: filterCount,
                           geometry: g, biasGradient: biasGradient)
    }
    if let weightGradient {
        conv2dWeightGradient(input: input, outputGradient: outputGradient, batchCount: batchCount,
                             filterCount: filterCount, geometry: g, weightGradient: weightGradient)
    }
    if let inputGradient {
        conv2dInputGradient(weight: weight, outputGradient: outputGradient, batchCount: batchCount,
                            filterCount: filterCount, geometry: g, inputGradient: inputGradient)
    }
}

/// The bias gradient `dBias[f] = Σ_{n, oh, ow} dOut[n, f, oh, ow]`, [F] (overwritten): per (f, n) a
/// vector sum over the output plane, added over n in order.
public func conv2dBiasGradient(outputGradient: UnsafePointer<Float>, batchCount: Int, filterCount: Int,
                               geometry g: ConvolutionGeometry, biasGradient: UnsafeMutablePointer<Float>) {
    let plane = g.outputPlaneSize
    let gradientPointer = SendableConstPointer(outputGradient), biasPointer = SendablePointer(biasGradient)
    // Filters are independent sums: dealt to workers, each summed over the images in order.
    let workers = Parallelism.workerCount(work: batchCount * filterCount * plane, of: .elementwise)
    Parallelism.forEachChunkRange(filterCount, maxThreads: workers) { filters in
        for f in filters {
            var total: Float = 0
            for n in 0..<batchCount {
                total += sumContiguous(gradientPointer.base + (n * filterCount + f) * plane, count: plane)
            }
            biasPointer.base[f] = total
        }
    }
}

/// The weight gradient `dWeight[F, C·Kh·Kw] = Σₙ dOut[n] · im2col(x[n])ᵀ` (overwritten): by the
/// implicit-GEMM kernel where it applies (ConvolutionWeightGradient+ImplicitGEMM.swift), otherwise one
/// GEMM per band of output rows with the im2col columns read transposed in place.
///
/// A sum over images: each of `weightGradientGroupCount` groups of consecutive images accumulates
/// its own partial gradient, and the partials are added in group order — the same sums in the same
/// order for any thread count.
public func conv2dWeightGradient(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                 batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                                 weightGradient: UnsafeMutablePointer<Float>) {
    if g.usesImplicitWeightGradient {
        conv2dWeightGradientImplicitGEMM(input: input, outputGradient: outputGradient, batchCount: batchCount,
                                         filterCount: filterCount, geometry: g, weightGradient: weightGradient)
        return
    }
    let plane = g.outputPlaneSize, patch = g.patchSize, weightSize = filterCount * patch
    guard batchCount > 0 else {
        weightGradient.initialize(repeating: 0, count: weightSize)
        return
    }
    let groupCount = min(weightGradientGroupCount, batchCount)
    // One partial weight gradient per group of consecutive images, summed in group order below.
    let partials = UnsafeMutablePointer<Float>.allocate(capacity: groupCount * weightSize)
    defer { partials.deallocate() }
    let inputPointer = SendableConstPointer(input), gradientPointer = SendableConstPointer(outputGradient)
    let partialPointer = SendablePointer(partials)
    // Enough work and groups to share: one group per worker with single-threaded GEMMs; otherwise
    // groups run in turn, each GEMM deciding for itself.
    let workers = Parallelism.workerCount(work: batchCount * filterCount * plane * patch, of: .multiplyAdd)
    let parallelOverGroups = workers > 1 && groupCount >= workers
    let bands = g.outputRowBands
    Parallelism.forEachChunkRange(groupCount, maxThreads: parallelOverGroups ? workers : 1) { groups in
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.largestBandSize)
        defer { columns.deallocate() }
        for group in groups {
            let images = (group * batchCount / groupCount)..<((group + 1) * batchCount / groupCount)
            let partial = partialPointer.base + group * weightSize
            for n in images {
                let dOut = gradientPointer.base + n * filterCount * plane
                for band in bands {
                    let bandStart = band.lowerBound * g.outputWidth, bandSize = band.count * g.outputWidth
                    im2col(inputPointer.base + n * g.inputImageSize, geometry: g, outputRows: band, columns: columns)
                    // partial[F, C·Kh·Kw] (+)= dOut[n][:, band] · columnsᵀ
                    gemm(m: filterCount, n: patch, k: bandSize, a: dOut + bandStart, lda: plane, transposeA: false,
                         b: columns, ldb: bandSize, transposeB: true, c: partial, ldc: patch,
                         accumulate: n != images.lowerBound || band != bands[0],
                         threads: parallelOverGroups ? 1 : nil)
                }
            }
        }
    }
    weightGradient.update(from: partials, count: weightSize)
    for group in 1..<groupCount {
        binaryRun(AddKernel.self, UnsafePointer(weightGradient), 1, partials + group * weightSize, 1, weightGradient,
                  weightSize)
    }
}

/// The input gradient `dx[n] = col2im(weightᵀ · dOut[n])`, [N, C, H, W] (overwritten): by the
/// implicit-GEMM kernel for stride 1 and dilation 1 (ConvolutionInputGradient+ImplicitGEMM.swift),
/// otherwise per band of output rows one GEMM with the weight read transposed in place, whose
/// columns col2im adds back onto the pixels im2col read them from. Each image is one worker's.
public func conv2dInputGradient(weight: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                batchCount: Int, filterCount: Int, geometry g: ConvolutionGeometry,
                                inputGradient: UnsafeMutablePointer<Float>) {
    if g.usesImplicitGEMM {
        conv2dInputGradientImplicitGEMM(weight: weight, outputGradient: outputGradient, batchCount: batchCount,
                                        filterCount: filterCount, geometry: g, inputGradient: inputGradient)
        return
    }
    let plane = g.outputPlaneSize, patch = g.patchSize
    // As in the forward pass: one image per worker with single-threaded GEMMs, or images in turn.
    let workers = Parallelism.workerCount(work: batchCount * filterCount * plane * patch, of: .multiplyAdd)
    let parallelOverImages = workers > 1 && batchCount >= workers
    let weightPointer = SendableConstPointer(weight), gradientPointer = SendableConstPointer(outputGradient)
    let inputGradientPointer = SendablePointer(inputGradient)
    let bands = g.outputRowBands
    Parallelism.forEachChunkRange(batchCount, maxThreads: parallelOverImages ? workers : 1) { images in
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.largestBandSize)
        defer { columns.deallocate() }
        for n in images {
            let dOut = gradientPointer.base + n * filterCount * plane
            let image = inputGradientPointer.base + n * g.inputImageSize
            image.initialize(repeating: 0, count: g.inputImageSize)
            for band in bands {
                let bandStart = band.lowerBound * g.outputWidth, bandSize = band.count * g.outputWidth
                // dColumns [C·Kh·Kw, band] = weightᵀ · dOut[n][:, band], folded back onto the image.
                gemm(m: patch, n: bandSize, k: filterCount, a: weightPointer.base, lda: patch, transposeA: true,
                     b: dOut + bandStart, ldb: plane, transposeB: false, c: columns, ldc: bandSize,
                     accumulate: false, threads: parallelOverImages ? 1 : nil)
                col2im(columns, geometry: g, outputRows: band, image: image)
            }
        }
    }
}
