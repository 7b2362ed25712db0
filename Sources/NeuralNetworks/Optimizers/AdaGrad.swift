import TensorCore
import Autodiff

/// AdaGrad (Duchi et al., 2011), as `torch.optim.Adagrad` (ε = 1e-10, no learning-rate decay):
///   g ← g + λθ,   s ← s + g²,   θ ← θ − η g / (√s + ε)
/// State: "step", "sumOfSquares" (s).
public final class AdaGrad: Optimizer {
    public let epsilon: Float

    public init(groups: [ParameterGroup], epsilon: Float = 1e-10) {
        self.epsilon = epsilon
        super.init(groups: groups)
    }

    public convenience init(parameters: [Parameter], learningRate: Float = 1e-2, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)])
    }

    /// "step" and "sumOfSquares" (s ≥ 0).
    public override func stateEntries(for parameter: Parameter) -> [String: OptimizerStateEntry]? {
        ["step": .counter, "sumOfSquares": .likeParameter(nonNegative: true)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout [String: Tensor]) {
        _ = nextStep(&state)
        var g = gradient
        if group.weightDecay != 0 { g.addScaled(parameter.value, by: group.weightDecay) }
        var sum = state.removeValue(forKey: "sumOfSquares") ?? Tensor.zeros(parameter.shape)
        sum.addScaled(g.squared())
        parameter.update { $0.addScaled(g / (sum.squareRoot() + epsilon), by: -group.learningRate) }
        state["sumOfSquares"] = sum
    }
}
