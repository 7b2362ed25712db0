// Exercises for chapter 06, "Multi-task basics" (Tutorials/06-multi-task-basics.md).
// Fill in the bodies of `Chapter06Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises06
import MultiTaskKit

/// The exercises of chapter 06: Δm%, the related-tasks generator's correlated weights, and the findings
/// protocol's verdict.
public protocol Chapter06Exercises {
    /// **06.1 Δm% from per-task metrics** (chapter 06, first section; chapter 00, question 2).
    ///
    ///     Δm% = 100 · (1/T) Σ_t (1/M_t) Σ_m s_{t,m} (M_mtl − M_stl) / M_stl
    ///
    /// with s = +1 if higher is better, −1 if lower.
    ///
    /// A metric whose STL value is 0 (no relative change exists) is left out of its task's mean; a task left
    /// with no metric is left out of the average over tasks.
    ///
    /// - Parameters:
    ///   - multiTask: per task, the multi-task model's metric values (M_t of them for task t).
    ///   - singleTask: per task, the STL baselines of the same metrics, in the same order.
    ///   - higherIsBetter: per task and metric, the direction.
    /// - Returns: Δm% (positive when sharing helps).
    static func deltaM(multiTask: [[Double]], singleTask: [[Double]], higherIsBetter: [[Bool]]) throws -> Double

    /// **06.2 Two tasks with correlation ρ** (chapter 06, first section: `RelatedRegression`, after MMoE).
    ///
    /// w₁ = u₁, w₂ = ρu₁ + √(1 − ρ²)u₂. With u₁ and u₂ orthogonal unit vectors, w₂ is a
    /// unit vector and cos(w₁, w₂) = ρ — the knob of the chapter's study.
    ///
    /// - Parameters: u1, u2: vectors of one length; correlation: ρ ∈ [−1, 1].
    /// - Returns: (w₁, w₂).
    static func relatedTaskWeights(u1: [Float], u2: [Float], correlation: Float) throws -> (w1: [Float], w2: [Float])

    /// **06.3 The verdict of a comparison** (chapter 06, "How we measure: the findings protocol").
    ///
    /// A 95% confidence interval [lower, upper] of a paired difference (Δm% of an arm against the baseline)
    /// reads "better" when it lies above 0, "worse" when it lies below 0, and "no detectable difference"
    /// when it contains 0 (an endpoint at exactly 0 counts as containing it).
    ///
    /// - Returns: "better", "worse" or "no detectable difference".
    static func verdict(lower: Double, upper: Double) throws -> String
}

/// Your solutions to chapter 06's exercises: replace each `throw` with your code.
public enum Chapter06Student: Chapter06Exercises {
    public static func deltaM(multiTask: [[Double]], singleTask: [[Double]],
                              higherIsBetter: [[Bool]]) throws -> Double {
        throw ExerciseError.notDone("06.1 deltaM")
    }

    public static func relatedTaskWeights(u1: [Float], u2: [Float],
                                          correlation: Float) throws -> (w1: [Float], w2: [Float]) {
        throw ExerciseError.notDone("06.2 relatedTaskWeights")
    }

    public static func verdict(lower: Double, upper: Double) throws -> String {
        throw ExerciseError.notDone("06.3 verdict")
    }
}
