// Max and average pooling over 2-D windows (legend in ConvolutionGeometry.swift), forward and
// backward, on [N, C, H, W] → [N, C, Ho, Wo]. Padding positions never win a max and count as zeros
// in an average whose divisor is the full window Kh·Kw (PyTorch's `count_include_pad=True`).
// Every (n, c) plane is independent, so planes are dealt to workers.

/// Max pooling forward. `argmax` receives, per output, the flat index (ih·W + iw) within its
/// input plane of the maximum (the first one on ties) for the backward pass.
public func maxPool2d(input: UnsafePointer<Float>, planeCount: Int, geometry g: ConvolutionGeometry,
                      output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    let inputPointer = SendableConstPointer(input), outputPointer = SendablePointer(output),
        argmaxPointer = SendablePointer(argmax)
    let work = planeCount * outputPlane * g.kernelHeight * g.kernelWidth
    // Non-overlapping windows that never touch padding (the usual 2×2, stride 2): every tap is
    // inside the image, so the loop needs no bounds checks.
    let tiled = g.strideHeight == g.kernelHeight && g.strideWidth == g.kernelWidth && g.paddingHeight == 0
        && g.paddingWidth == 0 && g.dilationHeight == 1 && g.dilationWidth == 1
    let workers = Parallelism.workerCount(work: work, of: .elementwise)
    Parallelism.forEachChunkRange(planeCount, maxThreads: workers) { planes in
        for plane in planes where tiled {
            let x = inputPointer.base + plane * inputPlane
            let out = outputPointer.base + plane * outputPlane, winners = argmaxPointer.base + plane * outputPlane
            for oh in 0..<g.outputHeight {
                // 2×2 windows, eight outputs at a time (see `maxPool2x2Vector`); the rest below.
                let vectorized = g.kernelHeight == 2 && g.kernelWidth == 2
                    ? maxPool2x2Vector(x, inputWidth: g.inputWidth, outputRow: oh, outputWidth: g.outputWidth,
                                       output: out + oh * g.outputWidth, argmax: winners + oh * g.outputWidth)
                    : 0
                if g.kernelHeight == 2 && g.kernelWidth == 2 {
                    maxPool2x2Scalar(x, inputWidth: g.inputWidth, outputRow: oh, columns: vectorized..<g.outputWidth,
                                     output: out + oh * g.outputWidth, argmax: winners + oh * g.outputWidth)
                    continue
                }
                for ow in vectorized..<g.outputWidth {
                    let corner = oh * g.kernelHeight * g.inputWidth + ow * g.kernelWidth
                    var best = x[corner], bestIndex = corner
                    for kh in 0..<g.kernelHeight {
                        for kw in 0..<g.kernelWidth {
                            let index = corner + kh * g.inputWidth + kw
                            let value = x[index]
                            if value > best || (value.isNaN && !best.isNaN) { best = value; bestIndex = index }
                        }
                    }
                    out[oh * g.outputWidth + ow] = best
                    winners[oh * g.outputWidth + ow] = Int32(bestIndex)
                }
            }
        }
        for plane in planes where !tiled {
            maxPoolPlaneNaive(inputPointer.base + plane * inputPlane, geometry: g,
                              output: outputPointer.base + plane * outputPlane,
                              argmax: argmaxPointer.base + plane * outputPlane)
        }
    }
}

/// The readable twin of `maxPool2d`: the definition, one plane after another, with no fast path
/// (what `maxPool2d` must equal, ties and NaN included — `ConvolutionTests`).
public func maxPool2dNaive(input: UnsafePointer<Float>, planeCount: Int, geometry g: ConvolutionGeometry,
                           output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    for plane in 0..<planeCount {
        maxPoolPlaneNaive(input + plane * inputPlane, geometry: g, output: output + plane * outputPlane,
                          argmax: argmax + plane * outputPlane)
    }
}

