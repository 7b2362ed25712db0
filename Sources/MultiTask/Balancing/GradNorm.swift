import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// GradNorm (Chen, Badrinarayanan, Lee & Rabinovich, "GradNorm: Gradient Normalization for
/// Adaptive Loss Balancing in Deep Multitask Networks", ICML 2018): learnable task weights w_t
/// (initialized to 1) tuned so that each task's gradient norm on the last shared layer follows how
/// far behind that task is.
///
/// With W the last shared layer's weights and L_t(0) the tasks' initial losses:
///
///     G_t = ‖∇_W (w_t L_t)‖ = w_t ‖∇_W L_t‖             (T partial backward passes, to W only)
///     L̃_t = L_t / L_t(0),   r_t = L̃_t / mean_s(L̃_s)       (the relative inverse training rate)
///     L_grad = Σ_t | G_t − const(mean_s(G_s) · r_t^α) |
///     ∂L_grad/∂w_t = sign(G_t − target_t) · ‖∇_W L_t‖     (the target is a constant)
///
/// The model gets ∇(Σ_t w_t L_t) with the current weights; then the weights take one step of their
/// own optimizer on ∂L_grad/∂w and are renormalized so that Σ_t w_t = T. α sets how strongly
/// training rates are equalized: 1.5 in the paper's NYUv2 runs, 0.5 in the Maximum Roaming code.
///
/// `initialLosses`: `.firstStep` is the paper's L_t(0); `.everyEpoch` takes each epoch's first
/// losses, as the Maximum Roaming code does. Weights that the optimizer pushes to zero or below are
/// clamped at `minimumWeight` before renormalizing (a safeguard the paper does not need to state).
/// A task absent from a step (sampled tasks, or no labels in the batch of partially labelled data)
/// keeps its weight, and its L_t(0) is its loss at the first step it takes part in.
public final class GradNorm: LossBalancer {
    /// Which losses serve as L_t(0): `.firstStep`, the first step's (the paper); `.everyEpoch`, each
    /// epoch's first step's (the Maximum Roaming code).
    public enum InitialLosses: String, Sendable {
        case firstStep, everyEpoch
    }

    /// T, the number of task weights.
    public let taskCount: Int
    /// α, the asymmetry: how strongly the tasks' training rates r_t are pulled together (0: equal gradient norms).
    public let alpha: Float
    /// Which losses are L_t(0) (see `InitialLosses`).
    public let initialLossPolicy: InitialLosses
    /// The floor w_t is clamped to before the weights are renormalized to sum to T.
    public let minimumWeight: Float
    let weights: BalancerParameter
    /// W; nil: the last shared parameter of rank ≥ 2.
    let layer: Parameter?
    var initialLosses: [Float]?
    var initialLossEpoch = -1
    /// G_t and the targets mean(G)·r_t^α of the last step (for tests and logs).
    public private(set) var lastGradientNorms: [Float] = []
    /// The targets mean_s(G_s) · r_t^α of the last step, one per task of the step.
    public private(set) var lastTargets: [Float] = []

    /// - Parameters:
    ///   - taskCount: T, the number of task weights.
    ///   - alpha: the asymmetry α.
    ///   - learningRate: the weights' optimizer (Adam) learning rate.
    ///   - initialLosses: which losses are L_t(0): the first step's, or each epoch's first.
    ///   - layer: W; by default the last shared weight of rank ≥ 2 (the last shared conv or linear layer).
    ///   - minimumWeight: the floor a weight is clamped to before renormalizing.
    public init(taskCount: Int, alpha: Float = 1.5, learningRate: Float = 0.025,
                initialLosses: InitialLosses = .firstStep, layer: Parameter? = nil, minimumWeight: Float = 1e-3) {
        checkPrecondition(taskCount >= 1, "GradNorm: taskCount \(taskCount) must be at least 1")
        self.taskCount = taskCount
        self.alpha = alpha
        initialLossPolicy = initialLosses
        self.minimumWeight = minimumWeight
        self.layer = layer
        weights = BalancerParameter(name: "weights", value: Tensor.ones([taskCount])) {
            Adam(parameters: $0, learningRate: learningRate)
        }
    }

    /// "GradNorm", the name in logs and study tables.
    public var name: String { "GradNorm" }

    /// The current w_t (they sum to T).
    public var currentWeights: [Float] { weights.parameter.value.scalars }

