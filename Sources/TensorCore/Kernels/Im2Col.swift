// im2col and col2im (legend in ConvolutionGeometry.swift).
//
// im2col turns one image [C, H, W] into a matrix [C·Kh·Kw, Ho·Wo] whose column (oh, ow) holds the
// C·Kh·Kw input values under the kernel placed at output position (oh, ow) (zero where the kernel
// hangs over the padding). A convolution is then one matrix product:
//     out[F, Ho·Wo] = weight[F, C·Kh·Kw] · columns[C·Kh·Kw, Ho·Wo]
// (Chellapilla et al., "High Performance Convolutional Neural Networks for Document Processing", 2006).
// col2im is its adjoint: it *adds* every column entry back onto the input pixel it was read from,
// which is exactly the gradient of im2col — the input gradient of a convolution is col2im(weightᵀ · dOut).

/// Fills `columns` ([C·Kh·Kw, Ho·Wo]) from one image ([C, H, W]).
///
/// With `outputRows`, only the band of output rows `oh ∈ outputRows` is built: `columns` is then
/// [C·Kh·Kw, outputRows.count·Wo]. The convolution drivers work band by band so that the buffer
/// stays in the L2 cache between im2col, the GEMMs and col2im.
public func im2col(_ image: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
                   outputRows: Range<Int>? = nil, columns: UnsafeMutablePointer<Float>) {
    let band = outputRows ?? 0..<g.outputHeight
    if g.isUnitStride {
        im2colUnitStride(image, geometry: g, band: band, columns: columns)
        return
    }
    let (ho, wo) = (band.count, g.outputWidth)
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * g.inputHeight * g.inputWidth
        for kh in 0..<g.kernelHeight {
            let rowOffset = kh * g.dilationHeight - g.paddingHeight
            let validRows = ConvolutionGeometry.validOutputRange(offset: rowOffset, stride: g.strideHeight,
                                                                 size: g.inputHeight, outputSize: g.outputHeight)
            for kw in 0..<g.kernelWidth {
                let columnOffset = kw * g.dilationWidth - g.paddingWidth
                let validColumns = ConvolutionGeometry.validOutputRange(offset: columnOffset, stride: g.strideWidth,
                                                                        size: g.inputWidth, outputSize: wo)
                let target = columns + row * ho * wo
                for oh in band {
                    let out = target + (oh - band.lowerBound) * wo
                    guard validRows.contains(oh), !validColumns.isEmpty else {
                        for ow in 0..<wo { out[ow] = 0 }
                        continue
                    }
                    let inputRow = plane + (oh * g.strideHeight + rowOffset) * g.inputWidth
                    // Rows are short (often 32 scalars): inline loops beat memset/memmove calls.
                    for ow in 0..<validColumns.lowerBound { out[ow] = 0 }
                    if g.strideWidth == 1 {
                        copyScalars(from: inputRow + validColumns.lowerBound + columnOffset,
                                    to: out + validColumns.lowerBound, count: validColumns.count)
                    } else {
                        for ow in validColumns { out[ow] = inputRow[ow * g.strideWidth + columnOffset] }
                    }
                    for ow in validColumns.upperBound..<wo { out[ow] = 0 }
                }
                row += 1
            }
        }
    }
}

/// Adds `columns` ([C·Kh·Kw, Ho·Wo], or the band `outputRows` of it as in `im2col`) back into one
/// image gradient ([C, H, W]); the caller zeroes `image` first. Padding positions are dropped.
public func col2im(_ columns: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
                   outputRows: Range<Int>? = nil, image: UnsafeMutablePointer<Float>) {
    let band = outputRows ?? 0..<g.outputHeight
    if g.isUnitStride {
        col2imUnitStride(columns, geometry: g, band: band, image: image)
        return
    }
    let (ho, wo) = (band.count, g.outputWidth)
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * g.inputHeight * g.inputWidth
        for kh in 0..<g.kernelHeight {
            let rowOffset = kh * g.dilationHeight - g.paddingHeight
            let validRows = ConvolutionGeometry.validOutputRange(offset: rowOffset, stride: g.strideHeight,
                                                                 size: g.inputHeight, outputSize: g.outputHeight)
            for kw in 0..<g.kernelWidth {
                let columnOffset = kw * g.dilationWidth - g.paddingWidth
                let validColumns = ConvolutionGeometry.validOutputRange(offset: columnOffset, stride: g.strideWidth,
                                                                        size: g.inputWidth, outputSize: wo)
                let source = columns + row * ho * wo
                for oh in validRows.clamped(to: band) {
                    let inputRow = plane + (oh * g.strideHeight + rowOffset) * g.inputWidth
                    let column = source + (oh - band.lowerBound) * wo
                    if g.strideWidth == 1 && !validColumns.isEmpty {
                        let target = inputRow + validColumns.lowerBound + columnOffset
                        binaryRun(AddKernel.self, UnsafePointer(target), 1, column + validColumns.lowerBound, 1, target,
                                  validColumns.count)
                    } else {
                        for ow in validColumns { inputRow[ow * g.strideWidth + columnOffset] += column[ow] }
                    }
                }
                row += 1
            }
        }
    }
}

// MARK: - Stride 1, dilation 1: through a zero-padded slab
//
// With unit stride and dilation, column (oh, ow) of row (c, kh, kw) reads padded[c, oh + kh, ow + kw]
// of the zero-padded image. Copying the band's input rows into a padded slab once turns every
// im2col row segment into one contiguous copy of Wo scalars, with no edge cases; col2im adds into
// such a slab, then adds its interior back onto the image.

