import TensorCore
import Autodiff

/// Adam (Kingma & Ba, 2015), as `torch.optim.Adam` (defaults β = (0.9, 0.999), ε = 1e-8), with L2
/// weight decay added to the gradient; or AdamW (Loshchilov & Hutter, 2019) with decoupled weight
/// decay `θ ← θ − ηλθ` (`decoupledWeightDecay: true`, see `AdamW`). The update is TensorCore's fused
/// `adamUpdate` kernel (formula there). State: "step", "firstMoment" (m), "secondMoment" (v).
public class Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let decoupledWeightDecay: Bool

    public init(groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                decoupledWeightDecay: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups: groups)
    }

    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)],
                  beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// "step" (t), "firstMoment" (m) and "secondMoment" (v ≥ 0).
    public override func stateEntries(for parameter: Parameter) -> [String: OptimizerStateEntry]? {
        ["step": .counter, "firstMoment": .likeParameter(nonNegative: false),
         "secondMoment": .likeParameter(nonNegative: true)]
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout [String: Tensor]) {
        let step = nextStep(&state)
        var m = state.removeValue(forKey: "firstMoment") ?? Tensor.zeros(parameter.shape)
        var v = state.removeValue(forKey: "secondMoment") ?? Tensor.zeros(parameter.shape)
        let settings = AdamStep(learningRate: group.learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                weightDecay: group.weightDecay, decoupledWeightDecay: decoupledWeightDecay, step: step)
        checkPrecondition(gradient.shape == parameter.shape && m.shape == parameter.shape
                          && v.shape == parameter.shape,
                          "Adam: gradient \(gradient.shape), first moment \(m.shape) and second moment \(v.shape) "
                          + "do not match the parameter \(parameter.shape)")
        parameter.update { value in
            withUnsafePointers(reading: gradient, writing: &value, &m, &v) { g, θ, mp, vp in
                adamUpdate(parameter: θ, gradient: g, firstMoment: mp, secondMoment: vp, count: gradient.count,
                           settings)
            }
        }
        state["firstMoment"] = m
        state["secondMoment"] = v
    }
}

/// AdamW: Adam with decoupled weight decay (PyTorch default λ = 0.01).
public final class AdamW: Adam {
    public init(groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        super.init(groups: groups, beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledWeightDecay: true)
    }

    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, weightDecay: Float = 0.01) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)])
    }
}
