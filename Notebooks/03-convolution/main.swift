// %% [markdown]
// # 03 — Convolution
//
// A convolution is a sum over a small window. Written as loops it is seven nested `for`s; written as
// im2col + GEMM it is one matrix product: every window of the input becomes a column of a matrix,
// and the filters are the rows of another. The backward pass is two more matrix products, and
// col2im — the adjoint of im2col — folds the columns' gradients back onto the image.
// Run it with `swift run -c release 03-convolution` (add `--quick` for a smaller batch).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let batch = quick ? 2 : 8
var generator = SeededGenerator(seed: 3)
let images = Tensor.normal([batch, 16, 32, 32], using: &generator)
let filters = Tensor.normal([32, 16, 3, 3], standardDeviation: 0.1, using: &generator)
let bias = Tensor.zeros([32])

// %% [markdown]
// ## The im2col matrix of one image
// With 16 channels and a 3×3 kernel, each column holds 16·9 = 144 input values; there is one column
// per output pixel (32×32 with padding 1).

// %%
let geometry = ConvolutionGeometry(channels: 16, inputHeight: 32, inputWidth: 32, kernelHeight: 3, kernelWidth: 3,
                                   padding: 1)
print("im2col matrix of one image:", geometry.patchSize, "×", geometry.outputPlaneSize)

// %% [markdown]
// ## Loops, im2col + GEMM, and implicit GEMM
// The same convolution three ways: the seven loops; im2col + GEMM spelled out, one image at a time
// (build its im2col matrix, then one matrix product); and `Tensor.conv2d`, which for stride 1 runs
// the implicit GEMM of `Convolution+ImplicitGEMM.swift` — the same products, with the im2col matrix
// never built.

// %%
func milliseconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}
var direct = [Float](repeating: 0, count: batch * 32 * 32 * 32)
let loopTime = milliseconds {
    images.withUnsafeBufferPointer { x in filters.withUnsafeBufferPointer { w in
        direct.withUnsafeMutableBufferPointer { out in
            conv2dNaive(input: x.baseAddress!, weight: w.baseAddress!, bias: nil, batchCount: batch, filterCount: 32,
                        geometry: geometry, output: out.baseAddress!)
        }
    } }
}
let (patch, pixels) = (geometry.patchSize, geometry.outputPlaneSize)
var columns = [Float](repeating: 0, count: patch * pixels)
var explicit = [Float](repeating: 0, count: batch * 32 * pixels)
let explicitTime = milliseconds {
    images.withUnsafeBufferPointer { x in filters.withUnsafeBufferPointer { w in
        columns.withUnsafeMutableBufferPointer { cols in explicit.withUnsafeMutableBufferPointer { out in
            for n in 0..<batch {
                // columns [C·Kh·Kw, Ho·Wo] of image n, then out[n] = weight [F, C·Kh·Kw] · columns
                im2col(x.baseAddress! + n * geometry.inputImageSize, geometry: geometry, columns: cols.baseAddress!)
                gemm(m: 32, n: pixels, k: patch, a: w.baseAddress!, lda: patch, transposeA: false,
                     b: cols.baseAddress!, ldb: pixels, transposeB: false,
                     c: out.baseAddress! + n * 32 * pixels, ldc: pixels, accumulate: false)
            }
        } }
    } }
}
var fast = Tensor.zeros([1])
let fastTime = milliseconds { fast = Tensor.conv2d(images, weight: filters, bias: bias, padding: 1) }
let explicitDifference = zip(explicit, direct).map { abs($0 - $1) }.max() ?? 0
let implicitDifference = zip(fast.scalars, direct).map { abs($0 - $1) }.max() ?? 0
print(String(format: "seven loops: %.1f ms   im2col + GEMM: %.2f ms   implicit GEMM: %.2f ms",
             loopTime, explicitTime, fastTime))
print(String(format: "largest difference from the loops: im2col + GEMM %.1e, implicit GEMM %.1e",
             explicitDifference, implicitDifference))

// %% [markdown]
// ## The backward pass
// Input gradient = col2im(weightᵀ · dOut); weight gradient = dOut · columnsᵀ; bias gradient = Σ dOut.
// (For stride 1, `conv2dBackward` computes the same products by implicit GEMM too.)

// %%
let upstream = Tensor.ones(fast.shape)
let gradients = Tensor.conv2dBackward(images, weight: filters, outputGradient: upstream, padding: 1)
print("gradient shapes — input:", gradients.input!.shape, "weight:", gradients.weight!.shape, "bias:",
      gradients.bias!.shape)
print("bias gradient = number of output pixels per filter:", gradients.bias!.scalars[0], "=", batch * 32 * 32)

// %% [markdown]
// ## Try next
// - Use stride 2 or dilation 2 in `ConvolutionGeometry` and check the output size formula.
// - Time `conv2dBackward` with `computeInput: false` — how much of the backward is the input gradient?
