import TensorCore
import Autodiff
import NeuralNetworks

/// PCGrad — projecting conflicting gradients (Yu et al., "Gradient Surgery for Multi-Task
/// Learning", NeurIPS 2020).
///
/// With g_t = ∇_{θ_sh} L_t: for each task i, visiting the other tasks j in a random order, if
/// g_i^PC · g_j < 0 (they conflict), remove from g_i^PC its component along g_j:
///
///     g_i^PC ← g_i^PC − (g_i^PC · g_j) / ‖g_j‖² · g_j,      update on θ_sh = Σ_i g_i^PC
///
/// (j's original gradient is projected on, as in the reference). Task-specific parameters get
/// their plain gradients (weight 1). For two tasks, each projected gradient is orthogonal to the
/// other task's gradient and g_1^PC · g_2^PC = −c (1 − c²/(‖g_1‖²‖g_2‖²)) ≥ 0 for c = g_1·g_2 < 0,
/// so no conflict remains. The visiting order of step k is drawn from a generator seeded by
/// (seed, k), so resumed runs repeat.
public final class PCGrad: LossBalancer {
    /// The seed that, with the step number, determines each step's visiting order.
    public let seed: UInt64
    /// How many projections the last step made.
    public private(set) var lastProjectionCount = 0

    /// PCGrad whose visiting orders are determined by `seed`.
    public init(seed: UInt64 = 0) { self.seed = seed }

    /// "PCGrad", the name in logs and study tables.
    public var name: String { "PCGrad" }

    /// The projected gradients g_i^PC (one per task) for step `step`.
    public func project(_ gradients: [[Float]], step: Int) -> [[Float]] {
        var generator = SeededGenerator(seed: seed &+ 0x5043_4752 &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        let squaredNorms = gradients.map { dot($0, $0) }
        var projected = gradients
        lastProjectionCount = 0
        for i in gradients.indices {
            for j in generator.permutation(gradients.count) where j != i && squaredNorms[j] > 0 {
                let product = dot(projected[i], gradients[j])
                guard product < 0 else { continue }
                let scale = Float(product / squaredNorms[j])
                for index in projected[i].indices { projected[i][index] -= scale * gradients[j][index] }
                lastProjectionCount += 1
            }
        }
        return projected
    }

    /// Projects the per-task shared gradients, writes Σ_i g_i^PC into the shared `.grad` (task-specific
    /// parameters get their plain gradients), and returns weight 1 per task.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        backwardAggregated(losses: losses, context: context) { gradients in
            let projected = project(gradients.shared, step: context.step)
            let ones = Array(repeating: Float(1), count: losses.count)
            let sum = TaskGradients(vectors: projected).combination(weights: Array(repeating: 1, count: losses.count))
            return (sum, ones)
        }
    }
}
