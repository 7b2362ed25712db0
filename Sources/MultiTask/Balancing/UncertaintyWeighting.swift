import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Uncertainty weighting (Kendall, Gal & Cipolla, "Multi-Task Learning Using Uncertainty to Weigh
/// Losses for Scene Geometry and Semantics", CVPR 2018), in LibMTL's form:
///
///     L = Σ_t L_t / (2 e^{s_t}) + s_t / 2,    s_t = log σ_t² learnable, initialized to −0.5
///
/// Each task's homoscedastic noise σ_t² is learned with the model: a noisy (high-loss) task gets a
/// larger σ_t and so a smaller weight 1/(2σ_t²), and the + s_t/2 term stops σ from growing without
/// bound. At the optimum of s_t alone, e^{s_t} = σ_t² = L_t, so every weighted loss w_t L_t = ½:
/// the weights normalize the loss scales.
///
/// The s_t are the balancer's own parameters, updated after each backward pass by its own
/// optimizer (Adam at `learningRate`, by default the usual model rate); they and their optimizer
/// state are in `state`, so checkpoints carry them. The returned weights are 1/(2e^{s_t}).
public final class UncertaintyWeighting: LossBalancer {
    let logVariances: BalancerParameter

    /// - Parameters:
    ///   - taskCount: T, the number of tasks of the model.
    ///   - learningRate: Adam's learning rate for the s_t.
    ///   - initialLogVariance: s_t at the start (−0.5 as LibMTL).
    public init(taskCount: Int, learningRate: Float = 1e-3, initialLogVariance: Float = -0.5) {
        checkPrecondition(taskCount >= 1, "UncertaintyWeighting: taskCount \(taskCount) must be at least 1")
        logVariances = BalancerParameter(name: "logVariances",
                                         value: Tensor.full([taskCount], value: initialLogVariance)) {
            Adam(parameters: $0, learningRate: learningRate)
        }
    }

    /// "uncertainty", the name in logs and study tables.
    public var name: String { "uncertainty" }

    /// The current s_t = log σ_t².
    public var currentLogVariances: [Float] { logVariances.parameter.value.scalars }

    /// Backpropagates Σ_t L_t / (2e^{s_t}) + s_t/2 into the model and s, steps s's optimizer, and returns
    /// the weights 1/(2e^{s_t}) used.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        let s = logVariances.parameter
        s.grad = nil
        var total: Variable?
        for (loss, task) in zip(losses, context.tasks) {
            let logVariance = s.selecting(task)
            let term = loss * (-logVariance).exp() * 0.5 + logVariance * 0.5
            total = total.map { $0 + term } ?? term
        }
        if let regularization = context.regularization { total = total! + regularization }
        let weights = context.tasks.map { 0.5 * Foundation.exp(-s.value.scalars[$0]) }
        total!.backward()
        logVariances.step()
        return weights
    }

    /// The log-variances s with their optimizer state.
    public var state: [String: Tensor] { logVariances.state }

    /// Restores s (finite, `[T]`) and its optimizer state; anything else is refused.
    public func restoreState(_ state: [String: Tensor]) throws {
        if let key = state.keys.sorted().first(where: { !logVariances.owns($0) }) {
            throw CheckpointError.unexpectedTensor(name: "trainer.balancer.\(excerpt(key))")
        }
        try logVariances.restore(from: state)
    }
}
