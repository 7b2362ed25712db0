import TensorCore
import Autodiff
import NeuralNetworks

/// FiLM, feature-wise linear modulation (Perez et al., *FiLM: Visual Reasoning with a General
/// Conditioning Layer*, AAAI 2018): γ(z_t) ⊙ h + β(z_t), with γ and β linear in z_t
/// (`[D] → [C]` each). γ's bias starts at 1 and its weights at 0, β at 0, so FiLM starts as the
/// identity and learns how far each task bends the shared features.
public final class FiLM: TaskConditioning {
    /// γ(z_t), the linear map `[D] → [C]` to the per-channel scales.
    public let scale: Linear
    /// β(z_t), the linear map `[D] → [C]` to the per-channel shifts.
    public let shift: Linear

    /// FiLM over `featureCount` channels C from `descriptor`'s z_t, starting as the identity.
    public init(featureCount: Int, descriptor: TaskDescriptor, random: RandomSource = .default) {
        scale = Linear(inputCount: descriptor.dimension, outputCount: featureCount, random: random)
        shift = Linear(inputCount: descriptor.dimension, outputCount: featureCount, random: random)
        scale.weight.assign(Tensor.zeros(scale.weight.shape))
        scale.bias!.assign(Tensor.ones([featureCount]))
        shift.weight.assign(Tensor.zeros(shift.weight.shape))
        shift.bias!.assign(Tensor.zeros([featureCount]))
        super.init(descriptor: descriptor)
    }

    public override func callAsFunction(_ features: Variable, task: Int) -> Variable {
        let z = descriptor(task: task, batchSize: features.shape[0])
        return broadcastable(scale(z), like: features) * features + broadcastable(shift(z), like: features)
    }
}
