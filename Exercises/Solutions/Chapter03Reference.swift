// REFERENCE SOLUTIONS for chapter 03 — students: do the exercises in Exercises/Student/Chapter03.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 03's exercises.
public enum Chapter03Reference: Chapter03Exercises {
    public static func outputSize(inputSize: Int, kernelSize: Int, stride: Int, padding: Int,
                                  dilation: Int) throws -> Int {
        (inputSize + 2 * padding - dilation * (kernelSize - 1) - 1) / stride + 1
    }

    /// Calls `body(row, column, source)` for every entry of the im2col matrix, with `source` the offset
    /// of the pixel it reads in `[C, H, W]`, or nil in the padding.
    static func forEachEntry(_ g: ConvolutionGeometry, _ body: (Int, Int, Int?) -> Void) {
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
                            body(row, oh * wo + ow, inside ? (c * g.inputHeight + ih) * g.inputWidth + iw : nil)
                        }
                    }
                }
            }
        }
    }

    public static func im2col(image: [Float], geometry: ConvolutionGeometry) throws -> [Float] {
        let pixels = geometry.outputPlaneSize
        var columns = [Float](repeating: 0, count: geometry.patchSize * pixels)
        forEachEntry(geometry) { row, column, source in
            if let source { columns[row * pixels + column] = image[source] }
        }
        return columns
    }

    public static func col2im(columns: [Float], geometry: ConvolutionGeometry) throws -> [Float] {
        let pixels = geometry.outputPlaneSize
        var image = [Float](repeating: 0, count: geometry.inputImageSize)
        forEachEntry(geometry) { row, column, source in
            if let source { image[source] += columns[row * pixels + column] }
        }
        return image
    }
}
