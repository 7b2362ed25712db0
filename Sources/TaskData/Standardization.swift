import TensorCore

/// Standardization x′ = (x − μ) / σ with a mean μ and a deviation σ per **feature**: per column of
/// `[N, D]` vectors, per channel of `[N, C, H, W]` images, one pair for `[N]` values.
///
/// Fit it to the **training split only** (`init(fittedTo:)`) and apply the same μ and σ to the
/// validation and test splits and to new inputs: statistics taken over every row would let the test
/// rows shape the model's inputs, and a model deployed on new data has nothing but its training
/// statistics. (Chapter 14's notebook standardizes the house table this way; `mtl train` records μ
/// and σ in the checkpoint, and `mtl predict` applies them to new inputs.)
///
/// σ is the population deviation √(Σ(x − μ)²/n) (NumPy's `std`, scikit-learn's `StandardScaler`); a
/// feature that is constant in the training split gets σ = 1, so it becomes 0 there instead of a
/// division by zero. The sums run in Double, sample by sample in order: the same data give the same
/// statistics bit for bit, whatever the thread count.
public struct Standardization: Sendable, Equatable {
    /// μ, one per feature.
    public var mean: [Float]
    /// σ, one per feature, each positive and finite.
    public var deviation: [Float]

    /// The number of features (columns or channels) it standardizes.
    public var featureCount: Int { mean.count }

    /// A standardization with given statistics (read back from a checkpoint, say). Throws when the
    /// counts differ, a mean is not finite or a deviation is not positive and finite.
    public init(mean: [Float], deviation: [Float]) throws(DataLoadingError) {
        guard mean.count == deviation.count, !mean.isEmpty else {
            throw .malformed(format: "standardization",
                             reason: "\(mean.count) means and \(deviation.count) deviations (one of each per feature)")
        }
        if let index = mean.firstIndex(where: { !$0.isFinite }) {
            throw .malformed(format: "standardization", reason: "mean \(index) is \(mean[index]), not a finite number")
        }
        if let index = deviation.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw .malformed(format: "standardization",
                             reason: "deviation \(index) is \(deviation[index]), not a positive finite number")
        }
        self.mean = mean
        self.deviation = deviation
    }

    /// μ and σ of `samples` per feature: `[N]` (one feature), `[N, D]` (per column) or `[N, C, H, W]`
    /// (per channel, over the N·H·W values of each). Needs at least one sample.
    public init(fittedTo samples: Tensor) {
        let (featureCount, inner) = Self.layout(of: samples, operation: "Standardization(fittedTo:)")
        checkPrecondition(samples.shape[0] > 0, "Standardization(fittedTo:): no samples in \(samples.shape)")
        var sums = [Double](repeating: 0, count: featureCount)
        var squares = [Double](repeating: 0, count: featureCount)
        samples.withUnsafeBufferPointer { values in
            // values[(n·F + f)·inner + k]: sample n, feature f, position k (a pixel; inner = 1 for vectors).
            for n in 0..<samples.shape[0] {
                for f in 0..<featureCount {
                    let start = (n * featureCount + f) * inner
                    for k in start..<(start + inner) { sums[f] += Double(values[k]) }
                }
            }
            let counts = Double(samples.shape[0] * inner)
            for n in 0..<samples.shape[0] {
                for f in 0..<featureCount {
                    let start = (n * featureCount + f) * inner, mean = sums[f] / counts
                    for k in start..<(start + inner) {
                        let difference = Double(values[k]) - mean
                        squares[f] += difference * difference
                    }
                }
            }
        }
        let count = Double(samples.shape[0] * inner)
        mean = sums.map { Float($0 / count) }
        deviation = squares.map { sum in
            let value = Float((sum / count).squareRoot())
            return value > 0 && value.isFinite ? value : 1
        }
    }

    /// (x − μ) / σ feature by feature; `samples` laid out as for `init(fittedTo:)`, with
    /// `featureCount` features.
    public func applied(to samples: Tensor) -> Tensor {
        transformed(samples, operation: "Standardization.applied(to:)") { ($0 - $1) / $2 }
    }

    /// x · σ + μ feature by feature: the inverse of `applied(to:)` (a standardized regression
    /// output back in the target's units).
    public func restored(_ samples: Tensor) -> Tensor {
        transformed(samples, operation: "Standardization.restored(_:)") { $0 * $2 + $1 }
    }

    private func transformed(_ samples: Tensor, operation: String,
                             _ transform: (Float, Float, Float) -> Float) -> Tensor {
        let (features, inner) = Self.layout(of: samples, operation: operation)
        checkPrecondition(features == featureCount,
                          "\(operation): samples \(samples.shape) have \(features) features, the statistics "
                          + "\(featureCount)")
        var scalars = samples.scalars
        for index in scalars.indices {
            let feature = (index / inner) % features
            scalars[index] = transform(scalars[index], mean[feature], deviation[feature])
        }
        return Tensor(shape: samples.shape, scalars: scalars)
    }

    /// The features per sample and the values per feature of a `[N]`, `[N, D]` or `[N, C, H, W]` tensor.
    private static func layout(of samples: Tensor, operation: String) -> (features: Int, inner: Int) {
        switch samples.rank {
        case 1: return (1, 1)
        case 2: return (samples.shape[1], 1)
        case 4: return (samples.shape[1], samples.shape[2] * samples.shape[3])
        default:
            fatalError("\(operation): samples must be [N], [N, D] or [N, C, H, W], got \(samples.shape)")
        }
    }
}
