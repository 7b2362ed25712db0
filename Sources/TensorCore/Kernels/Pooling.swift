// Max and average pooling over 2-D windows (legend in ConvolutionGeometry.swift), forward and
// backward, on [N, C, H, W] → [N, C, Ho, Wo]. Padding positions never win a max and count as zeros
// in an average whose divisor is the full window Kh·Kw (PyTorch's `count_include_pad=True`).
// Every (n, c) plane is independent, so planes are dealt to workers.

/// Max pooling forward. `argmax` receives, per output, the flat index (ih·W + iw) within its
/// input plane of the maximum (the first one on ties) for the backward pass.
public func maxPool2d(input: UnsafePointer<Float>, planeCount: Int, geometry g: ConvolutionGeometry,
                      output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    let inputPointer = SendableConstPointer(input), outputPointer = SendablePointer(output), argmaxPointer = SendablePointer(argmax)
    let work = planeCount * outputPlane * g.kernelHeight * g.kernelWidth
    // Non-overlapping windows that never touch padding (the usual 2×2, stride 2): every tap is
    // inside the image, so the loop needs no bounds checks.
    let tiled = g.strideHeight == g.kernelHeight && g.strideWidth == g.kernelWidth && g.paddingHeight == 0
        && g.paddingWidth == 0 && g.dilationHeight == 1 && g.dilationWidth == 1
    Parallelism.forEachChunkRange(planeCount, maxThreads: work >= Parallelism.minimumParallelWork ? nil : 1) { planes in
        for plane in planes where tiled {
            let x = inputPointer.base + plane * inputPlane
            let out = outputPointer.base + plane * outputPlane, winners = argmaxPointer.base + plane * outputPlane
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
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
            let x = inputPointer.base + plane * inputPlane
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    var best = -Float.infinity, bestIndex: Int32 = -1
                    for kh in 0..<g.kernelHeight {
                        let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                        guard ih >= 0, ih < g.inputHeight else { continue }
                        for kw in 0..<g.kernelWidth {
                            let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                            guard iw >= 0, iw < g.inputWidth else { continue }
                            let value = x[ih * g.inputWidth + iw]
                            if value > best || bestIndex < 0 || value.isNaN && !best.isNaN {
                                best = value; bestIndex = Int32(ih * g.inputWidth + iw)
                            }
                        }
                    }
                    outputPointer.base[plane * outputPlane + oh * g.outputWidth + ow] = best
                    argmaxPointer.base[plane * outputPlane + oh * g.outputWidth + ow] = bestIndex
                }
            }
        }
    }
}

/// Max pooling backward: each output gradient goes to the input position that won the max.
/// `inputGradient` is overwritten.
public func maxPool2dBackward(outputGradient: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, planeCount: Int,
                              geometry g: ConvolutionGeometry, inputGradient: UnsafeMutablePointer<Float>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    inputGradient.initialize(repeating: 0, count: planeCount * inputPlane)
    for plane in 0..<planeCount {
        for o in 0..<outputPlane {
            let winner = Int(argmax[plane * outputPlane + o])
            if winner >= 0 { inputGradient[plane * inputPlane + winner] += outputGradient[plane * outputPlane + o] }
        }
    }
}

/// Average pooling forward: the mean over each window, padding counted as zeros.
public func avgPool2d(input: UnsafePointer<Float>, planeCount: Int, geometry g: ConvolutionGeometry,
                      output: UnsafeMutablePointer<Float>) {
    let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputPlaneSize
    let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
    for plane in 0..<planeCount {
        let x = input + plane * inputPlane
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                var sum: Float = 0
                for kh in 0..<g.kernelHeight {
                    let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                    guard ih >= 0, ih < g.inputHeight else { continue }
                    for kw in 0..<g.kernelWidth {
                        let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                        guard iw >= 0, iw < g.inputWidth else { continue }
                        sum += x[ih * g.inputWidth + iw]
                    }
                }
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
                for kh in 0..<g.kernelHeight {
                    let ih = oh * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                    guard ih >= 0, ih < g.inputHeight else { continue }
                    for kw in 0..<g.kernelWidth {
                        let iw = ow * g.strideWidth - g.paddingWidth + kw * g.dilationWidth
                        guard iw >= 0, iw < g.inputWidth else { continue }
                        dx[ih * g.inputWidth + iw] += share
                    }
                }
            }
        }
    }
}
