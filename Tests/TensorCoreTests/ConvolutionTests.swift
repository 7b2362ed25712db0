import Testing
import TestSupport
import TensorCore

/// Chapter 03 — convolution: im2col + GEMM against the direct seven-loop convolution.
@Suite("Convolution and pooling kernels")
struct ConvolutionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var batch, channels, height, width, filters, kernel, stride, padding, dilation: Int
        var testDescription: String {
            "N\(batch) C\(channels) \(height)×\(width) F\(filters) K\(kernel) s\(stride) p\(padding) d\(dilation)"
        }
    }

    static let cases: [Case] = [
        Case(batch: 2, channels: 3, height: 8, width: 8, filters: 5, kernel: 3, stride: 1, padding: 1, dilation: 1),
        Case(batch: 1, channels: 1, height: 5, width: 7, filters: 1, kernel: 1, stride: 1, padding: 0, dilation: 1),
        Case(batch: 3, channels: 2, height: 9, width: 6, filters: 4, kernel: 3, stride: 2, padding: 1, dilation: 1),
        Case(batch: 2, channels: 3, height: 11, width: 10, filters: 7, kernel: 3, stride: 1, padding: 2, dilation: 2),
        Case(batch: 5, channels: 4, height: 7, width: 7, filters: 3, kernel: 5, stride: 3, padding: 0, dilation: 1),
        Case(batch: 9, channels: 2, height: 6, width: 13, filters: 6, kernel: 2, stride: 1, padding: 0, dilation: 3),
        Case(batch: 10, channels: 16, height: 12, width: 12, filters: 32, kernel: 3, stride: 1, padding: 1,
             dilation: 1),
        // Large enough for several output-row bands (C·9·Ho·Wo > 64 Ki scalars), in both kernels' paths.
        Case(batch: 2, channels: 16, height: 40, width: 37, filters: 8, kernel: 3, stride: 1, padding: 1, dilation: 1),
        Case(batch: 2, channels: 16, height: 61, width: 50, filters: 4, kernel: 3, stride: 2, padding: 1, dilation: 1),
        // Implicit GEMM (stride 1, Wo a multiple of 8): channels, filters and C·Kh·Kw off the 4/4/3
        // tiles, positions off the 24-wide tile, padding past K − 1, a 1×1 kernel, C·Kh·Kw > 256.
        Case(batch: 3, channels: 5, height: 5, width: 17, filters: 6, kernel: 2, stride: 1, padding: 0, dilation: 1),
        Case(batch: 2, channels: 3, height: 5, width: 6, filters: 9, kernel: 1, stride: 1, padding: 1, dilation: 1),
        Case(batch: 2, channels: 2, height: 7, width: 24, filters: 4, kernel: 5, stride: 1, padding: 2, dilation: 1),
        Case(batch: 3, channels: 32, height: 9, width: 16, filters: 7, kernel: 3, stride: 1, padding: 1, dilation: 1),
    ]

    func geometry(_ c: Case) -> ConvolutionGeometry {
        ConvolutionGeometry(channels: c.channels, inputHeight: c.height, inputWidth: c.width,
                            kernelHeight: c.kernel, kernelWidth: c.kernel, stride: c.stride, padding: c.padding,
                            dilation: c.dilation)
    }

    @Test("im2col matches its naive twin", arguments: cases)
    func im2colMatches(_ c: Case) {
        var generator = SeededGenerator(seed: 21)
        let g = geometry(c)
        let image = randomScalars(g.inputImageSize, &generator)
        var fast = [Float](repeating: .nan, count: g.patchSize * g.outputPlaneSize), naive = fast
        image.withUnsafeBufferPointer { x in
            fast.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, geometry: g, columns: $0.baseAddress!) }
            naive.withUnsafeMutableBufferPointer { im2colNaive(x.baseAddress!, geometry: g, columns: $0.baseAddress!) }
        }
        #expect(fast == naive)
    }

    @Test("col2im is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩", arguments: cases)
    func col2imIsAdjoint(_ c: Case) {
        var generator = SeededGenerator(seed: 22)
        let g = geometry(c)
        let x = randomScalars(g.inputImageSize, &generator)
        let y = randomScalars(g.patchSize * g.outputPlaneSize, &generator)
        var columns = [Float](repeating: 0, count: y.count), folded = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xp in
            columns.withUnsafeMutableBufferPointer { im2col(xp.baseAddress!, geometry: g, columns: $0.baseAddress!) }
        }
        y.withUnsafeBufferPointer { yp in
            folded.withUnsafeMutableBufferPointer { col2im(yp.baseAddress!, geometry: g, image: $0.baseAddress!) }
        }
        let left = zip(columns, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(x, folded).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(left - right) <= 1e-4 * max(1, abs(left)),
                "⟨im2col x, y⟩ = \(left) but ⟨x, col2im y⟩ = \(right)")
    }

    @Test("conv2d forward and backward match the direct convolution", arguments: cases)
    func convolutionMatchesDirect(_ c: Case) {
        var generator = SeededGenerator(seed: 23)
        let g = geometry(c)
        let input = Tensor.uniform([c.batch, c.channels, c.height, c.width], low: -1, high: 1, using: &generator)
        let weight = Tensor.uniform([c.filters, c.channels, c.kernel, c.kernel], low: -1, high: 1, using: &generator)
        let bias = Tensor.uniform([c.filters], low: -1, high: 1, using: &generator)
        let output = Tensor.conv2d(input, weight: weight, bias: bias, stride: c.stride, padding: c.padding,
                                   dilation: c.dilation)
        #expect(output.shape == [c.batch, c.filters, g.outputHeight, g.outputWidth])
        var expected = Tensor.zeros(output.shape)
        withUnsafePointers(reading: input, weight, bias, writing: &expected) { x, w, b, out in
            conv2dNaive(input: x, weight: w, bias: b, batchCount: c.batch, filterCount: c.filters, geometry: g,
                        output: out)
        }
        isClose(output, expected, rtol: 1e-4, atol: 1e-5, "forward \(c.testDescription)")

        let upstream = Tensor.uniform(output.shape, low: -1, high: 1, using: &generator)
        let fast = Tensor.conv2dBackward(input, weight: weight, outputGradient: upstream, stride: c.stride,
                                         padding: c.padding, dilation: c.dilation)
        var dx = Tensor.zeros(input.shape), dw = Tensor.zeros(weight.shape), db = Tensor.zeros([c.filters])
        withUnsafePointers(reading: input, weight, upstream, writing: &dx, &dw, &db) { x, w, dy, dxp, dwp, dbp in
            conv2dBackwardNaive(input: x, weight: w, outputGradient: dy, batchCount: c.batch, filterCount: c.filters,
                                geometry: g, inputGradient: dxp, weightGradient: dwp, biasGradient: dbp)
        }
        isClose(fast.input!, dx, rtol: 1e-4, atol: 1e-4, "input gradient \(c.testDescription)")
        isClose(fast.weight!, dw, rtol: 1e-4, atol: 1e-4, "weight gradient \(c.testDescription)")
        isClose(fast.bias!, db, rtol: 1e-4, atol: 1e-4, "bias gradient \(c.testDescription)")
    }

    @Test("a hand-computed 3×3 convolution")
    func handComputed() {
        // One 3×3 image 1…9, one 2×2 kernel [[1, 0], [0, −1]], bias 0.5, no padding:
        // out[i, j] = x[i, j] − x[i+1, j+1] + 0.5 = −4 + 0.5 everywhere.
        let image = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        let kernel = Tensor(shape: [1, 1, 2, 2], scalars: [1, 0, 0, -1])
        let output = Tensor.conv2d(image, weight: kernel, bias: Tensor([0.5]))
        #expect(output == Tensor(shape: [1, 1, 2, 2], scalars: [-3.5, -3.5, -3.5, -3.5]))
    }

    @Test("forward and backward, pooling and ReLU are bit-identical for 1, 2 and 3 threads, split or not",
          .serialized, arguments: [(height: 16, width: 16), (height: 28, width: 28)])
    func threadCountDoesNotChangeBits(size: (height: Int, width: Int)) {
        // 16×16: every implicit-GEMM kernel; 28×28 (MNIST's size): partial 8-position chunks, and the
        // explicit weight gradient.
        var generator = SeededGenerator(seed: 24)
        let input = Tensor.uniform([9, 16, size.height, size.width], low: -1, high: 1, using: &generator)
        let weight = Tensor.uniform([32, 16, 3, 3], low: -1, high: 1, using: &generator)
        let bias = Tensor.uniform([32], using: &generator)
        let upstream = Tensor.uniform([9, 32, size.height, size.width], low: -1, high: 1, using: &generator)
        let saved = (Parallelism.threadCount, Parallelism.wakeUpCost)
        defer { (Parallelism.threadCount, Parallelism.wakeUpCost) = saved }
        var results: [[Tensor?]] = []
        // The cost model's choice (the default wake-up cost), then every call split (a free wake-up).
        for (threads, wakeUpCost) in [(1, saved.1), (2, saved.1), (3, saved.1), (2, 0.0), (3, 0.0)] {
            Parallelism.threadCount = threads
            Parallelism.wakeUpCost = wakeUpCost
            let output = Tensor.conv2d(input, weight: weight, bias: bias, padding: 1)
            let grads = Tensor.conv2dBackward(input, weight: weight, outputGradient: upstream, padding: 1)
            let (pooled, argmax) = Tensor.maxPool2d(output, kernelSize: 2)
            let poolGradient = Tensor.maxPool2dBackward(outputGradient: pooled, argmax: argmax,
                                                        inputShape: output.shape, kernelSize: 2)
            // The elementwise kernels a ReLU layer runs, forward and backward.
            let activated = output.relu(), reluGradient = Tensor.reluGradient(upstream: upstream, input: output)
            results.append([output, grads.input, grads.weight, grads.bias, pooled, poolGradient, activated,
                            reluGradient])
        }
        for other in results.dropFirst() { #expect(results[0] == other) }
    }

    @Test("max pooling: hand-computed forward, backward routes to the winners")
    func maxPooling() {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: [1, 2, 5, 0,
                                                      3, 4, 1, 1,
                                                      0, 0, 9, 8,
                                                      7, 0, 8, 9])
        let (output, argmax) = Tensor.maxPool2d(x, kernelSize: 2)
        #expect(output == Tensor(shape: [1, 1, 2, 2], scalars: [4, 5, 7, 9]))
        // The first maximum wins a tie (9 at (2,2) before 9 at (3,3)).
        #expect(argmax == [5, 2, 12, 10])
        let dx = Tensor.maxPool2dBackward(outputGradient: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]),
                                          argmax: argmax, inputShape: x.shape, kernelSize: 2)
        #expect(dx == Tensor(shape: [1, 1, 4, 4], scalars: [0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 4, 0, 3, 0, 0, 0]))
    }

    @Test("max pooling equals its naive twin on every path (tiled, vectorized, padded, strided), at 1 and 2 threads")
    func maxPoolingMatchesNaive() {
        var generator = SeededGenerator(seed: 27)
        for (kernel, stride, padding, width) in [(2, 2, 0, 36), (2, 2, 0, 9), (3, 3, 0, 12), (3, 1, 1, 7), (2, 1, 0, 8),
                                                 (3, 2, 1, 11)] {
            let g = ConvolutionGeometry(channels: 1, inputHeight: 6, inputWidth: width, kernelHeight: kernel,
                                        kernelWidth: kernel, stride: stride, padding: padding, dilation: 1)
            let planes = 5
            // Few distinct values, so ties are frequent, and a NaN.
            var x = (0..<(planes * 6 * width)).map { _ in Float(generator.nextInt(below: 4)) }
            x[generator.nextInt(below: x.count)] = .nan
            var naive = [Float](repeating: 0, count: planes * g.outputPlaneSize)
            var naiveIndex = [Int32](repeating: 0, count: naive.count)
            maxPool2dNaive(input: x, planeCount: planes, geometry: g, output: &naive, argmax: &naiveIndex)
            let saved = Parallelism.threadCount
            defer { Parallelism.threadCount = saved }
            for threads in [1, 2] {
                Parallelism.threadCount = threads
                var fast = [Float](repeating: 0, count: naive.count)
                var fastIndex = [Int32](repeating: 0, count: naive.count)
                maxPool2d(input: x, planeCount: planes, geometry: g, output: &fast, argmax: &fastIndex)
                #expect(fast.elementsEqual(naive) { $0 == $1 || ($0.isNaN && $1.isNaN) } && fastIndex == naiveIndex,
                        "kernel \(kernel) stride \(stride) padding \(padding) width \(width), \(threads) threads")
            }
        }
    }

    @Test("the vectorized 2×2 max pooling equals the scalar definition, ties and NaN included")
    func vectorizedMaxPooling() {
        var generator = SeededGenerator(seed: 26)
        // Values from a small set so that ties are frequent; a NaN in one plane.
        var scalars = (0..<(3 * 2 * 6 * 36)).map { _ in Float(generator.nextInt(below: 4)) }
        scalars[100] = .nan
        let x = Tensor(shape: [3, 2, 6, 36], scalars: scalars)
        let fast = Tensor.maxPool2d(x, kernelSize: 2)                       // vectorized path (stride = window)
        // Reference: the scalar definition, first maximum wins, NaN wins.
        var expected = [Float](), expectedIndex = [Int32]()
        for plane in 0..<6 {
            for oh in 0..<3 {
                for ow in 0..<18 {
                    var best = -Float.infinity, bestIndex = -1
                    for (r, c) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let index = (2 * oh + r) * 36 + 2 * ow + c
                        let value = scalars[plane * 216 + index]
                        if bestIndex < 0 || value > best || (value.isNaN && !best.isNaN) {
                            best = value; bestIndex = index
                        }
                    }
                    expected.append(best); expectedIndex.append(Int32(bestIndex))
                }
            }
        }
        #expect(fast.output.scalars.elementsEqual(expected) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(fast.argmax == expectedIndex)
    }

    @Test("average pooling: hand-computed forward and backward, padding counts as zero")
    func averagePooling() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        #expect(Tensor.avgPool2d(x, kernelSize: 2) == Tensor(shape: [1, 1, 1, 1], scalars: [2.5]))
        // Padding 1, window 2, stride 2: each window holds one real pixel and three zeros.
        #expect(Tensor.avgPool2d(x, kernelSize: 2, padding: 1) == Tensor(shape: [1, 1, 2, 2],
                                                                         scalars: [0.25, 0.5, 0.75, 1]))
        let dx = Tensor.avgPool2dBackward(outputGradient: Tensor(shape: [1, 1, 1, 1], scalars: [4]),
                                          inputShape: x.shape, kernelSize: 2)
        #expect(dx == Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 1]))
    }

    @Test("pooling backward matches finite differences of the forward")
    func poolingGradients() {
        var generator = SeededGenerator(seed: 25)
        let x = Tensor.uniform([2, 3, 5, 6], low: -1, high: 1, using: &generator)
        let upstream = Tensor.uniform([2, 3, 3, 4], low: -1, high: 1, using: &generator)
        // Directional derivative along a random direction v: ⟨dx, v⟩ ≈ (f(x + εv) − f(x − εv)) / 2ε.
        let direction = Tensor.uniform(x.shape, low: -1, high: 1, using: &generator)
        let epsilon: Float = 1e-3
        func loss(_ input: Tensor, max: Bool) -> Float {
            let y = max ? Tensor.maxPool2d(input, kernelSize: 2, stride: 2, padding: 1).output
                        : Tensor.avgPool2d(input, kernelSize: 2, stride: 2, padding: 1)
            return (y * upstream).sum().scalar
        }
        for max in [true, false] {
            let dx = max
                ? Tensor.maxPool2dBackward(outputGradient: upstream,
                                           argmax: Tensor.maxPool2d(x, kernelSize: 2, stride: 2, padding: 1).argmax,
                                           inputShape: x.shape, kernelSize: 2, stride: 2, padding: 1)
                : Tensor.avgPool2dBackward(outputGradient: upstream, inputShape: x.shape, kernelSize: 2, stride: 2,
                                           padding: 1)
            let analytic = (dx * direction).sum().scalar
            let numeric = (loss(x + direction * epsilon, max: max) - loss(x - direction * epsilon, max: max))
                / (2 * epsilon)
            #expect(abs(analytic - numeric) < 1e-2,
                    "\(max ? "max" : "avg") pool: analytic \(analytic) vs numeric \(numeric)")
        }
    }
}
