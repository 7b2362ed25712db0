import Foundation

/// One epoch's record: mean training loss per task, the balancer's mean weights, and the
/// validation and test results when those splits were given.
public struct EpochRecord: Sendable {
    public var epoch: Int
    public var trainLosses: [Double]
    public var weights: [Float]
    /// The mean per-task gradient statistics of the steps measured (when enabled).
    public var gradientStatistics: GradientStatistics?
    /// The balancer's task-dominance summary at the epoch's end (`LossBalancer.updateDominance()`:
    /// AdaTask's).
    public var dominance: [TaskDominance]?
    public var validation: [TaskEvaluation]?
    public var test: [TaskEvaluation]?
    public var seconds: Double
}
