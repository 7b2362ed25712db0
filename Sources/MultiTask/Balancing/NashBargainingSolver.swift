import Foundation
import TensorCore

/// Why the Nash bargaining solver gave no answer.
public enum NashBargainingError: Error, Equatable, CustomStringConvertible {
    /// M is (numerically) singular: some combination of task gradients cancels, and
    /// ½ αᵀMα − Σ log α has no minimum (or is not strictly convex).
    case singularGram(smallestPivot: Double)
    /// Newton's method did not reach the tolerance.
    case didNotConverge(iterations: Int, residual: Double)

    /// The failure in plain words, with the smallest pivot, or the iterations and residual reached.
    public var description: String {
        switch self {
        case .singularGram(let pivot):
            return "Nash-MTL: the task-gradient Gram matrix is singular (smallest Cholesky pivot \(pivot) after "
                + "normalization); some task gradients are linearly dependent or zero"
        case .didNotConverge(let iterations, let residual):
            return "Nash-MTL: Newton's method did not converge in \(iterations) iterations "
                + "(max |α_t (Mα)_t − 1| = \(residual))"
        }
    }
}

/// Solves the Nash bargaining condition of Nash-MTL (Navon et al., "Multi-Task Learning as a
/// Bargaining Game", ICML 2022): find α ∈ ℝ^T, α > 0, with
///
///     (M α)_t = 1 / α_t   for every task t,   M = G Gᵀ (the Gram matrix of the task gradients)
///
/// — every task gets the same "utility" α_t (Mα)_t = g_t · (Σ_s α_s g_s) · α_t = 1.
///
/// The condition is the stationarity condition of the strictly convex (for M positive definite)
///
///     φ(α) = ½ αᵀMα − Σ_t log α_t,   ∇φ = Mα − 1/α,   ∇²φ = M + diag(1/α²),
///
/// so a damped Newton method finds it without any external solver (the reference uses cvxpy on a
/// sequence of linearized problems). Steps are halved until α stays positive and φ decreases
/// enough (Armijo: φ(α + s d) ≤ φ(α) − ¼ s λ², with d the Newton direction and
/// λ² = ∇φᵀ(∇²φ)⁻¹∇φ the squared Newton decrement); the iteration stops when λ²/2 is below
/// `tolerance`.
///
/// Near the optimum, once λ ≤ 1/8, the full step s = 1 is taken without the Armijo test. φ is
/// self-concordant (a convex quadratic plus −log terms), so in exact arithmetic the test accepts
/// s = 1 whenever λ ≤ (1 − 2·¼)/2 = ¼, and for λ ≤ (1 − 2·¼)/4 = 1/8 λ shrinks quadratically
/// (Boyd & Vandenberghe, *Convex Optimization*, §9.6.4). In floating point the test can fail
/// there: it compares two values of φ whose difference, ≈ λ²/2, falls below their rounding error
/// long before λ²/2 reaches `tolerance`. With φ ≈ −1.4 and λ² ≈ 1e-15 it asks for a drop of
/// 2.4e-16, about one ulp of φ; every step was then halved to nothing until the iterations ran
/// out, even for a well-conditioned M (condition number 15 in the tests).
///
/// For conditioning, M is first divided by its Frobenius norm n and the system solved for
/// A = M/n; α_M = α_A / √n then solves the original condition (M α_M = n A α_A / √n = √n / α_A
/// = 1 / α_M). The reference implementation normalizes M the same way and its α is α_M too: its
/// constraint −log(n α_t) − log((Aα)_t) ≤ 0 is α_t (Mα)_t ≥ 1, the condition for M itself.
public enum NashBargainingSolver {
    /// The solver's answer: the weights α and the Newton iterations it took.
    public struct Solution: Sendable {
        /// α with (Mα)_t = 1/α_t for the M given.
        public var weights: [Double]
        /// Newton iterations taken.
        public var iterations: Int
    }

