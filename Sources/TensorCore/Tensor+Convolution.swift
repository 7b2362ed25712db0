// Tensor-level convolution and pooling over the kernels in Kernels/Convolution.swift and
// Kernels/Pooling.swift. Shapes: x [N, C, H, W], weight [F, C, Kh, Kw], bias [F] → [N, F, Ho, Wo].

extension Tensor {
    /// The geometry of a convolution of this [N, C, H, W] tensor with a [F, C, Kh, Kw] kernel.
    func convolutionGeometry(kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int, dilation: Int,
                             operation: String) -> ConvolutionGeometry {
        Tensor.convolutionGeometry(inputShape: shape, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                   stride: stride, padding: padding, dilation: dilation, operation: operation)
    }

    /// The geometry of a convolution or pooling window over an input of shape [N, C, H, W].
    static func convolutionGeometry(inputShape shape: [Int], kernelHeight: Int, kernelWidth: Int, stride: Int,
                                    padding: Int, dilation: Int, operation: String) -> ConvolutionGeometry {
        checkPrecondition(shape.count == 4, "\(operation): input must be [N, C, H, W], got \(shape)")
        return ConvolutionGeometry(channels: shape[1], inputHeight: shape[2], inputWidth: shape[3],
                                   kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                   stride: stride, padding: padding, dilation: dilation)
    }

    private static func checkConvolutionShapes(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, operation: String) {
        checkPrecondition(input.rank == 4 && weight.rank == 4 && input.shape[1] == weight.shape[1],
                     "\(operation): input \(input.shape) and weight \(weight.shape) do not match "
                     + "([N, C, H, W] and [F, C, Kh, Kw])")
        if let bias {
            checkPrecondition(bias.shape == [weight.shape[0]],
                "\(operation): bias \(bias.shape) does not match weight \(weight.shape) (needs [\(weight.shape[0])])")
        }
    }

    /// 2-D convolution (cross-correlation) by im2col + GEMM.
    public static func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                              stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Tensor {
        checkConvolutionShapes(input, weight, bias, operation: "conv2d")
        let g = input.convolutionGeometry(kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                          stride: stride, padding: padding, dilation: dilation, operation: "conv2d")
        let (batch, filters) = (input.shape[0], weight.shape[0])
        return Tensor(shape: [batch, filters, g.outputHeight, g.outputWidth]) { out in
            guard out.count > 0 else { return }
            withUnsafePointers(reading: input, weight, optional: bias) { x, w, b in
                TensorCore.conv2d(input: x, weight: w, bias: b, batchCount: batch, filterCount: filters, geometry: g,
                                  output: out.baseAddress!)
            }
        }
    }

