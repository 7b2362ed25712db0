import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 03's exercises (`Exercises/Student/Chapter03.swift`) against the library's naive kernels.
@Suite("Exercises03: convolution")
struct Exercises03 {
    let chapter: any Chapter03Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter03Student.self, reference: Chapter03Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter03Student.self, reference: nil)
        #endif
    }

    /// Geometries with strides, paddings (larger than the kernel too), dilations and non-square sizes.
    static let geometries = [
        ConvolutionGeometry(channels: 1, inputHeight: 4, inputWidth: 4, kernelHeight: 3, kernelWidth: 3),
        ConvolutionGeometry(channels: 2, inputHeight: 5, inputWidth: 7, kernelHeight: 3, kernelWidth: 3, padding: 1),
        ConvolutionGeometry(channels: 3, inputHeight: 8, inputWidth: 6, kernelHeight: 3, kernelWidth: 2, stride: 2,
                            padding: 1),
        ConvolutionGeometry(channels: 2, inputHeight: 9, inputWidth: 9, kernelHeight: 3, kernelWidth: 3, padding: 2,
                            dilation: 2),
        ConvolutionGeometry(channels: 1, inputHeight: 3, inputWidth: 5, kernelHeight: 2, kernelWidth: 2, padding: 3),
        ConvolutionGeometry(channels: 2, inputHeight: 6, inputWidth: 5, kernelHeight: 1, kernelWidth: 1,
                            strideHeight: 2, strideWidth: 1, paddingHeight: 0, paddingWidth: 1,
                            dilationHeight: 1, dilationWidth: 1),
    ]

    @Test("03.1 output size: the chapter's 32×32 example and ConvolutionGeometry on strides, paddings, dilations")
    func outputSize() throws {
        #expect(try chapter.outputSize(inputSize: 32, kernelSize: 3, stride: 1, padding: 1, dilation: 1) == 32)
        #expect(try chapter.outputSize(inputSize: 32, kernelSize: 3, stride: 2, padding: 1, dilation: 1) == 16)
        for size in 5...12 {
            for (kernel, stride, padding, dilation) in [(3, 1, 0, 1), (3, 2, 1, 1), (3, 1, 2, 2), (2, 3, 1, 1),
                                                        (5, 2, 2, 1), (3, 3, 4, 2)] {
                let g = ConvolutionGeometry(channels: 1, inputHeight: size, inputWidth: 1, kernelHeight: kernel,
                                            kernelWidth: 1, strideHeight: stride, strideWidth: 1,
                                            paddingHeight: padding, paddingWidth: 0, dilationHeight: dilation,
                                            dilationWidth: 1)
                let value = try chapter.outputSize(inputSize: size, kernelSize: kernel, stride: stride,
                                                   padding: padding, dilation: dilation)
                #expect(value == g.outputHeight, "H \(size), K \(kernel), s \(stride), p \(padding), d \(dilation)")
            }
        }
    }

    @Test("03.2 im2col: by hand, and im2colNaive on every geometry")
    func im2col() throws {
        // A 1×3×3 image, a 2×2 kernel: four columns of four values.
        let g = ConvolutionGeometry(channels: 1, inputHeight: 3, inputWidth: 3, kernelHeight: 2, kernelWidth: 2)
        #expect(try chapter.im2col(image: (1...9).map(Float.init), geometry: g)
                == [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9])
        for (index, geometry) in Self.geometries.enumerated() {
            let image = Tensor.normal([geometry.inputImageSize], seed: UInt64(index)).scalars
            var expected = [Float](repeating: 0, count: geometry.patchSize * geometry.outputPlaneSize)
            im2colNaive(image, geometry: geometry, columns: &expected)
            #expect(try chapter.im2col(image: image, geometry: geometry) == expected, "geometry \(index): \(geometry)")
        }
    }

    @Test("03.3 col2im: the adjoint identity ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩, and the library's col2im")
    func col2im() throws {
        for (index, geometry) in Self.geometries.enumerated() {
            let x = Tensor.normal([geometry.inputImageSize], seed: UInt64(10 + index)).scalars
            let y = Tensor.normal([geometry.patchSize * geometry.outputPlaneSize], seed: UInt64(20 + index)).scalars
            var columns = [Float](repeating: 0, count: y.count)
            im2colNaive(x, geometry: geometry, columns: &columns)
            let gradient = try chapter.col2im(columns: y, geometry: geometry)
            #expect(gradient.count == x.count, "geometry \(index): \(gradient.count) scalars")
            guard gradient.count == x.count else { continue }
            let left = zip(columns, y).map { Double($0) * Double($1) }.reduce(0, +)
            let right = zip(x, gradient).map { Double($0) * Double($1) }.reduce(0, +)
            #expect(abs(left - right) <= 1e-4 * max(1, abs(left)), "geometry \(index): \(left) vs \(right)")
            var expected = [Float](repeating: 0, count: x.count)
            TensorCore.col2im(y, geometry: geometry, image: &expected)
            isClose(gradient, expected, rtol: 1e-5, atol: 1e-5, "geometry \(index)")
        }
    }
}