/// One plane by the definition: for each window, the first maximum over the taps inside the image
/// (a NaN wins: it is never "less than" the best); padding taps are skipped.
func maxPoolPlaneNaive(_ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, output: UnsafeMutablePointer<Float>,
                       argmax: UnsafeMutablePointer<Int32>) {
    for oh in 0..<g.outputHeight {
        for ow in 0..<g.outputWidth {
            var best = -Float.infinity, bestIndex: Int32 = -1
            g.forEachTap(outputRow: oh, outputColumn: ow) { index in
                let value = x[index]
                if value > best || bestIndex < 0 || value.isNaN && !best.isNaN {
                    best = value
                    bestIndex = Int32(index)
                }
            }
            output[oh * g.outputWidth + ow] = best
            argmax[oh * g.outputWidth + ow] = bestIndex
        }
    }
}

/// Max pooling backward: each output gradient goes to the input position that won the max.
/// `inputGradient` is overwritten. Planes are dealt to workers (the cost model decides how many);
/// within a plane the gradients are added in output order, whatever the thread count.
public func maxPool2dBackward(outputGradient: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, planeCount: Int,
                              geometry g: ConvolutionGeometry, inputGradient: UnsafeMutablePointer<Float>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    let gradientPointer = SendableConstPointer(outputGradient), argmaxPointer = SendableConstPointer(argmax)
    let inputGradientPointer = SendablePointer(inputGradient)
    let workers = Parallelism.workerCount(work: planeCount * (inputPlane + outputPlane), of: .elementwise)
    Parallelism.forEachChunkRange(planeCount, maxThreads: workers) { planes in
        for plane in planes {
            let dx = inputGradientPointer.base + plane * inputPlane
            let dy = gradientPointer.base + plane * outputPlane, winners = argmaxPointer.base + plane * outputPlane
            dx.initialize(repeating: 0, count: inputPlane)
            for o in 0..<outputPlane {
                let winner = Int(winners[o])
                if winner >= 0 { dx[winner] += dy[o] }
            }
        }
    }
}

/// Average pooling forward: the mean over each window, padding counted as zeros. (The definition
/// itself, with no fast path: it is its own readable twin.)
public func avgPool2d(input: UnsafePointer<Float>, planeCount: Int, geometry g: ConvolutionGeometry,
                      output: UnsafeMutablePointer<Float>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
    for plane in 0..<planeCount {
        let x = input + plane * inputPlane
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                var sum: Float = 0
                g.forEachTap(outputRow: oh, outputColumn: ow) { sum += x[$0] }
                output[plane * outputPlane + oh * g.outputWidth + ow] = sum * scale
            }
        }
    }
}

/// Average pooling backward: each output gradient is spread evenly (÷ Kh·Kw) over its window.
/// `inputGradient` is overwritten.
public func avgPool2dBackward(outputGradient: UnsafePointer<Float>, planeCount: Int, geometry g: ConvolutionGeometry,
                              inputGradient: UnsafeMutablePointer<Float>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
    inputGradient.initialize(repeating: 0, count: planeCount * inputPlane)
    for plane in 0..<planeCount {
        let dx = inputGradient + plane * inputPlane
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                let share = outputGradient[plane * outputPlane + oh * g.outputWidth + ow] * scale
                g.forEachTap(outputRow: oh, outputColumn: ow) { dx[$0] += share }
            }
        }
    }
}

