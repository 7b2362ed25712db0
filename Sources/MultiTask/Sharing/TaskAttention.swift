import TensorCore
import Autodiff
import NeuralNetworks

/// One task's attention module at one stage of a Multi-Task Attention Network (Liu, Johns and
/// Davison, *End-to-End Multi-Task Learning with Attention*, CVPR 2019, section 3.2): a soft mask
/// over the stage's shared features,
///
///     a = σ(BN(W₂ ReLU(BN(W₁ v))))      a ∈ (0, 1)^{C×H×W}
///
/// with W₁, W₂ 1×1 convolutions (`inputChannels` → C → C) and v the module's input — the stage's
/// shared features u_j, concatenated after the first stage with the task's previous attended
/// features f(â_{j−1}) (`MultiTaskAttentionNetwork` builds v). The task's attended features are
/// then â_j = a ⊙ p_j.
///
/// Shapes: v `[B, inputChannels, H, W]` → a `[B, C, H, W]`; on vectors (the MLP trunk) v `[B,
/// inputChannels]` → a `[B, C]`, with linear layers in place of the 1×1 convolutions (a 1×1
/// convolution *is* a linear layer applied at every position). Hidden width C, as the paper's
/// reference code (`att_layer([2C, C, C])`).
///
/// - Note: the convolutions have no bias: each is followed by a batch normalization, which
///   subtracts it again (the reference keeps PyTorch's default bias; here it would only learn
///   rounding noise). The normalizations keep running statistics for evaluation, as PyTorch's
///   `BatchNorm2d` in the reference code.
public final class TaskAttention: Module {
    /// W₁ → BN → ReLU → W₂ → BN → σ.
    public let layers: Sequential
    /// C, the channels (or units) of the mask.
    public let channelCount: Int
    /// The channels (or units) of the input v.
    public let inputChannels: Int

    /// A module for `channelCount` features reading `inputChannels`; `spatial` selects 1×1
    /// convolutions (`[B, C, H, W]` inputs) or linear layers (`[B, C]`).
    public init(inputChannels: Int, channelCount: Int, spatial: Bool, random: RandomSource) {
        checkPrecondition(inputChannels >= 1 && channelCount >= 1,
                          "TaskAttention: \(inputChannels) input channels, \(channelCount) channels")
        self.inputChannels = inputChannels
        self.channelCount = channelCount
        func pointwise(_ input: Int, _ output: Int) -> Module {
            spatial ? Conv2D(inputChannels: input, outputChannels: output, kernelSize: 1, bias: false, random: random)
                : Linear(inputCount: input, outputCount: output, bias: false, random: random)
        }
        layers = Sequential(pointwise(inputChannels, channelCount), BatchNormalization(featureCount: channelCount),
                            ReLU(),
                            pointwise(channelCount, channelCount), BatchNormalization(featureCount: channelCount),
                            Sigmoid())
    }

    /// The mask a = σ(BN(W₂ ReLU(BN(W₁ v)))), the shape of `input` with `channelCount` channels.
    public override func callAsFunction(_ input: Variable) -> Variable {
        checkPrecondition((input.rank == 2 || input.rank == 4) && input.shape[1] == inputChannels,
                          "TaskAttention: input \(input.shape) does not have \(inputChannels) channels on axis 1")
        return layers(input)
    }

    public override var summary: String { "TaskAttention(\(inputChannels) → \(channelCount) → \(channelCount))" }
}
