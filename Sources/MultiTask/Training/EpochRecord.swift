import Foundation

/// One epoch's record: mean training loss per task, the balancer's mean weights, and the
/// validation and test results when those splits were given.
public struct EpochRecord: Sendable {
    /// The epoch number, counted from 1.
    public var epoch: Int
    /// Each task's training loss averaged over the epoch's steps that trained it (NaN if none), in task order.
    public var trainLosses: [Double]
    /// Each task's weight from the balancer, averaged over the same steps, in task order.
    public var weights: [Float]
    /// The mean per-task gradient statistics of the steps measured (when enabled).
    public var gradientStatistics: GradientStatistics?
    /// The balancer's task-dominance summary at the epoch's end (`LossBalancer.updateDominance()`:
    /// AdaTask's).
    public var dominance: [TaskDominance]?
    /// The evaluation of each task on the validation split, when one was given.
    public var validation: [TaskEvaluation]?
    /// The evaluation of each task on the test split, when one was given.
    public var test: [TaskEvaluation]?
    /// Wall-clock time of the epoch in seconds, training and evaluation included.
    public var seconds: Double
}
