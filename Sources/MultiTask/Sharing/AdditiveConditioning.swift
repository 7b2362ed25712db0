import TensorCore
import Autodiff
import NeuralNetworks

/// Additive task conditioning: h + z_t W_z, a learned per-task bias on the features
/// (W_z `[D, C]`, broadcast over H×W for feature maps). It is exactly concatenation followed by a
/// linear layer: [x; z_t]·[W_x; W_z] = x W_x + z_t W_z — a test shows it. (Lecture notes.)
public final class AdditiveConditioning: TaskConditioning {
    /// W_z `[D, C]`, initialized to zero (conditioning starts neutral).
    public let weight: Parameter

    /// Additive conditioning of `featureCount` channels C; W_z starts at zero.
    public init(featureCount: Int, descriptor: TaskDescriptor) {
        weight = Parameter(Tensor.zeros([descriptor.dimension, featureCount]))
        super.init(descriptor: descriptor)
    }

    public override func callAsFunction(_ features: Variable, task: Int) -> Variable {
        checkPrecondition(features.shape[1] == weight.shape[1],
                          "AdditiveConditioning: features \(features.shape) do not have \(weight.shape[1]) channels")
        let shift = descriptor(task: task, batchSize: features.shape[0]) • weight
        return features + broadcastable(shift, like: features)
    }
}