/// Eight 2×2 windows of output row `outputRow` at a time: the two input rows are read as 16
/// scalars each, split into even and odd columns, and reduced with vector compares. The first
/// maximum wins ties (row 0 before row 1, left before right), as in the scalar loop; a block
/// holding a NaN is left to the scalar loop (which lets NaN win). Returns how many outputs it wrote.
@inline(__always)
func maxPool2x2Vector(_ x: UnsafePointer<Float>, inputWidth: Int, outputRow oh: Int, outputWidth: Int,
                      output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) -> Int {
    typealias V = SIMD8<Float>
    let top = UnsafeRawPointer(x + 2 * oh * inputWidth), bottom = UnsafeRawPointer(x + (2 * oh + 1) * inputWidth)
    let lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
    var ow = 0
    while ow + 8 <= outputWidth {
        let row0 = SIMD16(lowHalf: top.loadUnaligned(fromByteOffset: ow * 8, as: V.self),
                          highHalf: top.loadUnaligned(fromByteOffset: ow * 8 + 32, as: V.self))
        let row1 = SIMD16(lowHalf: bottom.loadUnaligned(fromByteOffset: ow * 8, as: V.self),
                          highHalf: bottom.loadUnaligned(fromByteOffset: ow * 8 + 32, as: V.self))
        let (a, b, c, d) = (row0.evenHalf, row0.oddHalf, row1.evenHalf, row1.oddHalf)
        if any((a .!= a) .| (b .!= b) .| (c .!= c) .| (d .!= d)) { return ow }
        let column = (lane &+ Int32(ow)) &* 2
        let topRight = b .> a
        let topBest = a.replacing(with: b, where: topRight)
        let topIndex = column.replacing(with: column &+ 1, where: topRight)
        let bottomRight = d .> c
        let bottomBest = c.replacing(with: d, where: bottomRight)
        let bottomIndex = column.replacing(with: column &+ 1, where: bottomRight)
        let bottomWins = bottomBest .> topBest
        let best = topBest.replacing(with: bottomBest, where: bottomWins)
        let rowOffset = SIMD8<Int32>(repeating: Int32(2 * oh * inputWidth))
        let index = (topIndex &+ rowOffset).replacing(with: bottomIndex &+ rowOffset &+ Int32(inputWidth),
                                                      where: bottomWins)
        UnsafeMutableRawPointer(output + ow).storeBytes(of: best, as: V.self)
        UnsafeMutableRawPointer(argmax + ow).storeBytes(of: index, as: SIMD8<Int32>.self)
        ow += 8
    }
    return ow
}

/// The 2×2 windows `columns` of output row `outputRow`, one at a time: the scalar loop of `maxPool2d`
/// unrolled for its four taps, in its order (row 0 before row 1, left before right; the first
/// maximum wins ties, a NaN wins over a number). For narrow rows (under 8 outputs) and what
/// `maxPool2x2Vector` leaves.
@inline(__always)
func maxPool2x2Scalar(_ x: UnsafePointer<Float>, inputWidth: Int, outputRow oh: Int, columns: Range<Int>,
                      output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    for ow in columns {
        let corner = 2 * oh * inputWidth + 2 * ow
        var best = x[corner], bestIndex = corner
        @inline(__always) func consider(_ index: Int) {
            let value = x[index]
            if value > best || (value.isNaN && !best.isNaN) { best = value; bestIndex = index }
        }
        consider(corner + 1)
        consider(corner + inputWidth)
        consider(corner + inputWidth + 1)
        output[ow] = best
        argmax[ow] = Int32(bestIndex)
    }
}

extension ConvolutionGeometry {
    /// Calls `body` with the in-plane index ih·W + iw of every tap of output (oh, ow)'s window that
    /// lies inside the image, row by row, left to right — padding taps are skipped:
    /// ih = oh·s − p + kh·d, iw = ow·s − p + kw·d.
    @inline(__always)
    func forEachTap(outputRow oh: Int, outputColumn ow: Int, _ body: (Int) -> Void) {
        for kh in 0..<kernelHeight {
            let ih = oh * strideHeight - paddingHeight + kh * dilationHeight
            guard ih >= 0, ih < inputHeight else { continue }
            for kw in 0..<kernelWidth {
                let iw = ow * strideWidth - paddingWidth + kw * dilationWidth
                guard iw >= 0, iw < inputWidth else { continue }
                body(ih * inputWidth + iw)
            }
        }
    }
}
