import TensorCore
import Autodiff

/// Max pooling over square windows: `[N, C, H, W] → [N, C, Ho, Wo]` (stride defaults to the window).
public final class MaxPool2D: Module {
    public let kernelSize: Int, stride: Int, padding: Int
    /// Max pooling with a K×K window (K = `kernelSize`); `stride` defaults to K; taps that fall on the
    /// `padding` are skipped, so a padded cell never wins.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    public override func callAsFunction(_ input: Variable) -> Variable {
        input.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    }
    public override var summary: String { "MaxPool2D(\(kernelSize)×\(kernelSize), stride \(stride))" }
}

/// Average pooling over square windows (padding counts as zeros, divisor K·K).
public final class AvgPool2D: Module {
    public let kernelSize: Int, stride: Int, padding: Int
    /// Average pooling with a `kernelSize`×`kernelSize` window; `stride` defaults to the window, `padding`
    /// adds zeros that count in the K·K divisor.
    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
    }
    public override func callAsFunction(_ input: Variable) -> Variable {
        input.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding)
    }
    public override var summary: String { "AvgPool2D(\(kernelSize)×\(kernelSize), stride \(stride))" }
}

/// Global average pooling: the mean of each channel over space, `[N, C, H, W] → [N, C]`.
public final class GlobalAvgPool: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable {
        checkPrecondition(input.shape.count == 4, "GlobalAvgPool: input must be [N, C, H, W], got \(input.shape)")
        return input.mean(alongAxes: [2, 3])
    }
}
