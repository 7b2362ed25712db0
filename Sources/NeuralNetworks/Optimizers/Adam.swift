import TensorCore
import Autodiff

/// Adam's state for one parameter: the step t and the moment estimates m and v (v ≥ 0).
public struct AdamState: OptimizerState {
    /// t: how many updates this parameter received (1 on the first).
    public var step: Int
    /// m: the exponential average of the gradient.
    public var firstMoment: Tensor
    /// v: the exponential average of the squared gradient.
    public var secondMoment: Tensor

    /// The state before the first update: t = 0, m = v = 0 of shape `parameterShape`.
    public init(parameterShape: [Int]) {
        step = 0
        firstMoment = Tensor.zeros(parameterShape)
        secondMoment = Tensor.zeros(parameterShape)
    }

    /// "step", "firstMoment", "secondMoment".
    public var namedTensors: [String: Tensor] {
        ["step": Tensor(Float(step)), "firstMoment": firstMoment, "secondMoment": secondMoment]
    }

    /// Reads "step" (≥ 1), "firstMoment" and "secondMoment" (parameter-shaped, finite, v ≥ 0) back, or
    /// throws `CheckpointError`.
    public init(namedTensors: [String: Tensor], parameterShape: [Int], name: String) throws {
        var reader = StoredStateReader(namedTensors, parameterShape: parameterShape, name: name)
        step = try reader.counter("step", atLeast: 1)
        firstMoment = try reader.tensor("firstMoment")
        secondMoment = try reader.tensor("secondMoment", nonNegative: true)
        try reader.finish(owner: "Adam")
    }
}

/// Adam (Kingma & Ba, 2015), as `torch.optim.Adam` (defaults β = (0.9, 0.999), ε = 1e-8), with L2
/// weight decay added to the gradient; or AdamW (Loshchilov & Hutter, 2019) with decoupled weight
/// decay `θ ← θ − ηλθ` (`decoupledWeightDecay: true`, see `AdamW`):
///
///     t ← t + 1,   g ← g + λθ
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// One fused pass of TensorCore's `adamUpdate` kernel does all of it (its naive twin,
/// `adamUpdateNaive`, spells it out loop by loop).
public class Adam: StatefulOptimizer<AdamState> {
    /// β₁, the decay of the gradient average m.
    public let beta1: Float
    /// β₂, the decay of the squared-gradient average v.
    public let beta2: Float
    /// ε, added to the bias-corrected √v so the division stays finite.
    public let epsilon: Float
    /// `true`: AdamW's decay θ ← θ − ηλθ outside the moments; `false`: Adam's L2 term g ← g + λθ.
    public let decoupledWeightDecay: Bool

    /// Adam over parameter groups, each with its own η and λ; see the type for the update.
    public init(groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                decoupledWeightDecay: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(groups: groups)
    }

    /// Adam over one group of `parameters` with learning rate η and L2 weight decay λ (PyTorch's defaults).
    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)],
                  beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout AdamState) {
        state.step += 1
        let settings = AdamStep(learningRate: group.learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                weightDecay: group.weightDecay, decoupledWeightDecay: decoupledWeightDecay,
                                step: state.step)
        checkPrecondition(gradient.shape == parameter.shape && state.firstMoment.shape == parameter.shape
                          && state.secondMoment.shape == parameter.shape,
                          "Adam: gradient \(gradient.shape), first moment \(state.firstMoment.shape) and second "
                          + "moment \(state.secondMoment.shape) do not match the parameter \(parameter.shape)")
        parameter.update { value in
            withUnsafePointers(reading: gradient,
                               writing: &value, &state.firstMoment, &state.secondMoment) { g, θ, m, v in
                adamUpdate(parameter: θ, gradient: g, firstMoment: m, secondMoment: v, count: gradient.count,
                           settings)
            }
        }
    }
}

/// AdamW: Adam with decoupled weight decay (PyTorch default λ = 0.01).
public final class AdamW: Adam {
    /// AdamW over parameter groups; each group's `weightDecay` is the decoupled λ.
    public init(groups: [ParameterGroup], beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        super.init(groups: groups, beta1: beta1, beta2: beta2, epsilon: epsilon, decoupledWeightDecay: true)
    }

    /// AdamW over one group of `parameters`: learning rate η, decoupled weight decay λ (PyTorch's 0.01).
    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, weightDecay: Float = 0.01) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)])
    }
}
