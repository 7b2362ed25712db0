import Foundation
import TensorCore

/// A learning-rate schedule: the factor that multiplies each group's initial learning rate at a
/// given step (or epoch — the unit is the caller's). Apply it with `optimizer.apply(schedule, at:)`.
public protocol LearningRateSchedule: Sendable {
    func factor(at step: Int) -> Float
}

/// Multiplies the rate by γ every `stepSize` steps: factor = γ^⌊step / stepSize⌋ (`StepLR`).
public struct StepDecay: LearningRateSchedule {
    /// The number of steps between two decays.
    public var stepSize: Int
    /// γ, the factor applied at each decay (0.1: ten times smaller every `stepSize` steps).
    public var gamma: Float
    /// Decay by `gamma` every `stepSize` steps (`stepSize` must be positive).
    public init(stepSize: Int, gamma: Float = 0.1) {
        checkPrecondition(stepSize > 0, "StepDecay: step size \(stepSize) must be positive")
        self.stepSize = stepSize; self.gamma = gamma
    }
    /// γ^⌊step / stepSize⌋, so η(t) = η₀ · γ^⌊t / stepSize⌋.
    public func factor(at step: Int) -> Float { Float(Foundation.pow(Double(gamma), Double(step / stepSize))) }
}

/// Cosine annealing (Loshchilov & Hutter, 2017) from 1 to `minimumFactor` over `totalSteps`:
/// factor = m + (1 − m)·(1 + cos(π·step/T))/2, then `minimumFactor`.
public struct CosineAnnealing: LearningRateSchedule {
    /// T, the number of steps the cosine takes to fall from 1 to `minimumFactor`.
    public var totalSteps: Int
    /// m, the factor at and after step T (0: the rate anneals to zero).
    public var minimumFactor: Float
    /// Cosine annealing over `totalSteps` (positive) down to `minimumFactor`.
    public init(totalSteps: Int, minimumFactor: Float = 0) {
        checkPrecondition(totalSteps > 0, "CosineAnnealing: total steps \(totalSteps) must be positive")
        self.totalSteps = totalSteps; self.minimumFactor = minimumFactor
    }
    /// m + (1 − m)·(1 + cos(π·min(t, T)/T))/2, so η(t) = η₀ at t = 0 and η₀·m from t = T on.
    public func factor(at step: Int) -> Float {
        let progress = Double(Swift.min(step, totalSteps)) / Double(totalSteps)
        return minimumFactor + (1 - minimumFactor) * Float((1 + Foundation.cos(Double.pi * progress)) / 2)
    }
}

/// Linear warm-up over `warmupSteps` (factor (step + 1)/warmupSteps), then `after` (shifted so it
/// starts at its own step 0), or a constant 1.
public struct LinearWarmup: LearningRateSchedule {
    /// W, the number of warm-up steps.
    public var warmupSteps: Int
    /// The schedule that follows the warm-up, started at its own step 0; nil holds the factor at 1.
    public var after: (any LearningRateSchedule)?
    /// A linear ramp over `warmupSteps` (positive) steps, then `after` (e.g. a `CosineAnnealing`).
    public init(warmupSteps: Int, then after: (any LearningRateSchedule)? = nil) {
        checkPrecondition(warmupSteps > 0, "LinearWarmup: warm-up steps \(warmupSteps) must be positive")
        self.warmupSteps = warmupSteps; self.after = after
    }
    /// (t + 1)/W for t < W, so η(t) reaches η₀ at the last warm-up step; then `after`'s factor at t − W (or 1).
    public func factor(at step: Int) -> Float {
        if step < warmupSteps { return Float(step + 1) / Float(warmupSteps) }
        return after?.factor(at: step - warmupSteps) ?? 1
    }
}

extension Optimizer {
    /// Sets every group's learning rate to its initial rate times `schedule.factor(at: step)`.
    public func apply(_ schedule: any LearningRateSchedule, at step: Int) {
        let factor = schedule.factor(at: step)
        for index in groups.indices { groups[index].learningRate = groups[index].initialLearningRate * factor }
    }
}
