// Exercises for chapter 14, "Extending MultiTaskKit" (Tutorials/14-extending.md).
// Fill in the bodies of `Chapter14Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises14
import Foundation
import MultiTaskKit

/// The exercises of chapter 14: a balancer, a loss and a metric of your own, each through the library's
/// extension contract.
public protocol Chapter14Exercises {
    /// **14.1 A balancer through the `LossBalancer` contract** (chapter 14, "A balancing method").
    ///
    /// *Inverse-loss weighting*: in every step, the tasks of the step (`context.tasks`, n of them, with their
    /// `losses`) get weights w_t = n · (1/L_t) / Σ_s (1/L_s), computed from the loss *values* — so every
    /// weighted loss w_t L_t is the same and the weights sum to n. It keeps no state.
    ///
    /// - Parameter taskCount: T, the number of tasks of the model.
    /// - Returns: a new balancer named "inverse-loss" whose `backward(losses:context:)` accumulates the
    ///   gradient of Σ_t w_t L_t (plus the context's regularization term, unweighted) and returns the w_t.
    /// - Hint: write a `final class` conforming to `LossBalancer` and end `backward` with
    ///   `backwardWeightedSum(losses:weights:context:)`, which adds the regularization for you.
    static func makeInverseLossBalancer(taskCount: Int) throws -> any LossBalancer

    /// **14.2 A custom loss through `TaskSpec`** (chapter 14, "A loss and a metric").
    ///
    /// The log-cosh loss, mean over all elements of log(cosh(ŷ − y)): about ½(ŷ − y)² for small errors and
    /// |ŷ − y| − log 2 for large ones. Its gradient comes from the `Variable` operations you use.
    ///
    /// - Returns: a `CustomLoss` named "log-cosh" (shapes: output and target alike; the loss one value).
    /// - Hint: log cosh(x) = log((eˣ + e⁻ˣ)/2) = |x| + log(1 + e^{−2|x|}) − log 2; the second form does not
    ///   overflow for large |x|.
    static func logCoshLoss() throws -> CustomLoss

    /// **14.3 A custom metric through `TaskSpec`** (chapter 14, "A loss and a metric").
    ///
    /// The fraction of predictions within `tolerance` of their target, |ŷ − y| ≤ tolerance, over every scalar
    /// of the split: each batch reports (sum: how many are within, count: how many scalars).
    ///
    /// - Parameter tolerance: the allowed absolute error.
    /// - Returns: a `CustomMetric` named "within \(tolerance)" where higher is better.
    static func withinToleranceMetric(_ tolerance: Float) throws -> CustomMetric
}

/// Your solutions to chapter 14's exercises: replace each `throw` with your code.
public enum Chapter14Student: Chapter14Exercises {
    public static func makeInverseLossBalancer(taskCount: Int) throws -> any LossBalancer {
        throw ExerciseError.notDone("14.1 makeInverseLossBalancer")
    }

    public static func logCoshLoss() throws -> CustomLoss {
        throw ExerciseError.notDone("14.2 logCoshLoss")
    }

    public static func withinToleranceMetric(_ tolerance: Float) throws -> CustomMetric {
        throw ExerciseError.notDone("14.3 withinToleranceMetric")
    }
}
