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
    // Enough images to share: one image per worker with single-threaded GEMMs. Otherwise (a batch
    // smaller than the thread count) images run in turn with the parallel GEMM.
    let parallelOverImages = batchCount >= Parallelism.threadCount
    let inputPointer = SendableConstPointer(input), weightPointer = SendableConstPointer(weight)
    let biasPointer = bias.map(SendableConstPointer.init), outputPointer = SendablePointer(output)
    let bands = g.outputRowBands
    Parallelism.forEachChunkRange(batchCount, maxThreads: parallelOverImages ? nil : 1) { images in
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

/// Convolution backward by im2col + GEMM + col2im. Same contract as `conv2dBackwardNaive`.
public func conv2dBackward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           outputGradient: UnsafePointer<Float>, batchCount: Int, filterCount: Int,
                           geometry g: ConvolutionGeometry, inputGradient: UnsafeMutablePointer<Float>?,
                           weightGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?) {
    let plane = g.outputPlaneSize, patch = g.patchSize
    if let biasGradient {
        // dBias[f] = Σₙ Σ_{plane} dOut[n, f, ·]: per (f, n) a vector sum, added over n in order.
        for f in 0..<filterCount {
            var total: Float = 0
            for n in 0..<batchCount {
                total += sumContiguous(outputGradient + (n * filterCount + f) * plane, count: plane)
            }
            biasGradient[f] = total
        }
    }
    var inputGradient = inputGradient, weightGradient = weightGradient
    if g.usesImplicitGEMM {
        // Implicit-GEMM kernels (Convolution+ImplicitGEMM.swift) for what they cover; the rest below.
        if let target = weightGradient, g.usesImplicitWeightGradient {
            conv2dWeightGradientImplicitGEMM(input: input, outputGradient: outputGradient, batchCount: batchCount,
                                             filterCount: filterCount, geometry: g, weightGradient: target)
            weightGradient = nil
        }
        if let target = inputGradient {
            conv2dInputGradientImplicitGEMM(weight: weight, outputGradient: outputGradient, batchCount: batchCount,
                                            filterCount: filterCount, geometry: g, inputGradient: target)
            inputGradient = nil
        }
    }
    guard inputGradient != nil || weightGradient != nil else { return }
    guard batchCount > 0 else {
        weightGradient?.initialize(repeating: 0, count: filterCount * patch)
        return
    }
    let groupCount = min(weightGradientGroupCount, batchCount)
    let weightSize = filterCount * patch
    // One partial weight gradient per group of consecutive images, summed in group order below.
    let partialWeightGradients = UnsafeMutablePointer<Float>.allocate(capacity: weightGradient == nil
                                                                          ? 0 : groupCount * weightSize)
    defer { partialWeightGradients.deallocate() }
    let inputPointer = SendableConstPointer(input), weightPointer = SendableConstPointer(weight)
    let gradientPointer = SendableConstPointer(outputGradient)
    let inputGradientPointer = inputGradient.map(SendablePointer.init)
    let partialPointer = SendablePointer(partialWeightGradients)
    let computeWeightGradient = weightGradient != nil
    let parallelOverGroups = groupCount >= Parallelism.threadCount
    let bands = g.outputRowBands
    Parallelism.forEachChunkRange(groupCount, maxThreads: parallelOverGroups ? nil : 1) { groups in
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: g.largestBandSize)
        defer { columns.deallocate() }
        let gemmThreads = parallelOverGroups ? 1 : nil
        for group in groups {
            let images = (group * batchCount / groupCount)..<((group + 1) * batchCount / groupCount)
            let partial = partialPointer.base + group * weightSize
            for n in images {
                let dOut = gradientPointer.base + n * filterCount * plane
                let image = inputGradientPointer.map { $0.base + n * g.inputImageSize }
                image?.initialize(repeating: 0, count: g.inputImageSize)
                for band in bands {
                    let bandStart = band.lowerBound * g.outputWidth, bandSize = band.count * g.outputWidth
                    if computeWeightGradient {
                        im2col(inputPointer.base + n * g.inputImageSize, geometry: g, outputRows: band,
                               columns: columns)
                        // dWeight[F, C·Kh·Kw] (+)= dOut[n][:, band] · columnsᵀ
                        gemm(m: filterCount, n: patch, k: bandSize, a: dOut + bandStart, lda: plane, transposeA: false,
                             b: columns, ldb: bandSize, transposeB: true, c: partial, ldc: patch,
                             accumulate: n != images.lowerBound || band != bands[0], threads: gemmThreads)
                    }
                    if let image {
                        // dColumns [C·Kh·Kw, band] = weightᵀ · dOut[n][:, band], folded back onto the image.
                        gemm(m: patch, n: bandSize, k: filterCount, a: weightPointer.base, lda: patch, transposeA: true,
                             b: dOut + bandStart, ldb: plane, transposeB: false, c: columns, ldc: bandSize,
                             accumulate: false, threads: gemmThreads)
                        col2im(columns, geometry: g, outputRows: band, image: image)
                    }
                }
            }
        }
    }
    if let weightGradient {
        weightGradient.update(from: partialWeightGradients, count: weightSize)
        for group in 1..<groupCount {
            let partial = partialWeightGradients + group * weightSize
            binaryRun(AddKernel.self, UnsafePointer(weightGradient), 1, partial, 1, weightGradient, weightSize)
        }
    }
}
