import TensorCore
import Autodiff

/// Stochastic gradient descent with momentum, Nesterov momentum and weight decay, as `torch.optim.SGD`:
///   g ← g + λθ
///   b ← μb + g   (b = g on the first step)
///   g ← g + μb (Nesterov)  or  g ← b
///   θ ← θ − ηg
/// State: "momentum" (b) when μ > 0.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool

    public init(groups: [ParameterGroup], momentum: Float = 0, nesterov: Bool = false) {
        checkPrecondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        super.init(groups: groups)
    }

    public convenience init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                            weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)],
                  momentum: momentum, nesterov: nesterov)
    }

    /// "momentum" (b), when μ > 0.
    public override func stateEntries(for parameter: Parameter) -> [String: OptimizerStateEntry]? {
        momentum != 0 ? ["momentum": .likeParameter(nonNegative: false)] : [:]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout [String: Tensor]) {
        var g = gradient
        if group.weightDecay != 0 { g.addScaled(parameter.value, by: group.weightDecay) }
        if momentum != 0 {
            if var buffer = state.removeValue(forKey: "momentum") {
                buffer = buffer * momentum
                buffer.addScaled(g)
                state["momentum"] = buffer
            } else {
                state["momentum"] = g
            }
            if nesterov { g.addScaled(state["momentum"]!, by: momentum) } else { g = state["momentum"]! }
        }
        parameter.update { $0.addScaled(g, by: -group.learningRate) }
    }
}
