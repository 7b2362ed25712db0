import TensorCore
import Autodiff
import NeuralNetworks

/// MGDA-UB (Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018):
/// the multiple-gradient descent algorithm made cheap by differentiating with respect to the
/// shared representation Z instead of the shared parameters θ_sh.
///
/// Each step:
/// 1. g_t = ∇_Z L_t for every task (one backward pass through task t's head only) — or, with
///    `gradientsWith: .parameters`, the exact g_t = ∇_{θ_sh} L_t (one full backward pass each);
/// 2. optionally normalize: g_t ← g_t / n_t with n_t = 1 (`.none`, the default), ‖g_t‖ (`.l2`),
///    L_t (`.loss`) or L_t · ‖g_t‖ (`.lossPlus`);
/// 3. α = argmin_{α ∈ simplex} ‖Σ_t α_t g_t‖² (`MinimumNormSolver`: closed form for two tasks,
///    Frank–Wolfe for more);
/// 4. backward Σ_t α_t L_t on the original losses (the parameter variant reuses the per-task
///    gradients instead of a further pass).
///
/// Since ‖∇_{θ_sh} Σ α_t L_t‖ ≤ ‖∂Z/∂θ_sh‖ · ‖Σ α_t ∇_Z L_t‖, minimizing the Z-norm
/// minimizes an upper bound of the exact MGDA objective ("UB"). Architectures without a single Z (independent
/// networks, task-conditioned or multi-input steps) fall back to the parameter variant.
/// The returned weights are α (they sum to 1). Steps where Frank–Wolfe stopped at its iteration
/// cap rather than its tolerance (very ill-conditioned gradient sets) are counted in
/// `unconvergedSolveCount`; their α is the last iterate.
public final class MGDA: LossBalancer {
    /// Which per-task gradients g_t the minimum-norm problem is solved on.
    public enum GradientSource: String, Sendable {
        /// ∇_Z L_t (MGDA-UB).
        case representation
        /// ∇_{θ_sh} L_t (exact MGDA).
        case parameters
    }

    /// The scale n_t each g_t is divided by before solving: 1 (`none`), ‖g_t‖ (`l2`), L_t (`loss`) or
    /// L_t · ‖g_t‖ (`lossPlus`), as in Sener & Koltun's code.
    public enum Normalization: String, Sendable, CaseIterable {
        case none, l2, loss, lossPlus
    }

    /// ∇_Z (MGDA-UB, the default) or ∇_{θ_sh} (exact MGDA).
    public let source: GradientSource
    /// The gradient normalization of step 2.
    public let normalization: Normalization
    /// α of the last step.
    public private(set) var lastWeights: [Float] = []
    /// Steps whose `MinimumNormSolver` run ended at its iteration cap, not its tolerance.
    public private(set) var unconvergedSolveCount = 0

    /// MGDA with gradients from `source` (the shared representation by default: MGDA-UB) and `normalization`.
    public init(gradientsWith source: GradientSource = .representation, normalization: Normalization = .none) {
        self.source = source
        self.normalization = normalization
    }

    /// "MGDA-UB" with representation gradients, "MGDA" with parameter gradients.
    public var name: String { source == .representation ? "MGDA-UB" : "MGDA" }

    /// The MGDA weights α for per-task gradient vectors and losses (steps 2 and 3).
    public func weights(gradients: [[Float]], losses: [Float]) -> [Double] {
        var gram = gramMatrix(gradients)
        let scales: [Double] = gradients.indices.map { task in
            let norm = gram[task][task].squareRoot(), loss = Double(losses[task])
            switch normalization {
            case .none: return 1
            case .l2: return norm
            case .loss: return loss
            case .lossPlus: return loss * norm
            }
        }
        for s in gram.indices {
            for t in gram.indices where scales[s] > 0 && scales[t] > 0 { gram[s][t] /= scales[s] * scales[t] }
        }
        let solution = MinimumNormSolver.solve(gram: gram)
        if !solution.reachedTolerance { unconvergedSolveCount += 1 }
        return solution.weights
    }

    /// Steps 1–4: per-task gradients, normalization, the minimum-norm α, and the backward pass of
    /// Σ_t α_t L_t; returns α (summing to 1).
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        let values = losses.map { $0.value.scalar }
        if source == .representation, let z = context.sharedRepresentation {
            let vectors = losses.map { TaskGradients.flatten([gradients(of: $0, wrt: [z])[0]]) }
            let alpha = weights(gradients: vectors, losses: values).map(Float.init)
            lastWeights = alpha
            return backwardWeightedSum(losses: losses, weights: alpha, context: context)
        }
        return backwardAggregated(losses: losses, context: context) { gradients in
            let alpha = weights(gradients: gradients.shared, losses: values)
            lastWeights = alpha.map(Float.init)
            return (gradients.combination(weights: alpha), lastWeights)
        }
    }
}
