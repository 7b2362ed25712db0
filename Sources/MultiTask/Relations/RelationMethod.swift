import Foundation
import TensorCore
import TaskData

/// The affinity estimators by name, as `mtl relations --method` takes them.
public enum RelationMethod: String, Sendable, CaseIterable {
    /// Taskonomy's transfer modelling with AHP normalization (`taskonomyAffinities`): T single-task
    /// networks and T² readouts.
    case taskonomy
    /// The mean cosine of the tasks' shared-parameter gradients over one multi-head training run.
    case gradient
    /// The lookahead inter-task affinity of Fifty et al. (2021) over the same kind of run.
    case lookahead
}

/// The training budget of the estimators (`estimateAffinity`).
public struct RelationSettings: Sendable {
    /// Taskonomy's networks and readouts.
    public var taskonomy: TaskonomySettings
    /// Epochs of the multi-head run that measures the gradient and lookahead affinities.
    public var trainingEpochs: Int
    /// Measure every this many steps of that run.
    public var measurementInterval: Int
    /// η of the lookahead step.
    public var lookaheadStepSize: Float

    /// Every setting, each with its default.
    public init(taskonomy: TaskonomySettings = TaskonomySettings(), trainingEpochs: Int = 10,
                measurementInterval: Int = 5, lookaheadStepSize: Float = 0.01) {
        self.taskonomy = taskonomy
        self.trainingEpochs = trainingEpochs
        self.measurementInterval = measurementInterval
        self.lookaheadStepSize = lookaheadStepSize
    }
}

/// The task × task affinity matrix of `data` by `method`; `settings.taskonomy.options.seed` seeds
/// the networks of every method.
public func estimateAffinity(_ method: RelationMethod, data: DatasetSplits<MultiTaskDataset>,
                             settings: RelationSettings) throws -> TaskAffinity {
    switch method {
    case .taskonomy:
        return try taskonomyAffinities(data: data, settings: settings.taskonomy).affinity
    case .gradient, .lookahead:
        let measured = measureTrainingAffinities(
            data: data.train, options: settings.taskonomy.options, epochs: settings.trainingEpochs,
            batchSize: settings.taskonomy.batchSize, learningRate: settings.taskonomy.learningRate,
            interval: settings.measurementInterval, lookaheadStepSize: settings.lookaheadStepSize)
        return method == .gradient ? measured.gradientCosine : measured.lookahead
    }
}

/// How well an estimate recovers a known relatedness: Spearman's ρ_s between the estimate's
/// off-diagonal entries, symmetrized ((A + Aᵀ)/2, as the truth is symmetric), and the truth's.
/// nil when either is constant off the diagonal.
public func recoveryScore(estimate: TaskAffinity, truth: TaskAffinity) -> Double? {
    spearmanCorrelation(estimate.symmetrized.offDiagonal, truth.offDiagonal)
}
