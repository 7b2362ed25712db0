// REFERENCE SOLUTIONS for chapter 14 — students: do the exercises in Exercises/Student/Chapter14.swift first.
import Foundation
import MultiTaskKit
import Exercises

/// Inverse-loss weighting: w_t = n · (1/L_t) / Σ_s (1/L_s) over the n tasks of the step.
final class InverseLossWeighting: LossBalancer {
    var name: String { "inverse-loss" }

    func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        let inverses = losses.map { 1 / $0.value.scalar }
        let sum = inverses.reduce(0, +)
        let weights = inverses.map { Float(losses.count) * $0 / sum }
        return backwardWeightedSum(losses: losses, weights: weights, context: context)
    }
}

/// Reference solutions of chapter 14's exercises.
public enum Chapter14Reference: Chapter14Exercises {
    public static func makeInverseLossBalancer(taskCount: Int) throws -> any LossBalancer { InverseLossWeighting() }

    public static func logCoshLoss() throws -> CustomLoss {
        CustomLoss(name: "log-cosh") { output, target in
            let error = (output - Variable(target)).abs()
            return (error + ((error * -2).exp() + 1).log() - Float(Foundation.log(2.0))).mean()
        }
    }

    public static func withinToleranceMetric(_ tolerance: Float) throws -> CustomMetric {
        CustomMetric(name: "within \(tolerance)", higherIsBetter: true) { output, target in
            let within = zip(output.scalars, target.scalars).filter { abs($0 - $1) <= tolerance }.count
            return (Double(within), Double(output.count))
        }
    }
}
