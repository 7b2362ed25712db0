import TensorCore

// Derivative rules of convolution and pooling: the backward kernels of TensorCore
// (Kernels/Convolution.swift, Kernels/Pooling.swift), asked only for the gradients someone needs.
// Shapes: x [N, C, H, W], weight [F, C, Kh, Kw], bias [F] → [N, F, Ho, Wo].

extension Variable {
    /// 2-D convolution by im2col + GEMM.
    public static func conv2d(_ input: Variable, weight: Variable, bias: Variable? = nil,
                              stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Variable {
        let (x, w) = (input.value, weight.value)
        let output = Tensor.conv2d(x, weight: w, bias: bias?.value, stride: stride, padding: padding,
                                   dilation: dilation)
        let parents = bias.map { [input, weight, $0] } ?? [input, weight]
        return Variable(output, operation: "conv2d", parents: parents) { upstream, needed in
            let gradients = Tensor.conv2dBackward(x, weight: w, outputGradient: upstream,
                                                  stride: stride, padding: padding, dilation: dilation,
                                                  computeInput: needed[0], computeWeight: needed[1],
                                                  computeBias: needed.count > 2 && needed[2])
            return needed.count > 2 ? [gradients.input, gradients.weight, gradients.bias] : [gradients.input,
                                                                                             gradients.weight]
        }
    }

    /// Max pooling with a square window; the gradient goes to each window's maximum.
    public func maxPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
        let shape = self.shape
        let (output, argmax) = Tensor.maxPool2d(value, kernelSize: kernelSize, stride: stride, padding: padding)
        return Variable(output, operation: "maxPool2d", parents: [self]) { upstream, _ in
            [Tensor.maxPool2dBackward(outputGradient: upstream, argmax: argmax, inputShape: shape,
                                      kernelSize: kernelSize, stride: stride, padding: padding)]
        }
    }

    /// Average pooling with a square window; the gradient is spread evenly over each window.
    public func avgPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
        let shape = self.shape
        return Variable(Tensor.avgPool2d(value, kernelSize: kernelSize, stride: stride, padding: padding),
                        operation: "avgPool2d", parents: [self]) { upstream, _ in
            [Tensor.avgPool2dBackward(outputGradient: upstream, inputShape: shape, kernelSize: kernelSize,
                                      stride: stride, padding: padding)]
        }
    }
}
