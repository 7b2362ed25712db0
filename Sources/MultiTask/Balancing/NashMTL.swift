import TensorCore
import Autodiff
import NeuralNetworks

/// Nash-MTL (Navon et al., "Multi-Task Learning as a Bargaining Game", ICML 2022): the shared
/// update is the Nash bargaining solution among the tasks,
///
///     Δθ_sh = Σ_t α_t g_t   with   (G Gᵀ α)_t = 1 / α_t,  α > 0
///
/// (`NashBargainingSolver`: a damped Newton method on ½αᵀMα − Σ log α, no external solver), and
/// the task-specific parameters get α_t ∇L_t, as backward Σ_t α_t L_t would give. The shared
/// gradient's norm is then clipped to `maxNorm` (1.0 in the reference). α is recomputed every step,
/// as in the reference.
///
/// α solves the condition for M = GGᵀ itself, as in the reference implementation: it divides M by
/// n = ‖M‖_F before its solver but writes the constraint as −log(n α_t) − log((Mα/n)_t) ≤ 0, that
/// is α_t (Mα)_t ≥ 1, in which n cancels.
///
/// When M is singular (a zero or duplicated task gradient) the condition has no solution; the step
/// then solves with M + εI (ε = `ridge` · ‖M‖_F) and counts it in `singularGramCount`. When M is
/// invertible but so ill-conditioned that Newton's method does not reach its tolerance (condition
/// numbers around 1e9, e.g. two nearly opposite gradients), the step also solves with M + εI but
/// counts it in `unconvergedSolveCount` instead.
public final class NashMTL: LossBalancer {
    /// The bound on the shared gradient's norm after aggregation (1 in the reference); nil: no clipping.
    public let maxNorm: Float?
    /// The relative ridge ε of M + εI (times ‖M‖_F) used when M is singular or ill-conditioned.
    public let ridge: Double
    /// Steps whose Gram matrix was singular and was solved with the ridge.
    public private(set) var singularGramCount = 0
    /// Steps where Newton's method did not converge on M and the ridge was used instead.
    public private(set) var unconvergedSolveCount = 0
    /// α of the last step.
    public private(set) var lastWeights: [Float] = []

    /// Nash-MTL with the reference's clipping norm and a tiny ridge for singular Gram matrices.
    public init(maxNorm: Float? = 1, ridge: Double = 1e-6) {
        self.maxNorm = maxNorm
        self.ridge = ridge
    }

    /// "Nash-MTL", the name in logs and study tables.
    public var name: String { "Nash-MTL" }

    /// α for the Gram matrix of the task gradients.
    public func weights(gram: [[Double]]) -> [Double] {
        do {
            return try NashBargainingSolver.solve(gram: gram).weights
        } catch NashBargainingError.didNotConverge {
            unconvergedSolveCount += 1
        } catch {
            singularGramCount += 1
        }
        let scale = Swift.max(gram.joined().reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        var regularized = gram
        for t in gram.indices { regularized[t][t] += ridge * scale }
        guard let fallback = try? NashBargainingSolver.solve(gram: regularized) else {
            // All gradients zero: nothing to bargain over.
            return Array(repeating: 1, count: gram.count)
        }
        return fallback.weights
    }

    /// Takes the per-task gradients, solves for α, writes Σ_t α_t g_t into the shared `.grad` (and
    /// α_t ∇L_t into the task-specific ones), clips the shared norm to `maxNorm`; returns α.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        var gradients: TaskGradients?
        let used = backwardAggregated(losses: losses, context: context) { taskGradients in
            gradients = taskGradients
            let alpha = self.weights(gram: taskGradients.gram())
            lastWeights = alpha.map(Float.init)
            return (taskGradients.combination(weights: alpha), lastWeights)
        }
        if let maxNorm, let shared = gradients?.sharedParameters, !shared.isEmpty {
            clipGradientNorm(shared, maxNorm: maxNorm)
        }
        return used
    }
}