extension ConvolutionGeometry {
    /// Stride 1 and dilation 1 in both directions.
    var isUnitStride: Bool { strideHeight == 1 && strideWidth == 1 && dilationHeight == 1 && dilationWidth == 1 }
}

/// Runs `body(slab, slabRows, slabWidth)` with scratch space for the padded rows of a band:
/// padded rows `band.lowerBound ..< band.upperBound + Kh − 1` (padded row r is input row
/// r − paddingHeight), each `W + 2·paddingWidth` wide, for every channel.
private func withPaddedSlab<R>(_ g: ConvolutionGeometry, band: Range<Int>,
                               _ body: (UnsafeMutablePointer<Float>, Int, Int) -> R) -> R {
    let slab = UnsafeMutablePointer<Float>.allocate(capacity: g.paddedSlabSize(bandRowCount: band.count))
    defer { slab.deallocate() }
    return body(slab, band.count + g.kernelHeight - 1, g.inputWidth + 2 * g.paddingWidth)
}

extension ConvolutionGeometry {
    /// Scalars in the padded slab of a band of `bandRowCount` output rows (unit stride):
    /// C · (rows + Kh − 1) · (W + 2·paddingWidth).
    func paddedSlabSize(bandRowCount: Int) -> Int {
        channels * (bandRowCount + kernelHeight - 1) * (inputWidth + 2 * paddingWidth)
    }
}

/// Copies the input rows under a band of output rows into a zero-padded slab
/// ([C, band.count + Kh − 1, W + 2·paddingWidth]; unit stride and dilation), so that im2col row
/// (c, kh, kw) at band position (oh, ow) is `slab[c, oh + kh, ow + kw]`.
func fillPaddedSlab(_ image: UnsafePointer<Float>, geometry g: ConvolutionGeometry, band: Range<Int>,
                    slab: UnsafeMutablePointer<Float>) {
    let slabRows = band.count + g.kernelHeight - 1, slabWidth = g.inputWidth + 2 * g.paddingWidth
    for c in 0..<g.channels {
        for r in 0..<slabRows {
            let target = slab + (c * slabRows + r) * slabWidth
            let inputRow = band.lowerBound + r - g.paddingHeight
            if inputRow < 0 || inputRow >= g.inputHeight {
                for i in 0..<slabWidth { target[i] = 0 }
            } else {
                for i in 0..<g.paddingWidth { target[i] = 0; target[slabWidth - 1 - i] = 0 }
                copyScalars(from: image + (c * g.inputHeight + inputRow) * g.inputWidth, to: target + g.paddingWidth,
                            count: g.inputWidth)
            }
        }
    }
}

func im2colUnitStride(_ image: UnsafePointer<Float>, geometry g: ConvolutionGeometry, band: Range<Int>,
                      columns: UnsafeMutablePointer<Float>) {
    let wo = g.outputWidth, bandSize = band.count * g.outputWidth
    withPaddedSlab(g, band: band) { slab, slabRows, slabWidth in
        fillPaddedSlab(image, geometry: g, band: band, slab: slab)
        var row = 0
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let target = columns + row * bandSize
                    for oh in 0..<band.count {
                        copyScalars(from: slab + (c * slabRows + oh + kh) * slabWidth + kw, to: target + oh * wo,
                                    count: wo)
                    }
                    row += 1
                }
            }
        }
    }
}

func col2imUnitStride(_ columns: UnsafePointer<Float>, geometry g: ConvolutionGeometry, band: Range<Int>,
                      image: UnsafeMutablePointer<Float>) {
    let wo = g.outputWidth, bandSize = band.count * g.outputWidth
    withPaddedSlab(g, band: band) { slab, slabRows, slabWidth in
        slab.initialize(repeating: 0, count: g.channels * slabRows * slabWidth)
        var row = 0
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let source = columns + row * bandSize
                    for oh in 0..<band.count {
                        let target = slab + (c * slabRows + oh + kh) * slabWidth + kw
                        binaryRun(AddKernel.self, UnsafePointer(target), 1, source + oh * wo, 1, target, wo)
                    }
                    row += 1
                }
            }
        }
        for c in 0..<g.channels {
            for r in 0..<slabRows {
                let inputRow = band.lowerBound + r - g.paddingHeight
                guard inputRow >= 0 && inputRow < g.inputHeight else { continue }
                let target = image + (c * g.inputHeight + inputRow) * g.inputWidth
                binaryRun(AddKernel.self, UnsafePointer(target), 1,
                          slab + (c * slabRows + r) * slabWidth + g.paddingWidth, 1, target, g.inputWidth)
            }
        }
    }
}

/// Copies `count` scalars with vector loads and stores (no library call).
@inline(__always)
func copyScalars(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
    let rawSource = UnsafeRawPointer(source), rawTarget = UnsafeMutableRawPointer(target)
    var i = 0
    while i + 8 <= count {
        rawTarget.storeBytes(of: rawSource.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self),
                             toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count { target[i] = source[i]; i += 1 }
}

/// im2col by the definition, one element at a time (the oracle of the tests).
public func im2colNaive(_ image: UnsafePointer<Float>, geometry g: ConvolutionGeometry,
                        columns: UnsafeMutablePointer<Float>) {
    let (ho, wo) = (g.outputHeight, g.outputWidth)
    for c in 0..<g.channels {
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let row = (c * g.kernelHeight + kh) * g.kernelWidth + kw
                for oh in 0..<ho {
                    for ow in 0..<wo {
                        let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                        let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                        let inside = ih >= 0 && ih < g.inputHeight && iw >= 0 && iw < g.inputWidth
                        columns[row * ho * wo + oh * wo + ow] = inside
                            ? image[(c * g.inputHeight + ih) * g.inputWidth + iw] : 0
                    }
                }
            }
        }
    }
}
