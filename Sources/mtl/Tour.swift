import Foundation
import MultiTaskKit

let tourCommand = CommandSpec(
    name: "tour",
    summary: "A tour of the tensor core: broadcasting, the SIMD GEMM against its naive twin, a convolution, "
        + "with timings.",
    flags: [CommandSpec.threadsFlag,
            Flag(name: "seed", kind: .integer(default: 0, range: 0...Int.max), help: "seed of the random tensors")])

/// Milliseconds taken by `body` (median of `repeats` runs after one warm-up).
func medianMilliseconds(repeats: Int = 5, _ body: () -> Void) -> Double {
    body()
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return samples.sorted()[samples.count / 2]
}

/// `mtl tour`: what the tensor core computes, and how fast, on this machine.

func runTour(seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    print("MultiTaskKit tour — seed \(seed), \(Parallelism.threadCount) worker thread(s)\n")

    print("1. Broadcasting: a [2, 1] column plus a [3] row gives a [2, 3] table")
    let column = Tensor([[1], [2]]), row = Tensor([10, 20, 30])
    print(column + row, "\n")

    print("2. Softmax stays finite for logits of ±1e4 (the maximum is subtracted first)")
    print(Tensor([[1e4, 0, -1e4]]).softmax(), "\n")

    print("3. Matrix product 512×512·512×512: the triple loop against the packed SIMD GEMM")
    let size = 512
    let a = Tensor.uniform([size, size], low: -1, high: 1, using: &generator)
    let b = Tensor.uniform([size, size], low: -1, high: 1, using: &generator)
    var naive = [Float](repeating: 0, count: size * size)
    let naiveMilliseconds = medianMilliseconds(repeats: 1) {
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in naive.withUnsafeMutableBufferPointer { cp in
            gemmNaive(m: size, n: size, k: size, a: ap.baseAddress!, lda: size, transposeA: false,
                      b: bp.baseAddress!, ldb: size, transposeB: false, c: cp.baseAddress!, ldc: size,
                      accumulate: false)
        } } }
    }
    var fast = Tensor.zeros([1])
    let fastMilliseconds = medianMilliseconds { fast = Tensor.matmul(a, b) }
    let flops = 2 * Double(size * size * size)
    let difference = zip(fast.scalars, naive).map { abs($0 - $1) }.max() ?? 0
    print(String(format: "   naive  %8.1f ms  %6.1f GFLOP/s", naiveMilliseconds, flops / naiveMilliseconds / 1e6))
    print(String(format: "   fast   %8.2f ms  %6.1f GFLOP/s   (%.0f× faster, largest difference %.1e)",
                 fastMilliseconds, flops / fastMilliseconds / 1e6, naiveMilliseconds / fastMilliseconds, difference))
    print()

    print("4. Convolution by im2col + GEMM: 32 images 16×32×32, 32 filters 3×3, padding 1")
    let images = Tensor.uniform([32, 16, 32, 32], low: -1, high: 1, using: &generator)
    let filters = Tensor.normal([32, 16, 3, 3], standardDeviation: 0.1, using: &generator)
    let bias = Tensor.zeros([32])
    var output = Tensor.zeros([1])
    let convolutionMilliseconds = medianMilliseconds {
        output = Tensor.conv2d(images, weight: filters, bias: bias, padding: 1)
    }
    let convolutionFlops = 2.0 * 32 * 32 * 32 * 32 * 16 * 9
    print(String(format: "   output %@ in %.2f ms (%.1f GFLOP/s)", "\(output.shape)", convolutionMilliseconds,
                 convolutionFlops / convolutionMilliseconds / 1e6))
    print("\nNext: the tutorials in Tutorials/, and `swift run -c release mtl-bench` for the benchmarks.")
}
