import TensorCore
import Autodiff

/// AdaGrad's state for one parameter: the step t and the sum of squared gradients s ≥ 0.
public struct AdaGradState: OptimizerState {
    /// t (the update does not use it; kept, as PyTorch keeps it, in checkpoints).
    public var step: Int
    /// s: the running sum of squared gradients Σ g² (never decays, so the step η/√s only shrinks).
    public var sumOfSquares: Tensor

    /// The state before the first update: t = 0, s = 0 of shape `parameterShape`.
    public init(parameterShape: [Int]) {
        step = 0
        sumOfSquares = Tensor.zeros(parameterShape)
    }

    /// "step", "sumOfSquares".
    public var namedTensors: [String: Tensor] { ["step": Tensor(Float(step)), "sumOfSquares": sumOfSquares] }

    /// Reads "step" (≥ 1) and "sumOfSquares" (parameter-shaped, finite, ≥ 0) back, or throws `CheckpointError`.
    public init(namedTensors: [String: Tensor], parameterShape: [Int], name: String) throws {
        var reader = StoredStateReader(namedTensors, parameterShape: parameterShape, name: name)
        step = try reader.counter("step", atLeast: 1)
        sumOfSquares = try reader.tensor("sumOfSquares", nonNegative: true)
        try reader.finish(owner: "AdaGrad")
    }
}

/// AdaGrad (Duchi et al., 2011), as `torch.optim.Adagrad` (ε = 1e-10, no learning-rate decay):
///
///     g ← g + λθ,   s ← s + g²,   θ ← θ − η g / (√s + ε)
public final class AdaGrad: StatefulOptimizer<AdaGradState> {
    /// ε in η g / (√s + ε), which keeps the first steps finite (PyTorch's 1e-10).
    public let epsilon: Float

    /// AdaGrad over parameter groups, each with its own η and λ.
    public init(groups: [ParameterGroup], epsilon: Float = 1e-10) {
        self.epsilon = epsilon
        super.init(groups: groups)
    }

    /// AdaGrad over one group of `parameters` with learning rate η and L2 weight decay λ.
    public convenience init(parameters: [Parameter], learningRate: Float = 1e-2, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)])
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout AdaGradState) {
        state.step += 1
        var g = gradient
        if group.weightDecay != 0 { g.addScaled(parameter.value, by: group.weightDecay) }
        state.sumOfSquares.addScaled(g.squared())
        let s = state.sumOfSquares
        parameter.update { $0.addScaled(g / (s.squareRoot() + epsilon), by: -group.learningRate) }
    }
}
