// Exercises for chapter 00, "Getting started" (Tutorials/00-getting-started.md).
// Fill in the bodies of `Chapter00Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises00
import MultiTaskKit

/// The exercises of chapter 00: the combined objective, the F-score the shape tasks are scored by, and
/// negative transfer.
public protocol Chapter00Exercises {
    /// **00.1 The multi-task objective** (chapter 00, first paragraph; chapter 06).
    ///
    /// One model trained on T tasks minimizes L = Σ_t w_t L_t.
    ///
    /// - Parameters:
    ///   - losses: L_t, one per task (T values).
    ///   - weights: w_t, one per task (T values).
    /// - Returns: Σ_t w_t L_t (0 for no tasks).
    /// - Throws: `ExerciseError.notDone` until the exercise is done.
    /// - Hint: `zip` the two arrays.
    static func weightedObjective(losses: [Float], weights: [Float]) throws -> Float

    /// **00.2 The F-score of one binary attribute** (chapter 00, "What the notebook shows": each shape
    /// task is a group of binary attributes scored by F-score).
    ///
    /// With TP, FP and FN the true positives, false positives and false negatives of `predicted` against
    /// `actual`: precision P = TP / max(1, TP + FP), recall R = TP / max(1, TP + FN), and
    /// F = 2PR / (P + R), which is 0 when P + R = 0.
    ///
    /// - Parameters:
    ///   - predicted: the model's decisions, one per sample.
    ///   - actual: the labels, one per sample (as many as `predicted`).
    /// - Returns: F, in [0, 1].
    /// - Hint: count TP, FP and FN in one loop; compute in `Double`.
    static func fScore(predicted: [Bool], actual: [Bool]) throws -> Double

    /// **00.3 Negative transfer** (chapter 00, first paragraph): sharing made a task *worse* than
    /// training it alone.
    ///
    /// - Parameters:
    ///   - singleTask: each task's metric for its single-task (STL) model.
    ///   - multiTask: each task's metric for the multi-task model.
    ///   - higherIsBetter: for each task, whether a larger metric is better (F-score) or worse (an error).
    /// - Returns: the indices of the tasks whose multi-task metric is strictly worse than the STL one,
    ///   ascending. Equal metrics are not negative transfer.
    static func negativeTransfer(singleTask: [Double], multiTask: [Double], higherIsBetter: [Bool]) throws -> [Int]
}

/// Your solutions to chapter 00's exercises: replace each `throw` with your code.
public enum Chapter00Student: Chapter00Exercises {
    public static func weightedObjective(losses: [Float], weights: [Float]) throws -> Float {
        throw ExerciseError.notDone("00.1 weightedObjective")
    }

    public static func fScore(predicted: [Bool], actual: [Bool]) throws -> Double {
        throw ExerciseError.notDone("00.2 fScore")
    }

    public static func negativeTransfer(singleTask: [Double], multiTask: [Double],
                                        higherIsBetter: [Bool]) throws -> [Int] {
        throw ExerciseError.notDone("00.3 negativeTransfer")
    }
}
