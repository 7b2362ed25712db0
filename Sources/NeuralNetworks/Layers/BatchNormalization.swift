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
    /// γ `[C]`, the learned per-feature scale (initialized to 1); nil without `affine`.
    public let scale: Parameter?      // γ, [C]
    /// β `[C]`, the learned per-feature offset (initialized to 0); nil without `affine`.
    public let offset: Parameter?     // β, [C]
    /// The running average of the batch means `[C]` (starts at 0), used in evaluation mode.
    public let runningMean: Buffer    // [C]
    /// The running average of the unbiased batch variances `[C]` (starts at 1), used in evaluation mode.
    public let runningVariance: Buffer
    /// The weight of a new batch in the running averages, r ← (1 − momentum)·r + momentum·batch (0.1).
    public let momentum: Float
    /// ε, added to the variance before the square root so a constant feature does not divide by zero.
    public let epsilon: Float
    /// Whether running averages are kept and used in evaluation; false normalizes with batch statistics always.
    public let tracksRunningStatistics: Bool
    let featureCount: Int

    /// Normalization of `featureCount` features C (axis 1 of `[N, C]` or `[N, C, H, W]`); `affine` adds the
    /// learned γ and β, and defaults follow PyTorch's `BatchNorm`.
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
