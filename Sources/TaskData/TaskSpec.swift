import TensorCore

/// What one task asks of a model: its name, the kind of output, the loss it is trained with and
/// the metrics it is judged by.
///
/// Targets are stored as tensors whose first axis is the sample, in a layout fixed by the kind:
///
/// | kind | model output | target |
/// |---|---|---|
/// | `classification(classCount: K)` | logits `[N, K]` | class indices `[N]` (as Float) |
/// | `multiLabel(labelCount: L)` | logits `[N, L]` | 0/1 `[N, L]` |
/// | `regression(outputCount: D)` | values `[N, D]` | values `[N, D]` |
/// | `denseSegmentation(classCount: K)` | logits `[N, K, H, W]` | class indices `[N, H, W]` |
/// | `denseRegression(channelCount: C)` | values `[N, C, H, W]` | values `[N, C, H, W]` |
public struct TaskSpec: Sendable, Equatable, CustomStringConvertible {
    /// The task's name, used in logs and tables (`"shape"`, `"depth"`).
    public var name: String
    /// The kind of output.
    public var kind: TaskKind
    /// The loss the task is trained with (the kind's default unless given).
    public var loss: LossKind
    /// The metrics the task is judged by; the first is the task's main metric.
    public var metrics: [MetricKind]
    /// Names of the outputs (the attributes of a multi-label task, the classes of a
    /// classification task); empty when they have none.
    public var outputNames: [String]
    /// A loss of your own: when set, the task is trained and evaluated with it instead of `loss`.
    public var customLoss: CustomLoss?
    /// Metrics of your own, reported beside `metrics` (`TaskEvaluation.customMetrics`).
    public var customMetrics: [CustomMetric]

    /// A task; `loss` and `metrics` default to the kind's `defaultLoss` and `defaultMetrics`.
    public init(name: String, kind: TaskKind, loss: LossKind? = nil, metrics: [MetricKind]? = nil,
                outputNames: [String] = [], customLoss: CustomLoss? = nil, customMetrics: [CustomMetric] = []) {
        self.name = name
        self.kind = kind
        self.loss = loss ?? kind.defaultLoss
        self.metrics = metrics ?? kind.defaultMetrics
        self.outputNames = outputNames
        self.customLoss = customLoss
        self.customMetrics = customMetrics
    }

    /// The number of model outputs per sample (per pixel for dense tasks).
    public var outputCount: Int { kind.outputCount }

    /// One line: the name, the kind, the loss (marked "custom" for a `CustomLoss`) and the metrics.
    public var description: String {
        "\(name): \(kind), loss \(customLoss.map { "\($0) (custom)" } ?? "\(loss)"), metrics "
            + (metrics.map(\.rawValue) + customMetrics.map(\.name)).joined(separator: ", ")
    }
}

/// The kinds of task (see `TaskSpec` for the shapes of outputs and targets).
public enum TaskKind: Sendable, Equatable, CustomStringConvertible {
    /// One of `classCount` classes per sample.
    case classification(classCount: Int)
    /// `labelCount` independent yes/no attributes per sample (the CelebA style).
    case multiLabel(labelCount: Int)
    /// `outputCount` real values per sample.
    case regression(outputCount: Int)
    /// One of `classCount` classes per pixel.
    case denseSegmentation(classCount: Int)
    /// `channelCount` real values per pixel (depth: 1, surface normals: 3).
    case denseRegression(channelCount: Int)

    /// Model outputs per sample (per pixel for dense kinds).
    public var outputCount: Int {
        switch self {
        case .classification(let count), .multiLabel(let count), .regression(let count),
             .denseSegmentation(let count), .denseRegression(let count): return count
        }
    }

    /// Whether the task predicts per pixel.
    public var isDense: Bool {
        switch self {
        case .denseSegmentation, .denseRegression: return true
        default: return false
        }
    }

    /// Cross-entropy for classes, binary cross-entropy for attributes, mean squared error for values.
    public var defaultLoss: LossKind {
        switch self {
        case .classification, .denseSegmentation: return .crossEntropy
        case .multiLabel: return .binaryCrossEntropy
        case .regression: return .meanSquaredError
        case .denseRegression: return .l1
        }
    }

    /// The usual metrics of the kind, main metric first (as in the Maximum Roaming and MTAN papers).
    public var defaultMetrics: [MetricKind] {
        switch self {
        case .classification: return [.accuracy]
        case .multiLabel: return [.fScore, .precision, .recall, .accuracy]
        case .regression: return [.meanSquaredError, .absoluteError]
        case .denseSegmentation: return [.meanIntersectionOverUnion, .pixelAccuracy]
        case .denseRegression: return [.absoluteError, .relativeError]
        }
    }

    /// The kind and its size in words, e.g. "classification (10 classes)".
    public var description: String {
        switch self {
        case .classification(let count): return "classification (\(count) classes)"
        case .multiLabel(let count): return "multi-label (\(count) labels)"
        case .regression(let count): return "regression (\(count) outputs)"
        case .denseSegmentation(let count): return "dense segmentation (\(count) classes)"
        case .denseRegression(let count): return "dense regression (\(count) channels)"
        }
    }
}

/// The losses a task can name. (The functions themselves live in NeuralNetworks; the trainer maps
/// these names to them.)
public enum LossKind: String, Sendable, Equatable, CaseIterable {
    case crossEntropy, binaryCrossEntropy, meanSquaredError, l1, cosine
}

/// The metrics a task can name, each with its direction.
public enum MetricKind: String, Sendable, Equatable, CaseIterable {
    case accuracy
    /// Per-attribute F-score from counts over the split, macro-averaged (Pascal et al.).
    case fScore
    case precision, recall
    case meanSquaredError
    /// Mean absolute error.
    case absoluteError
    /// Mean of |prediction − target| / |target| over pixels with a non-zero target.
    case relativeError
    /// Mean intersection over union over the classes present.
    case meanIntersectionOverUnion
    case pixelAccuracy
    /// Mean angle between predicted and target surface normals, in degrees.
    case meanAngleError

    /// Whether a larger value is better (the sign s of Δm%).
    public var higherIsBetter: Bool {
        switch self {
        case .accuracy, .fScore, .precision, .recall, .meanIntersectionOverUnion, .pixelAccuracy: return true
        case .meanSquaredError, .absoluteError, .relativeError, .meanAngleError: return false
        }
    }
}