    /// The gradients of a convolution with respect to its input, weight and bias, given the
    /// gradient of its output. Pass `false` to skip a gradient that is not needed.
    public static func conv2dBackward(_ input: Tensor, weight: Tensor, outputGradient: Tensor,
                                      stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                                      computeInput: Bool = true, computeWeight: Bool = true, computeBias: Bool = true)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        checkConvolutionShapes(input, weight, nil, operation: "conv2dBackward")
        let g = input.convolutionGeometry(kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                                          stride: stride, padding: padding, dilation: dilation,
                                          operation: "conv2dBackward")
        let (batch, filters) = (input.shape[0], weight.shape[0])
        checkPrecondition(outputGradient.shape == [batch, filters, g.outputHeight, g.outputWidth],
                     "conv2dBackward: output gradient \(outputGradient.shape) does not match the output shape "
                     + "\([batch, filters, g.outputHeight, g.outputWidth])")
        return (computeInput ? conv2dInputGradient(weight: weight, outputGradient: outputGradient,
                                                   inputShape: input.shape, geometry: g) : nil,
                computeWeight ? conv2dWeightGradient(input: input, outputGradient: outputGradient,
                                                     weightShape: weight.shape, geometry: g) : nil,
                computeBias ? conv2dBiasGradient(outputGradient: outputGradient, geometry: g) : nil)
    }

    // The three gradients of `conv2dBackward`, whose shapes it has checked. Each kernel overwrites
    // every scalar of its gradient, which therefore starts uninitialized.

    /// The input gradient `dx[n] = col2im(weightᵀ · dOut[n])`, of shape `inputShape` [N, C, H, W].
    static func conv2dInputGradient(weight: Tensor, outputGradient: Tensor, inputShape: [Int],
                                    geometry g: ConvolutionGeometry) -> Tensor {
        Tensor(shape: inputShape) { dx in
            guard dx.count > 0 else { return }
            withUnsafePointers(reading: weight, outputGradient) { w, dy in
                TensorCore.conv2dInputGradient(weight: w, outputGradient: dy, batchCount: inputShape[0],
                                               filterCount: weight.shape[0], geometry: g,
                                               inputGradient: dx.baseAddress!)
            }
        }
    }

    /// The weight gradient `dWeight = Σₙ dOut[n] · im2col(x[n])ᵀ`, of shape `weightShape` [F, C, Kh, Kw].
    static func conv2dWeightGradient(input: Tensor, outputGradient: Tensor, weightShape: [Int],
                                     geometry g: ConvolutionGeometry) -> Tensor {
        Tensor(shape: weightShape) { dw in
            guard dw.count > 0 else { return }
            withUnsafePointers(reading: input, outputGradient) { x, dy in
                TensorCore.conv2dWeightGradient(input: x, outputGradient: dy, batchCount: input.shape[0],
                                                filterCount: weightShape[0], geometry: g,
                                                weightGradient: dw.baseAddress!)
            }
        }
    }

    /// The bias gradient `dBias[f] = Σ_{n, oh, ow} dOut[n, f, oh, ow]`, of shape [F].
    static func conv2dBiasGradient(outputGradient: Tensor, geometry g: ConvolutionGeometry) -> Tensor {
        let (batch, filters) = (outputGradient.shape[0], outputGradient.shape[1])
        return Tensor(shape: [filters]) { db in
            guard db.count > 0 else { return }
            outputGradient.withUnsafeBufferPointer { dy in
                TensorCore.conv2dBiasGradient(outputGradient: dy.baseAddress!, batchCount: batch, filterCount: filters,
                                              geometry: g, biasGradient: db.baseAddress!)
            }
        }
    }

    /// Max pooling with a square window. Returns the output and, per output element, the flat index
    /// within its input plane of the maximum (what the backward pass needs).
    public static func maxPool2d(_ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0)
        -> (output: Tensor, argmax: [Int32]) {
        let g = input.convolutionGeometry(kernelHeight: kernelSize, kernelWidth: kernelSize,
                                          stride: stride ?? kernelSize, padding: padding, dilation: 1,
                                          operation: "maxPool2d")
        let planes = input.shape[0] * input.shape[1]
        var argmax = [Int32](repeating: -1, count: planes * g.outputPlaneSize)
        let output = Tensor(shape: [input.shape[0], input.shape[1], g.outputHeight, g.outputWidth]) { out in
            guard out.count > 0 else { return }
            input.withUnsafeBufferPointer { x in
                argmax.withUnsafeMutableBufferPointer { indices in
                    TensorCore.maxPool2d(input: x.baseAddress!, planeCount: planes, geometry: g,
                                         output: out.baseAddress!, argmax: indices.baseAddress!)
                }
            }
        }
        return (output, argmax)
    }

    /// The input gradient of `maxPool2d`, given its `argmax` and the output gradient.
    public static func maxPool2dBackward(outputGradient: Tensor, argmax: [Int32], inputShape: [Int],
                                         kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        let g = convolutionGeometry(inputShape: inputShape, kernelHeight: kernelSize, kernelWidth: kernelSize,
                                    stride: stride ?? kernelSize, padding: padding, dilation: 1,
                                    operation: "maxPool2dBackward")
        let planes = inputShape[0] * inputShape[1]
        checkPrecondition(argmax.count == outputGradient.count && outputGradient.count == planes * g.outputPlaneSize,
                     "maxPool2dBackward: output gradient \(outputGradient.shape) does not match input \(inputShape)")
        return Tensor(shape: inputShape) { dx in
            guard dx.count > 0 else { return }
            outputGradient.withUnsafeBufferPointer { dy in
                argmax.withUnsafeBufferPointer { indices in
                    TensorCore.maxPool2dBackward(outputGradient: dy.baseAddress!, argmax: indices.baseAddress!,
                                                 planeCount: planes, geometry: g, inputGradient: dx.baseAddress!)
                }
            }
        }
    }

    /// Average pooling with a square window (padding counted as zeros, divisor Kh·Kw).
    public static func avgPool2d(_ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        let g = input.convolutionGeometry(kernelHeight: kernelSize, kernelWidth: kernelSize,
                                          stride: stride ?? kernelSize, padding: padding, dilation: 1,
                                          operation: "avgPool2d")
        let planes = input.shape[0] * input.shape[1]
        return Tensor(shape: [input.shape[0], input.shape[1], g.outputHeight, g.outputWidth]) { out in
            guard out.count > 0 else { return }
            input.withUnsafeBufferPointer { x in
                TensorCore.avgPool2d(input: x.baseAddress!, planeCount: planes, geometry: g, output: out.baseAddress!)
            }
        }
    }

    /// The input gradient of `avgPool2d`.
    public static func avgPool2dBackward(outputGradient: Tensor, inputShape: [Int], kernelSize: Int,
                                         stride: Int? = nil, padding: Int = 0) -> Tensor {
        let g = convolutionGeometry(inputShape: inputShape, kernelHeight: kernelSize, kernelWidth: kernelSize,
                                    stride: stride ?? kernelSize, padding: padding, dilation: 1,
                                    operation: "avgPool2dBackward")
        let planes = inputShape[0] * inputShape[1]
        checkPrecondition(outputGradient.shape == [inputShape[0], inputShape[1], g.outputHeight, g.outputWidth],
                     "avgPool2dBackward: output gradient \(outputGradient.shape) does not match input \(inputShape)")
        return Tensor(shape: inputShape) { dx in
            guard dx.count > 0 else { return }
            outputGradient.withUnsafeBufferPointer { dy in
                TensorCore.avgPool2dBackward(outputGradient: dy.baseAddress!, planeCount: planes, geometry: g,
                                             inputGradient: dx.baseAddress!)
            }
        }
    }
}
