import Foundation
import TensorCore

/// The minimum-norm point of the convex hull of T vectors g_1…g_T — the core of MGDA:
///
///     α* = argmin_{α ∈ Δ_T} ‖Σ_t α_t g_t‖²,   Δ_T = {α : α_t ≥ 0, Σ_t α_t = 1}
///
/// Σ_t α*_t g_t is the steepest direction that decreases every task's loss at once; it is zero
/// exactly at a Pareto-stationary point (Désidéri 2012; Sener & Koltun, "Multi-Task Learning as
/// Multi-Objective Optimization", NeurIPS 2018). Only the Gram matrix M[s][t] = g_s · g_t is
/// needed, since ‖Σ α_t g_t‖² = αᵀMα, so the solver never touches the P-long vectors.
public enum MinimumNormSolver {
    /// What `solve` and `frankWolfe` found.
    public struct Solution: Sendable {
        /// α, on the simplex.
        public var weights: [Double]
        /// Frank–Wolfe iterations taken (0 for the closed forms, T ≤ 2).
        public var iterations: Int
        /// Whether the stopping test passed before `maxIterations` ran out; always true for the
        /// closed forms. When false, α is only the last iterate: on very ill-conditioned sets (a
        /// thin hull whose minimum lies inside a face) it can be far from α* in the directions
        /// along which ‖Σ α_t g_t‖ hardly changes, although ‖Σ α_t g_t‖ itself is close to its minimum.
        public var reachedTolerance: Bool
    }

    /// The two-vector case in closed form: the weight γ of g₁ in
    /// argmin_{γ∈[0,1]} ‖γ g₁ + (1−γ) g₂‖²,
    ///
    ///     γ = clamp((g₂·g₂ − g₁·g₂) / ‖g₁ − g₂‖², 0, 1)
    ///
    /// (γ = ½ when g₁ = g₂ and every γ is optimal). Arguments: g₁·g₁, g₁·g₂, g₂·g₂.
    public static func twoVectorWeight(_ g11: Double, _ g12: Double, _ g22: Double) -> Double {
        let distance = g11 - 2 * g12 + g22  // ‖g₁ − g₂‖²
        guard distance > 0 else { return 0.5 }
        return Swift.min(Swift.max((g22 - g12) / distance, 0), 1)
    }

    /// α* for the Gram matrix `gram` (T×T, symmetric positive semi-definite).
    ///
    /// T = 1: α = (1). T = 2: the closed form. T ≥ 3: Frank–Wolfe from the best pair, as in the
    /// MGDA-UB reference, with **away steps** (below); `reachedTolerance` says whether it stopped
    /// on its test or at `maxIterations`.
    public static func solve(gram: [[Double]], maxIterations: Int = 1000, tolerance: Double = 1e-12) -> Solution {
        let count = gram.count
        checkGram(gram, "MinimumNormSolver.solve")
        if count == 1 { return Solution(weights: [1], iterations: 0, reachedTolerance: true) }
        // The best pair.
        var best = (cost: Double.infinity, i: 0, j: 1, gamma: 0.5)
        for i in 0..<count {
            for j in (i + 1)..<count {
                let gamma = twoVectorWeight(gram[i][i], gram[i][j], gram[j][j])
                let cost = gamma * gamma * gram[i][i] + 2 * gamma * (1 - gamma) * gram[i][j]
                    + (1 - gamma) * (1 - gamma) * gram[j][j]
                if cost < best.cost { best = (cost, i, j, gamma) }
            }
        }
        var alpha = Array(repeating: 0.0, count: count)
        alpha[best.i] = best.gamma
        alpha[best.j] = 1 - best.gamma
        if count == 2 { return Solution(weights: alpha, iterations: 0, reachedTolerance: true) }
        return frankWolfe(gram: gram, start: alpha, maxIterations: maxIterations, tolerance: tolerance)
    }

