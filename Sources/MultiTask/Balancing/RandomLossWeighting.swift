import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Random Loss Weighting (Lin et al., "Reasonable Effectiveness of Random Weighting: A Litmus Test
/// for Multi-Task Learning", TMLR 2022): fresh random weights at every step,
///
///     w = softmax(ε),   ε ~ N(0, I_T)
///
/// (weights on the simplex, summing to 1). The paper's point is that this matches many tuned
/// methods — a litmus test for whether a balancing method helps at all.
///
/// The draw of step k comes from a generator seeded by (seed, k), so a resumed run draws the same
/// weights without saving any state.
public final class RandomLossWeighting: LossBalancer {
    /// The seed that, with the step number, determines each step's draw ε.
    public let seed: UInt64

    /// Random loss weighting whose draws are determined by `seed`.
    public init(seed: UInt64 = 0) { self.seed = seed }

    /// "RLW", the name in logs and study tables.
    public var name: String { "RLW" }

    /// The weights of training step `step` for `count` tasks.
    public func weights(step: Int, count: Int) -> [Float] {
        var generator = SeededGenerator(seed: seed &+ 0x524C_5700 &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        let draws = (0..<count).map { _ in generator.nextNormal() }
        let largest = draws.max()!
        let exponentials = draws.map { Foundation.exp($0 - largest) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }

    /// Backpropagates Σ_t w_t L_t with this step's fresh w = softmax(ε) and returns w.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        backwardWeightedSum(losses: losses, weights: weights(step: context.step, count: losses.count), context: context)
    }
}
