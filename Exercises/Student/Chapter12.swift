// Exercises for chapter 12, "Task dominance" (Tutorials/12-task-dominance.md).
// Fill in the bodies of `Chapter12Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises12
import MultiTaskKit

/// The exercises of chapter 12: the AU statistic (Yang et al., AdaTask, AAAI 2023) and the dominance summary
/// the chapter's tables report.
public protocol Chapter12Exercises {
    /// **12.1 One AU update** (chapter 12, first section).
    ///
    /// For each task t and shared scalar i, an exponential average of the squared update that task caused:
    ///
    ///     AU_{t,i} ← β AU_{t,i} + (1 − β) u_{t,i}²
    ///
    /// - Parameters:
    ///   - averages: AU, `averages[t][i]` (T rows of P scalars; zeros before the first step).
    ///   - updates: u, `updates[t][i]`, task t's part of this step's update of scalar i.
    ///   - beta: β ∈ [0, 1).
    /// - Returns: the new AU, same layout.
    static func updateAverages(_ averages: [[Float]], updates: [[Float]], beta: Float) throws -> [[Float]]

    /// **12.2 Who dominates a shared parameter** (chapter 12, the tables: the share of a layer's scalars each
    /// task dominates).
    ///
    /// Task t dominates scalar i when its AU_{t,i} is the largest (a tie goes to the lowest task index).
    /// The mean share of task t is the mean over the scalars of AU_{t,i} / Σ_s AU_{s,i}, where a scalar whose
    /// AU are all 0 adds 0 to every task's share (but still counts in the mean).
    ///
    /// - Parameter averages: AU of one shared parameter, `averages[t][i]`.
    /// - Returns: per task, how many scalars it dominates, and its mean share.
    static func dominance(_ averages: [[Float]]) throws -> (dominatedCounts: [Int], meanShares: [Double])
}

/// Your solutions to chapter 12's exercises: replace each `throw` with your code.
public enum Chapter12Student: Chapter12Exercises {
    public static func updateAverages(_ averages: [[Float]], updates: [[Float]], beta: Float) throws -> [[Float]] {
        throw ExerciseError.notDone("12.1 updateAverages")
    }

    public static func dominance(_ averages: [[Float]]) throws -> (dominatedCounts: [Int], meanShares: [Double]) {
        throw ExerciseError.notDone("12.2 dominance")
    }
}