    /// Frank–Wolfe on f(α) = ½ αᵀMα over the simplex, from `start`, with exact line searches.
    ///
    /// Each iteration computes the gradient Mα and
    /// - the **toward** step: to the vertex e_s with the smallest (Mα)_s (the reference's only move);
    /// - with `awaySteps`, the **away** step: away from the vertex e_v in the support with the
    ///   largest (Mα)_v, taken when it promises more (Lacoste-Julien & Jaggi, "On the Global Linear
    ///   Convergence of Frank-Wolfe Optimization Variants", NeurIPS 2015).
    ///
    /// Plain Frank–Wolfe zig-zags when the minimum lies on a face of the simplex, which is the
    /// usual case when task gradients are nearly dependent: the reference's 250 iterations then
    /// leave ‖Σ α g‖ up to 5% above the minimum (measured by this package's tests); with away steps
    /// the convergence is linear. The stop: the Frank–Wolfe gap αᵀMα − min_s (Mα)_s — an upper bound
    /// of f(α) − f(α*) — below `tolerance` · max_t M_tt (or no descent direction left). Without away
    /// steps it stops, as the reference, when α changes by less than `tolerance` in L1. Either way
    /// `maxIterations` caps the iterations, and `reachedTolerance` is false when the cap stopped it.
    /// The linear rate degrades with the conditioning of the set: three gradients with a hull
    /// 0.02 thin around the minimum take about 37,000 iterations (a test measures it).
    public static func frankWolfe(gram: [[Double]], start: [Double], maxIterations: Int = 1000,
                                  tolerance: Double = 1e-12, awaySteps: Bool = true) -> Solution {
        checkGram(gram, "MinimumNormSolver.frankWolfe")
        checkPrecondition(start.count == gram.count,
                          "MinimumNormSolver.frankWolfe: start has \(start.count) weights for \(gram.count) tasks")
        let scale = Swift.max(gram.indices.map { gram[$0][$0] }.max()!, .leastNormalMagnitude)
        var alpha = start
        var iterations = 0
        while true {
            let gradient = multiply(gram, alpha)  // Mα
            let value = zip(alpha, gradient).reduce(0) { $0 + $1.0 * $1.1 }  // αᵀMα
            let toward = gradient.indices.min { gradient[$0] < gradient[$1] }!
            let towardGap = value - gradient[toward]
            if awaySteps && towardGap <= tolerance * scale {
                return Solution(weights: alpha, iterations: iterations, reachedTolerance: true)
            }
            if iterations == maxIterations {
                return Solution(weights: alpha, iterations: iterations, reachedTolerance: false)
            }
            var direction: [Double], longest: Double
            let support = alpha.indices.filter { alpha[$0] > 0 }
            let away = support.max { gradient[$0] < gradient[$1] }!
            if awaySteps && gradient[away] - value > towardGap && alpha[away] < 1 {
                direction = alpha
                direction[away] -= 1  // α − e_v
                longest = alpha[away] / (1 - alpha[away])
            } else {
                direction = alpha.map { -$0 }
                direction[toward] += 1  // e_s − α
                longest = 1
            }
            // Exact line search: f(α + γd) is a parabola in γ.
            let curvature = MinimumNormSolver.squaredNorm(of: direction, gram: gram)
            let slope = zip(direction, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            guard slope < 0 else {  // no descent direction: α is optimal up to rounding
                return Solution(weights: alpha, iterations: iterations, reachedTolerance: true)
            }
            iterations += 1
            let gamma = curvature > 0 ? Swift.min(-slope / curvature, longest) : longest
            let next = zip(alpha, direction).map { Swift.max($0 + gamma * $1, 0) }
            let total = next.reduce(0, +)
            let change = zip(next, alpha).reduce(0) { $0 + Swift.abs($1.0 / total - $1.1) }
            alpha = next.map { $0 / total }
            if !awaySteps && change < tolerance {
                return Solution(weights: alpha, iterations: iterations, reachedTolerance: true)
            }
        }
    }

    /// αᵀMα = ‖Σ α_t g_t‖².
    public static func squaredNorm(of alpha: [Double], gram: [[Double]]) -> Double {
        zip(alpha, multiply(gram, alpha)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    static func multiply(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        matrix.map { row in zip(row, vector).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    static func checkGram(_ gram: [[Double]], _ operation: String) {
        checkPrecondition(!gram.isEmpty && gram.allSatisfy { $0.count == gram.count },
                          "\(operation): the Gram matrix must be square and non-empty, got \(gram.map(\.count))")
    }
}
