// The geometry shared by every 2-D convolution and pooling kernel.
//
// Legend (used in Im2Col.swift, Convolution.swift, Pooling.swift):
//   N batch, C input channels, H×W input height × width,
//   F output channels (filters), Kh×Kw kernel, Ho×Wo output height × width,
//   s stride, p zero padding (each side), d dilation (spacing between kernel taps).
//   Ho = ⌊(H + 2p − d(Kh − 1) − 1) / s⌋ + 1, and the same for Wo.

/// Sizes, stride, padding and dilation of a 2-D convolution or pooling window.
public struct ConvolutionGeometry: Sendable, Equatable {
    /// C, the number of input channels.
    public var channels: Int
    /// H, the input height in pixels (before padding).
    public var inputHeight: Int
    /// W, the input width in pixels (before padding).
    public var inputWidth: Int
    /// Kh, the kernel (window) height in taps.
    public var kernelHeight: Int
    /// Kw, the kernel (window) width in taps.
    public var kernelWidth: Int
    /// s along the height: rows the window moves between two output rows.
    public var strideHeight: Int
    /// s along the width: columns the window moves between two output columns.
    public var strideWidth: Int
    /// p along the height: zero rows added above and below the input.
    public var paddingHeight: Int
    /// p along the width: zero columns added left and right of the input.
    public var paddingWidth: Int
    /// d along the height: spacing between kernel taps (1 is a dense kernel; d spans d(Kh − 1) + 1 rows).
    public var dilationHeight: Int
    /// d along the width: spacing between kernel taps (1 is a dense kernel; d spans d(Kw − 1) + 1 columns).
    public var dilationWidth: Int

    /// Square stride, padding and dilation (the usual case).
    public init(channels: Int, inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.init(channels: channels, inputHeight: inputHeight, inputWidth: inputWidth,
                  kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                  strideHeight: stride, strideWidth: stride, paddingHeight: padding, paddingWidth: padding,
                  dilationHeight: dilation, dilationWidth: dilation)
    }

    /// Separate stride, padding and dilation per axis. Sizes, stride and dilation must be positive and
    /// padding non-negative (a precondition names the offending values). The output size per axis is
    /// Ho = ⌊(H + 2p − d(Kh − 1) − 1) / s⌋ + 1, and the same for Wo.
    public init(channels: Int, inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int, strideWidth: Int, paddingHeight: Int, paddingWidth: Int,
                dilationHeight: Int, dilationWidth: Int) {
        checkPrecondition(channels > 0 && inputHeight > 0 && inputWidth > 0 && kernelHeight > 0 && kernelWidth > 0,
                     "ConvolutionGeometry: sizes must be positive (C \(channels), "
                     + "H×W \(inputHeight)×\(inputWidth), K \(kernelHeight)×\(kernelWidth))")
        checkPrecondition(strideHeight > 0 && strideWidth > 0 && dilationHeight > 0 && dilationWidth > 0
                          && paddingHeight >= 0 && paddingWidth >= 0,
                     "ConvolutionGeometry: stride and dilation must be positive, padding non-negative")
        self.channels = channels; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.paddingHeight = paddingHeight; self.paddingWidth = paddingWidth
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        checkPrecondition(outputHeight > 0 && outputWidth > 0,
                     "ConvolutionGeometry: a \(kernelHeight)×\(kernelWidth) window (dilation "
                     + "\(dilationHeight)×\(dilationWidth)) does not fit the padded "
                     + "\(inputHeight)×\(inputWidth) input")
    }

    /// Ho = ⌊(H + 2p − d(Kh − 1) − 1) / s⌋ + 1.
    public var outputHeight: Int {
        (inputHeight + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
    }
    /// Wo = ⌊(W + 2p − d(Kw − 1) − 1) / s⌋ + 1.
    public var outputWidth: Int {
        (inputWidth + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
    }
    /// Rows of the im2col matrix: C·Kh·Kw.
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the im2col matrix: Ho·Wo.
    public var outputPlaneSize: Int { outputHeight * outputWidth }
    /// Scalars in one input image: C·H·W.
    public var inputImageSize: Int { channels * inputHeight * inputWidth }

    /// Bands of output rows whose im2col buffer ([C·Kh·Kw, rows·Wo]) holds about 64 Ki scalars
    /// (256 KiB, half of a Zen 3 core's L2), so im2col, the GEMMs and col2im of one band share
    /// the cache. Depends only on the geometry, never on the thread count.
    public var outputRowBands: [Range<Int>] {
        let bandCount = Swift.max(1, Swift.min(outputHeight, (patchSize * outputPlaneSize + 65_535) / 65_536))
        return (0..<bandCount).map { band in
            (band * outputHeight / bandCount)..<((band + 1) * outputHeight / bandCount)
        }
    }

    /// Scalars of the largest band's im2col buffer.
    public var largestBandSize: Int {
        (outputRowBands.map(\.count).max() ?? 0) * outputWidth * patchSize
    }

    /// The output positions `o` (along one axis) whose input coordinate `o·s + offset` lies in `0..<size`.
    @inline(__always)
    static func validOutputRange(offset: Int, stride: Int, size: Int, outputSize: Int) -> Range<Int> {
        // o·s + offset ≥ 0  ⇔  o ≥ ⌈−offset / s⌉;
        // o·s + offset < size  ⇔  o < ⌈(size − offset) / s⌉
        let lower = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let upper = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride
        let clampedLower = Swift.min(lower, outputSize),
            clampedUpper = Swift.max(clampedLower, Swift.min(upper, outputSize))
        return clampedLower..<clampedUpper
    }
}
