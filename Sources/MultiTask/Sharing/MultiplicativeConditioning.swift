import TensorCore
import Autodiff
import NeuralNetworks

/// Multiplicative task conditioning (task gates): h ⊙ σ(z_t W_z + b) — each task scales every
/// feature by a learned gate in (0, 1), softly selecting its own sub-network. (Lecture notes;
/// the soft relative of Maximum Roaming's binary masks.) W_z `[D, C]`, b `[C]`; the gates start
/// at σ(0) = ½ for one-hot descriptors.
public final class MultiplicativeConditioning: TaskConditioning {
    /// The gate's linear map z_t ↦ z_t W_z + b, `[D] → [C]`, before the sigmoid.
    public let gate: Linear

    /// Multiplicative gates on `featureCount` channels C from `descriptor`'s z_t.
    public init(featureCount: Int, descriptor: TaskDescriptor, random: RandomSource = .default) {
        gate = Linear(inputCount: descriptor.dimension, outputCount: featureCount, random: random)
        super.init(descriptor: descriptor)
    }

    public override func callAsFunction(_ features: Variable, task: Int) -> Variable {
        let gates = gate(descriptor(task: task, batchSize: features.shape[0])).sigmoid()
        return features * broadcastable(gates, like: features)
    }
}