    /// Solves (Mα)_t = 1/α_t; throws `NashBargainingError.singularGram` when M is not positive
    /// definite (a Cholesky pivot of M/‖M‖ below `singularityThreshold`).
    public static func solve(gram: [[Double]], maxIterations: Int = 100, tolerance: Double = 1e-20,
                             singularityThreshold: Double = 1e-10) throws -> Solution {
        MinimumNormSolver.checkGram(gram, "NashBargainingSolver.solve")
        let count = gram.count
        let norm = gram.joined().reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { throw NashBargainingError.singularGram(smallestPivot: 0) }
        let a = gram.map { $0.map { $0 / norm } }
        if case .failure(let pivot) = cholesky(a, threshold: singularityThreshold) {
            throw NashBargainingError.singularGram(smallestPivot: pivot)
        }
        // Start from the solution for the diagonal of A (exact when the gradients are orthogonal).
        var alpha = (0..<count).map { 1 / a[$0][$0].squareRoot() }
        func objective(_ alpha: [Double]) -> Double {
            0.5 * MinimumNormSolver.squaredNorm(of: alpha, gram: a) - alpha.reduce(0) { $0 + Foundation.log($1) }
        }
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            let product = MinimumNormSolver.multiply(a, alpha)
            let gradient = (0..<count).map { product[$0] - 1 / alpha[$0] }
            var hessian = a
            for t in 0..<count { hessian[t][t] += 1 / (alpha[t] * alpha[t]) }
            guard case .success(let factor) = cholesky(hessian, threshold: 0) else {
                throw NashBargainingError.singularGram(smallestPivot: 0)
            }
            let direction = solveCholesky(factor, gradient.map { -$0 })
            let decrement = -zip(gradient, direction).reduce(0) { $0 + $1.0 * $1.1 }  // λ² = ∇φᵀ H⁻¹ ∇φ
            if decrement / 2 <= tolerance { break }
            var step = 1.0
            while zip(alpha, direction).contains(where: { $0 + step * $1 <= 0 }) { step /= 2 }
            if step < 1 || decrement > quadraticPhaseDecrement {
                let current = objective(alpha)
                while step > 1e-12 {
                    let candidate = zip(alpha, direction).map { $0 + step * $1 }
                    if objective(candidate) <= current - 0.25 * step * decrement { break }
                    step /= 2
                }
            }
            alpha = zip(alpha, direction).map { $0 + step * $1 }
        }
        let product = MinimumNormSolver.multiply(a, alpha)
        let residual = (0..<count).map { Swift.abs(alpha[$0] * product[$0] - 1) }.max()!
        guard residual < 1e-8, alpha.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw NashBargainingError.didNotConverge(iterations: iterations, residual: residual)
        }
        return Solution(weights: alpha.map { $0 / norm.squareRoot() }, iterations: iterations)
    }

    /// λ² below which the full Newton step is taken without the Armijo test: λ ≤ 1/8 = (1 − 2c)/4
    /// for the Armijo constant c = ¼, the quadratically convergent phase (see the type's documentation).
    static let quadraticPhaseDecrement = 1.0 / 64

    enum Factorization {
        case success([[Double]])
        case failure(Double)
    }

    /// The lower-triangular L with LLᵀ = matrix, or the first pivot ≤ `threshold`.
    static func cholesky(_ matrix: [[Double]], threshold: Double) -> Factorization {
        let count = matrix.count
        var lower = Array(repeating: Array(repeating: 0.0, count: count), count: count)
        for i in 0..<count {
            for j in 0...i {
                var sum = matrix[i][j]
                for k in 0..<j { sum -= lower[i][k] * lower[j][k] }
                if i == j {
                    guard sum > threshold else { return .failure(sum) }
                    lower[i][i] = sum.squareRoot()
                } else {
                    lower[i][j] = sum / lower[j][j]
                }
            }
        }
        return .success(lower)
    }

    /// x with LLᵀx = b.
    static func solveCholesky(_ lower: [[Double]], _ b: [Double]) -> [Double] {
        let count = b.count
        var y = b
        for i in 0..<count {
            for k in 0..<i { y[i] -= lower[i][k] * y[k] }
            y[i] /= lower[i][i]
        }
        var x = y
        for i in stride(from: count - 1, through: 0, by: -1) {
            for k in (i + 1)..<count { x[i] -= lower[k][i] * x[k] }
            x[i] /= lower[i][i]
        }
        return x
    }
}
