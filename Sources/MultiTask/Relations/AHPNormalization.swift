import Foundation
import TensorCore

/// The Analytic Hierarchy Process as Taskonomy uses it (Zamir et al., CVPR 2018, §3.3) to put the
/// transfers to one target on a common scale: losses of different tasks are not comparable, but
/// "how often does transfer i beat transfer j on a test sample" is.
///
/// For one target and transfers i = 1…n with per-sample test losses ℓ_i(x):
///
///     W[i][j]  = clip( |{x : ℓ_i(x) < ℓ_j(x)}| / N , 0.001, 0.999 )    tournament, n × n
///     W′[i][j] = W[i][j] / W[j][i]                                     W′ = W ⊘ Wᵀ
///     a        = principal eigenvector of W′, a ≥ 0, Σ_i a_i = 1       the transfers' affinities
///
/// W′[i][j] says how many times more often i wins than j. For a *consistent* W′ (W′[i][j] = w_i/w_j,
/// as a Bradley–Terry tournament W[i][j] = w_i/(w_i + w_j) gives) the eigenvector is w itself.
public enum AHPNormalization {
    /// The tournament matrix of per-sample losses `losses[i][x]` (transfer i, test sample x): the
    /// fraction of samples where transfer i's loss is strictly lower than j's, clipped to
    /// [0.001, 0.999] (the diagonal is the clipped 0). All transfers need the same samples.
    public static func tournament(losses: [[Double]]) -> [[Double]] {
        checkPrecondition(!losses.isEmpty && losses.allSatisfy { $0.count == losses[0].count && !$0.isEmpty },
                          "AHPNormalization.tournament: every transfer needs losses on the same non-empty samples")
        let sampleCount = Double(losses[0].count)
        return losses.indices.map { i in
            losses.indices.map { j in
                let wins = zip(losses[i], losses[j]).reduce(0) { $0 + ($1.0 < $1.1 ? 1 : 0) }
                return min(0.999, max(0.001, Double(wins) / sampleCount))
            }
        }
    }

    /// W′ = W ⊘ Wᵀ, the pairwise ratio matrix of a tournament (entries of W must be > 0).
    public static func ratios(tournament: [[Double]]) -> [[Double]] {
        tournament.indices.map { i in tournament.indices.map { j in tournament[i][j] / tournament[j][i] } }
    }

    /// The principal eigenvector of a matrix with positive entries by power iteration
    /// (v ← M v / Σ M v, from the uniform vector), normalized to sum 1. Perron–Frobenius: for a
    /// positive matrix it is unique and positive, and the iteration converges to it. Stops when no
    /// entry moves more than `tolerance`, or after `iterations` steps.
    public static func principalEigenvector(_ matrix: [[Double]], iterations: Int = 1000,
                                            tolerance: Double = 1e-12) -> [Double] {
        let count = matrix.count
        checkPrecondition(count >= 1 && matrix.allSatisfy { $0.count == count },
                          "AHPNormalization.principalEigenvector: needs a square matrix, got \(count) rows")
        var vector = Array(repeating: 1 / Double(count), count: count)
        for _ in 0..<iterations {
            var next = matrix.map { row in zip(row, vector).reduce(0) { $0 + $1.0 * $1.1 } }
            let total = next.reduce(0, +)
            guard total > 0, total.isFinite else { break }
            next = next.map { $0 / total }
            let change = zip(next, vector).map { abs($0 - $1) }.max() ?? 0
            vector = next
            if change <= tolerance { break }
        }
        return vector
    }

    /// The AHP affinities of the transfers to one target: tournament, ratios, eigenvector.
    public static func affinities(losses: [[Double]]) -> [Double] {
        principalEigenvector(ratios(tournament: tournament(losses: losses)))
    }
}
