import TensorCore
import Autodiff

/// RMSProp's state for one parameter: the step t and the average of squared gradients s ≥ 0.
public struct RMSPropState: OptimizerState {
    /// t (the update does not use it; kept, as PyTorch keeps it, in checkpoints).
    public var step: Int
    /// s: the exponential average of the squared gradient, s ← αs + (1 − α)g².
    public var squareAverage: Tensor

    /// The state before the first update: t = 0, s = 0 of shape `parameterShape`.
    public init(parameterShape: [Int]) {
        step = 0
        squareAverage = Tensor.zeros(parameterShape)
    }

    /// "step", "squareAverage".
    public var namedTensors: [String: Tensor] { ["step": Tensor(Float(step)), "squareAverage": squareAverage] }

    /// Reads "step" (≥ 1) and "squareAverage" (parameter-shaped, finite, ≥ 0) back, or throws `CheckpointError`.
    public init(namedTensors: [String: Tensor], parameterShape: [Int], name: String) throws {
        var reader = StoredStateReader(namedTensors, parameterShape: parameterShape, name: name)
        step = try reader.counter("step", atLeast: 1)
        squareAverage = try reader.tensor("squareAverage", nonNegative: true)
        try reader.finish(owner: "RMSProp")
    }
}

/// RMSProp (Hinton, lecture 6e), as `torch.optim.RMSprop` (α = 0.99, ε = 1e-8, no momentum):
///
///     g ← g + λθ,   s ← αs + (1 − α)g²,   θ ← θ − η g / (√s + ε)
public final class RMSProp: StatefulOptimizer<RMSPropState> {
    /// α, the decay of the squared-gradient average s (PyTorch's 0.99).
    public let alpha: Float
    /// ε in η g / (√s + ε), which keeps the step finite where s ≈ 0.
    public let epsilon: Float

    /// RMSProp over parameter groups, each with its own η and λ.
    public init(groups: [ParameterGroup], alpha: Float = 0.99, epsilon: Float = 1e-8) {
        self.alpha = alpha
        self.epsilon = epsilon
        super.init(groups: groups)
    }

    /// RMSProp over one group of `parameters` with learning rate η, decay α and L2 weight decay λ.
    public convenience init(parameters: [Parameter], learningRate: Float = 1e-2, alpha: Float = 0.99,
                            weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)], alpha: alpha)
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout RMSPropState) {
        state.step += 1
        var g = gradient
        if group.weightDecay != 0 { g.addScaled(parameter.value, by: group.weightDecay) }
        state.squareAverage = state.squareAverage * alpha
        state.squareAverage.addScaled(g.squared(), by: 1 - alpha)
        let s = state.squareAverage
        parameter.update { $0.addScaled(g / (s.squareRoot() + epsilon), by: -group.learningRate) }
    }
}
