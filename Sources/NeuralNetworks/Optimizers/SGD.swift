import TensorCore
import Autodiff

/// SGD's state for one parameter: the momentum buffer b, absent before the first update (and
/// always, without momentum).
public struct SGDState: OptimizerState {
    /// b, the momentum buffer; nil before the first update and whenever μ = 0.
    public var momentumBuffer: Tensor?

    /// The state before the first update: no buffer yet.
    public init(parameterShape: [Int]) { momentumBuffer = nil }

    /// "momentum", when there is a buffer.
    public var namedTensors: [String: Tensor] { momentumBuffer.map { ["momentum": $0] } ?? [:] }

    /// Reads the optional "momentum" entry (parameter-shaped, finite) back, or throws `CheckpointError`.
    public init(namedTensors: [String: Tensor], parameterShape: [Int], name: String) throws {
        var reader = StoredStateReader(namedTensors, parameterShape: parameterShape, name: name)
        momentumBuffer = reader.contains("momentum") ? try reader.tensor("momentum") : nil
        try reader.finish(owner: "SGD")
    }
}

/// Stochastic gradient descent with momentum, Nesterov momentum and weight decay, as `torch.optim.SGD`:
///
///     g ← g + λθ
///     b ← μb + g   (b = g on the first step)
///     g ← g + μb (Nesterov)  or  g ← b
///     θ ← θ − ηg
public final class SGD: StatefulOptimizer<SGDState> {
    /// μ, the momentum coefficient (0: plain SGD, no buffer).
    public let momentum: Float
    /// Whether the step uses Nesterov's look-ahead g + μb instead of b (Sutskever et al., 2013).
    public let nesterov: Bool

    /// SGD over parameter groups, each with its own η and λ; Nesterov needs μ > 0.
    public init(groups: [ParameterGroup], momentum: Float = 0, nesterov: Bool = false) {
        checkPrecondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        super.init(groups: groups)
    }

    /// SGD over one group of `parameters` with learning rate η, momentum μ and L2 weight decay λ.
    public convenience init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                            weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(parameters: parameters, learningRate: learningRate,
                                          weightDecay: weightDecay)],
                  momentum: momentum, nesterov: nesterov)
    }

    public override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup,
                                state: inout SGDState) {
        var g = gradient
        if group.weightDecay != 0 { g.addScaled(parameter.value, by: group.weightDecay) }
        if momentum != 0 {
            var buffer = g
            if let previous = state.momentumBuffer {
                buffer = previous * momentum
                buffer.addScaled(g)
            }
            state.momentumBuffer = buffer
            if nesterov { g.addScaled(buffer, by: momentum) } else { g = buffer }
        }
        parameter.update { $0.addScaled(g, by: -group.learningRate) }
    }

    /// Without momentum SGD keeps nothing, so a stored momentum buffer is refused.
    public override func decodeState(_ tensors: [String: Tensor], of parameter: Parameter,
                                     name: String) throws -> SGDState? {
        if momentum == 0, let key = tensors.keys.sorted().first {
            throw CheckpointError.invalidValue(name: "\(name).\(excerpt(key))",
                                               reason: "SGD without momentum keeps no state")
        }
        return try super.decodeState(tensors, of: parameter, name: name)
    }
}
