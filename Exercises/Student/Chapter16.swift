// Exercises for chapter 16, "Which tasks should learn together?" (Tutorials/16-task-relationships.md).
// Fill in the bodies of `Chapter16Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises16
import MultiTaskKit

/// The exercises of chapter 16: Taskonomy's AHP affinities, the lookahead affinity, the best grouping of
/// tasks, and the budgeted choice of the tasks to label.
public protocol Chapter16Exercises {
    /// **16.1 The AHP tournament and its eigenvector** (chapter 16, "Taskonomy: transfers and the AHP
    /// tournament"; Zamir et al., CVPR 2018).
    ///
    /// n transfers to one target, each with its loss on the same N test samples:
    ///
    ///     W[i][j]  = clip( |{x : ℓ_i(x) < ℓ_j(x)}| / N , 0.001, 0.999 )    (a tie is a win for neither)
    ///     W′[i][j] = W[i][j] / W[j][i]
    ///     a        = the principal eigenvector of W′, normalized to Σ_i a_i = 1
    ///
    /// - Parameter losses: `losses[i][x]`, transfer i's loss on test sample x (n rows of N numbers).
    /// - Returns: a, one affinity per transfer (positive, summing to 1).
    /// - Hint: power iteration: from the uniform vector, v ← W′v / Σ_i (W′v)_i until no entry moves by more
    ///   than 1e-12 (W′ is positive, so Perron–Frobenius says it converges; cap it at 1,000 steps).
    static func ahpAffinities(losses: [[Double]]) throws -> [Double]

    /// **16.2 The lookahead affinity** (chapter 16, "The cheap estimators"; Fifty et al., NeurIPS 2021).
    ///
    ///     θ′_s = θ − η g_s,     Z[s][t] = 1 − L_t(θ′_s) / L_t(θ)
    ///
    /// for every source s and target t, on one batch: positive when a step on task s alone lowers task t's
    /// loss. Where L_t(θ) is not positive, Z[s][t] = 0 (there is nothing to lower).
    ///
    /// - Parameters:
    ///   - parameters: θ, the shared parameters flattened into P numbers.
    ///   - gradients: g_s = ∇_θ L_s for each of the T tasks, P numbers each (as in `TaskGradients.shared`).
    ///   - stepSize: η.
    ///   - losses: the T tasks' losses at the P parameters it is given.
    /// - Returns: Z, T × T, `Z[s][t]`.
    /// - Hint: T + 1 calls of `losses`: once at θ, once after each task's step.
    static func lookaheadAffinity(parameters: [Float], gradients: [[Float]], stepSize: Float,
                                  losses: ([Float]) -> [Double]) throws -> [[Double]]

    /// **16.3 The best grouping** (chapter 16, "From affinities to choices").
    ///
    /// The partition of the T tasks into exactly k non-empty groups that maximizes the affinity each task
    /// receives from its group-mates — their mean, as Fifty et al. score a group:
    ///
    ///     score = Σ_g Σ_{t ∈ g} (1 / (|g| − 1)) Σ_{s ∈ g, s ≠ t} A[s][t]      (a task alone adds 0)
    ///
    /// found exactly, by trying every partition (T ≤ 8 here).
    ///
    /// - Parameters:
    ///   - affinity: A, T × T, `affinity[s][t]` = s's affinity for t (the diagonal is not used).
    ///   - groupCount: k, 1 ≤ k ≤ T.
    /// - Returns: the groups, each sorted, ordered by their first task.
    /// - Hint: label the tasks in order: task i joins a group already opened or opens the next one (a
    ///   "restricted-growth string"), so that every partition is listed once; keep those with k groups.
    static func bestGrouping(affinity: [[Double]], groupCount: Int) throws -> [[Int]]

    /// **16.4 Which tasks to label** (chapter 16, "From affinities to choices"; Taskonomy's budgeted subset
    /// selection, with first-order transfers).
    ///
    /// Choose the source tasks S that get labels, at most k of them; every target t then takes its best
    /// transfer from a source in S, where A[t][t] stands for t trained on its own labels (so it needs t ∈ S):
    ///
    ///     maximize  value(S) = Σ_t max_{s ∈ S} A[s][t]     subject to 1 ≤ |S| ≤ k
    ///
    /// - Parameters:
    ///   - affinity: A, T × T, `affinity[s][t]` = how well a readout on s's encoder predicts t.
    ///   - budget: k ≥ 1.
    /// - Returns: a best S, sorted.
    /// - Hint: try every subset of at most k tasks (T ≤ 10 here): the bit masks 1..<2^T. Adding a source
    ///   one at a time, greedily, is *not* exact.
    static func selectSources(affinity: [[Double]], budget: Int) throws -> [Int]
}

/// Your solutions to chapter 16's exercises: replace each `throw` with your code.
public enum Chapter16Student: Chapter16Exercises {
    public static func ahpAffinities(losses: [[Double]]) throws -> [Double] {
        throw ExerciseError.notDone("16.1 ahpAffinities")
    }

    public static func lookaheadAffinity(parameters: [Float], gradients: [[Float]], stepSize: Float,
                                         losses: ([Float]) -> [Double]) throws -> [[Double]] {
        throw ExerciseError.notDone("16.2 lookaheadAffinity")
    }

    public static func bestGrouping(affinity: [[Double]], groupCount: Int) throws -> [[Int]] {
        throw ExerciseError.notDone("16.3 bestGrouping")
    }

    public static func selectSources(affinity: [[Double]], budget: Int) throws -> [Int] {
        throw ExerciseError.notDone("16.4 selectSources")
    }
}
