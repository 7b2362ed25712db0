// Exercises for chapter 03, "Convolution" (Tutorials/03-convolution.md).
// Fill in the bodies of `Chapter03Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises03
import MultiTaskKit

/// The exercises of chapter 03: the output size, im2col for one image, and its adjoint col2im.
///
/// Legend: C channels, H×W input, Kh×Kw kernel, Ho×Wo output, s stride, p padding, d dilation.
public protocol Chapter03Exercises {
    /// **03.1 The output size** (chapter 03, "The idea").
    ///
    /// Ho = ⌊(H + 2p − d(Kh − 1) − 1)/s⌋ + 1 (and the same for widths).
    ///
    /// - Parameters: inputSize H, kernelSize Kh, stride s ≥ 1, padding p ≥ 0, dilation d ≥ 1, with the
    ///   dilated kernel d(Kh − 1) + 1 no larger than H + 2p.
    /// - Returns: Ho ≥ 1.
    static func outputSize(inputSize: Int, kernelSize: Int, stride: Int, padding: Int, dilation: Int) throws -> Int

    /// **03.2 im2col for one image** (chapter 03, "im2col: a convolution is a matrix product").
    ///
    /// The matrix `[C·Kh·Kw, Ho·Wo]` whose row r = (c·Kh + kh)·Kw + kw and column (oh·Wo + ow) holds
    /// x[c, oh·s − p + kh·d, ow·s − p + kw·d], or 0 where that position falls in the padding.
    ///
    /// - Parameters:
    ///   - image: x, `[C, H, W]` row-major (`geometry.inputImageSize` scalars).
    ///   - geometry: sizes, stride, padding and dilation (`strideHeight`, `paddingWidth`, …;
    ///     `outputHeight` and `outputWidth` are Ho and Wo).
    /// - Returns: the columns, `geometry.patchSize · geometry.outputPlaneSize` scalars, row-major.
    /// - Hint: five nested loops (c, kh, kw, oh, ow); check 0 ≤ ih < H and 0 ≤ iw < W.
    static func im2col(image: [Float], geometry: ConvolutionGeometry) throws -> [Float]

    /// **03.3 col2im, the adjoint** (chapter 03, "The backward pass is two more products").
    ///
    /// The gradient of im2col: every entry of `columns` is *added* onto the input pixel im2col read it
    /// from (entries that came from the padding are dropped). So ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for all
    /// x and y.
    ///
    /// - Parameters:
    ///   - columns: `[C·Kh·Kw, Ho·Wo]`, as im2col lays it out.
    ///   - geometry: as for `im2col`.
    /// - Returns: the image gradient, `[C, H, W]` (`geometry.inputImageSize` scalars).
    static func col2im(columns: [Float], geometry: ConvolutionGeometry) throws -> [Float]
}

/// Your solutions to chapter 03's exercises: replace each `throw` with your code.
public enum Chapter03Student: Chapter03Exercises {
    public static func outputSize(inputSize: Int, kernelSize: Int, stride: Int, padding: Int,
                                  dilation: Int) throws -> Int {
        throw ExerciseError.notDone("03.1 outputSize")
    }

    public static func im2col(image: [Float], geometry: ConvolutionGeometry) throws -> [Float] {
        throw ExerciseError.notDone("03.2 im2col")
    }

    public static func col2im(columns: [Float], geometry: ConvolutionGeometry) throws -> [Float] {
        throw ExerciseError.notDone("03.3 col2im")
    }
}
