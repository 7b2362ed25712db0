import TensorCore
import Autodiff

/// Batch normalization (Ioffe & Szegedy, 2015) over the feature/channel axis 1:
/// `y = γ · (x − μ) / √(σ² + ε) + β`, with μ and σ² the mean and (biased) variance over every
/// axis but 1 — the batch for `[N, C]`, batch and space for `[N, C, H, W]`.
///
/// In training mode μ, σ² come from the batch, and running averages are updated
/// `r ← (1 − momentum)·r + momentum·batch` (the running variance uses the unbiased batch variance,
/// as PyTorch). In evaluation mode the running averages are used — unless
/// `tracksRunningStatistics` is false, the batch-statistics-only mode of the Maximum Roaming code,
/// which always normalizes with the batch's own statistics.
public class BatchNormalization: Module {
    public let scale: Parameter?      // γ, [C]
    public let offset: Parameter?     // β, [C]
    public let runningMean: Buffer    // [C]
    public let runningVariance: Buffer
    public let momentum: Float
    public let epsilon: Float
    public let tracksRunningStatistics: Bool
    let featureCount: Int

    public init(featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true,
                tracksRunningStatistics: Bool = true) {
        self.featureCount = featureCount
        self.momentum = momentum
        self.epsilon = epsilon
        self.tracksRunningStatistics = tracksRunningStatistics
        scale = affine ? Parameter(Tensor.ones([featureCount])) : nil
        offset = affine ? Parameter(Tensor.zeros([featureCount])) : nil
        runningMean = Buffer(Tensor.zeros([featureCount]))
        runningVariance = Buffer(Tensor.ones([featureCount]))
    }

    /// γ = 1, β = 0, running mean 0 and running variance 1, as at creation (draws nothing).
    public override func resetParameters(using generator: inout SeededGenerator) throws {
        scale?.assign(Tensor.ones([featureCount]))
        offset?.assign(Tensor.zeros([featureCount]))
        runningMean.value = Tensor.zeros([featureCount])
        runningVariance.value = Tensor.ones([featureCount])
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        checkPrecondition(input.shape.count >= 2 && input.shape[1] == featureCount,
                          "\(summary): input \(input.shape) does not have \(featureCount) features on axis 1")
        let axes = [0] + Array(2..<input.shape.count)
        // [1, C, 1, …]: broadcasts against the input.
        let statisticShape = [1, featureCount] + Array(repeating: 1, count: input.shape.count - 2)
        let normalized: Variable
        if isTraining || !tracksRunningStatistics {
            let mean = input.mean(alongAxes: axes, keepingDimensions: true)
            let centered = input - mean
            let variance = centered.squared().mean(alongAxes: axes, keepingDimensions: true)
            normalized = centered / (variance + epsilon).squareRoot()
            if isTraining && tracksRunningStatistics {
                let count = Float(input.value.count / featureCount)
                let unbiased = variance.value.reshaped(to: [featureCount]) * (count / Swift.max(count - 1, 1))
                runningMean.value = runningMean.value * (1 - momentum)
                    + mean.value.reshaped(to: [featureCount]) * momentum
                runningVariance.value = runningVariance.value * (1 - momentum) + unbiased * momentum
            }
        } else {
            let mean = runningMean.value.reshaped(to: statisticShape)
            let standardDeviation = (runningVariance.value.reshaped(to: statisticShape) + epsilon).squareRoot()
            normalized = (input - mean) / standardDeviation
        }
        guard let scale, let offset else { return normalized }
        return normalized * scale.reshaped(to: statisticShape) + offset.reshaped(to: statisticShape)
    }

    public override var summary: String {
        "\(type(of: self))(\(featureCount)\(tracksRunningStatistics ? "" : ", batch statistics only"))"
    }
}

/// Batch normalization of `[N, C]` features.
public final class BatchNorm1D: BatchNormalization {}

/// Batch normalization of `[N, C, H, W]` feature maps (statistics per channel over N, H, W).
public final class BatchNorm2D: BatchNormalization {}
