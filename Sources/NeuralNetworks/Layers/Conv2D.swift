import TensorCore
import Autodiff

/// A 2-D convolution layer (im2col + GEMM, see TensorCore's Kernels/Convolution.swift).
///
/// Shapes: x `[N, C, H, W]` → y `[N, F, Ho, Wo]`, weight `[F, C, K, K]`, bias `[F]`, with
/// `Ho = ⌊(H + 2·padding − dilation·(K − 1) − 1) / stride⌋ + 1`.
/// Default initialization as PyTorch's `nn.Conv2d` (uniform ±1/√(C·K·K)).
public final class Conv2D: Module {
    public let weight: Parameter
    public let bias: Parameter?
    public let stride: Int
    public let padding: Int
    public let dilation: Int
    /// When set and returning a subset of the output channels, only those are computed (their
    /// weights gathered, the results scattered back in place) and the others are zero — for a
    /// task mask that would multiply them by zero anyway (`TaskMask(after:…, skipsMaskedUnits:)`).
    public var outputSelection: (() -> [Int]?)?
    /// When set and returning a subset of the input channels, the others are taken to be zero and
    /// skipped (input and weight gathered) — for an input that a task mask has zeroed.
    public var inputSelection: (() -> [Int]?)?

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, bias: Bool = true,
                weightInitializer: Initializer = .kaimingUniform(negativeSlope: Float(5).squareRoot()),
                random: RandomSource = .default) {
        checkPrecondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0,
                          "Conv2D: channels \(inputChannels) → \(outputChannels) and kernel \(kernelSize) must be positive")
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
        var input = input, kernel: Variable = weight
        if let channels = inputSelection?(), channels.count < weight.shape[1] {
            input = input.gathering(channels, alongAxis: 1)
            kernel = kernel.gathering(channels, alongAxis: 1)
        }
        if let selected = outputSelection?(), selected.count < weight.shape[0] {
            return Variable.conv2d(input, weight: kernel.gathering(selected), bias: bias?.gathering(selected),
                                   stride: stride, padding: padding, dilation: dilation)
                .scattering(selected, into: weight.shape[0], alongAxis: 1)
        }
        return Variable.conv2d(input, weight: kernel, bias: bias, stride: stride, padding: padding, dilation: dilation)
    }

    public override var summary: String {
        let s = weight.shape
        return "Conv2D(\(s[1]) → \(s[0]), \(s[2])×\(s[3]), stride \(stride), padding \(padding)\(dilation > 1 ? ", dilation \(dilation)" : ""))"
    }
}
