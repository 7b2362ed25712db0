import TensorCore
import Autodiff

/// A 2-D convolution layer (im2col + GEMM, see TensorCore's Kernels/Convolution.swift).
///
/// Shapes: x `[N, C, H, W]` → y `[N, F, Ho, Wo]`, weight `[F, C, K, K]`, bias `[F]`, with
/// `Ho = ⌊(H + 2·padding − dilation·(K − 1) − 1) / stride⌋ + 1`.
/// Default initialization as PyTorch's `nn.Conv2d` (uniform ±1/√(C·K·K)).
public final class Conv2D: Module {
    /// The filters `[F, C, K, K]`: F output channels, C input channels, a K×K kernel.
    public let weight: Parameter
    /// b `[F]`, one per output channel; nil for a layer created with `bias: false`.
    public let bias: Parameter?
    /// s, the step of the kernel in pixels along height and width.
    public let stride: Int
    /// p, the zero rows and columns added on each side of the input.
    public let padding: Int
    /// d, the spacing between kernel taps (1: a dense kernel).
    public let dilation: Int

    /// A convolution `[N, inputChannels, H, W] → [N, outputChannels, Ho, Wo]` with a square `kernelSize`
    /// kernel; weights drawn by `weightInitializer` with `random`, the bias uniform in ±1/√(C·K·K).
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, bias: Bool = true,
                weightInitializer: Initializer = .kaimingUniform(negativeSlope: Float(5).squareRoot()),
                random: RandomSource = .default) {
        checkPrecondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
                          "Conv2D: channels \(inputChannels) → \(outputChannels) and kernel \(kernelSize) "
                            + "must be positive")
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        let fanIn = inputChannels * kernelSize * kernelSize
        let bound = 1 / Float(fanIn).squareRoot()
        (weight, self.bias) = random.withGenerator { generator in
            (Parameter(weightInitializer.make([outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn,
                                              fanOut: outputChannels * kernelSize * kernelSize, using: &generator)),
             bias ? Parameter(Tensor.uniform([outputChannels], low: -bound, high: bound, using: &generator)) : nil)
        }
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        Variable.conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }

    public override var summary: String {
        let s = weight.shape
        let dilationText = dilation > 1 ? ", dilation \(dilation)" : ""
        return "Conv2D(\(s[1]) → \(s[0]), \(s[2])×\(s[3]), stride \(stride), padding \(padding)\(dilationText))"
    }
}
