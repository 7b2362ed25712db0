import TensorCore
import Autodiff

/// RMSProp (Hinton, lecture 6e), as `torch.optim.RMSprop` (α = 0.99, ε = 1e-8, no momentum):
///   g ← g + λθ,   s ← αs + (1 − α)g²,   θ ← θ − η g / (√s + ε)
/// State: "step", "squareAverage" (s).
public final class RMSProp: Optimizer {
    public let alpha: Float
    public let epsilon: Float

    public init(groups: [ParameterGroup], alpha: Float = 0.99, epsilon: Float = 1e-8) {
        self.alpha = alpha
        self.epsilon = epsilon
        super.init(groups: groups)
    }

    public convenience init(parameters: [Parameter], learningRate: Float = 1e-2, alpha: Float = 0.99,
                            weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)], alpha: alpha)
    }

    /// "step" and "squareAverage" (s ≥ 0).
    public override func stateEntries(for parameter: Parameter) -> [String: OptimizerStateEntry]? {
        ["step": .counter, "squareAverage": .likeParameter(nonNegative: true)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout [String: Tensor]) {
        _ = nextStep(&state)
        var g = gradient
        if group.weightDecay != 0 { g.addScaled(parameter.value, by: group.weightDecay) }
        var average = state.removeValue(forKey: "squareAverage") ?? Tensor.zeros(parameter.shape)
        average = average * alpha
        average.addScaled(g.squared(), by: 1 - alpha)
        parameter.update { $0.addScaled(g / (average.squareRoot() + epsilon), by: -group.learningRate) }
        state["squareAverage"] = average
    }
}