    /// Backpropagates Σ_t w_t L_t with the current weights, then measures G_t on W (T partial backward
    /// passes) and takes one step of the weights' optimizer on ∂L_grad/∂w; returns the weights used.
    public func backward(losses: [Variable], context: BalancingContext) -> [Float] {
        let values = losses.map { $0.value.scalar }
        let w = currentWeights
        let used = context.tasks.map { w[$0] }
        _ = backwardWeightedSum(losses: losses, weights: used, context: context)

        let candidate = layer ?? context.sharedParameters.last(where: { $0.rank >= 2 && !$0.isFrozen })
        checkPrecondition(candidate != nil,
            "GradNorm: the model has no shared weight of rank ≥ 2 to normalize gradients on; pass `layer:`")
        let layer = candidate!
        // L_t(0) is task t's loss at its first step: with sampled tasks or partially labelled data, a
        // task missing from the first steps takes it when it first appears (NaN marks "not yet").
        if initialLosses == nil || (initialLossPolicy == .everyEpoch && initialLossEpoch != context.epoch) {
            initialLosses = Array(repeating: Float.nan, count: taskCount)
            initialLossEpoch = context.epoch
        }
        for (position, task) in context.tasks.enumerated() where initialLosses![task].isNaN {
            initialLosses![task] = values[position]
        }
        // ‖∇_W L_t‖ per task: backward passes pruned to the heads and W.
        let layerNorms = losses.map { gradients(of: $0, wrt: [layer])[0].squared().sum().scalar.squareRoot() }
        let normsG = zip(used, layerNorms).map { $0 * $1 }
        let meanG = normsG.reduce(0, +) / Float(normsG.count)
        let relative = context.tasks.enumerated().map { position, task -> Float in
            let initial = initialLosses![task]
            return initial.isFinite && initial > 0 ? values[position] / initial : 1
        }
        let meanRelative = relative.reduce(0, +) / Float(relative.count)
        let targets = relative.map { meanG * Foundation.pow($0 / meanRelative, alpha) }
        lastGradientNorms = normsG
        lastTargets = targets
        var gradient = [Float](repeating: 0, count: taskCount)
        for (position, task) in context.tasks.enumerated() {
            let difference = normsG[position] - targets[position]
            gradient[task] = (difference > 0 ? 1 : difference < 0 ? -1 : 0) * layerNorms[position]
        }
        weights.parameter.grad = Tensor(shape: [taskCount], scalars: gradient)
        weights.step()
        weights.parameter.update { value in
            let clamped = value.scalars.map { Swift.max($0, minimumWeight) }
            let sum = clamped.reduce(0, +)
            value = Tensor(shape: [taskCount], scalars: clamped.map { $0 * Float(taskCount) / sum })
        }
        return used
    }

    /// The weights w with their optimizer state, and L_t(0) with its epoch once taken.
    public var state: [String: Tensor] {
        var state = weights.state
        if let initialLosses {
            state["initialLosses"] = Tensor(shape: [taskCount], scalars: initialLosses)
            state["initialLossEpoch"] = Tensor(Float(initialLossEpoch))
        }
        return state
    }

    /// Restores w (`[T]`, finite and positive) with its optimizer state, L_t(0) (`[T]`; NaN marks a
    /// task not seen yet) and the epoch L_t(0) was taken in; anything else is refused.
    public func restoreState(_ state: [String: Tensor]) throws {
        let ownKeys: Set<String> = ["initialLosses", "initialLossEpoch"]
        if let key = state.keys.sorted().first(where: { !weights.owns($0) && !ownKeys.contains($0) }) {
            throw CheckpointError.unexpectedTensor(name: "trainer.balancer.\(excerpt(key))")
        }
        if let value = state["weights"], value.scalars.contains(where: { !($0 > 0) }) {
            throw CheckpointError.invalidValue(name: "trainer.balancer.weights",
                                               reason: "GradNorm's weights must be positive")
        }
        let losses = state["initialLosses"]
        if let losses, losses.shape != [taskCount] {
            throw CheckpointError.shapeMismatch(name: "trainer.balancer.initialLosses", expected: [taskCount],
                                                found: losses.shape)
        }
        let epoch = try state["initialLossEpoch"].map { try validatedCounter($0,
            name: "trainer.balancer.initialLossEpoch") }
        guard (losses == nil) == (epoch == nil) else {
            throw CheckpointError.invalidValue(name: "trainer.balancer.initialLosses",
                                               reason: "initialLosses and initialLossEpoch come together")
        }
        try weights.restore(from: state)
        initialLosses = losses?.scalars
        initialLossEpoch = epoch ?? -1
    }
}
