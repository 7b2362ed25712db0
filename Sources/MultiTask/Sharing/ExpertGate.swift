import TensorCore
import Autodiff
import NeuralNetworks

/// The gate of a mixture of experts: a softmax over n experts computed from the gate's input,
///
///     g(x) = softmax(W · flatten(x) + b) ∈ Δ_n,
///
/// one weight per expert and sample, non-negative and summing to 1 (Ma et al., *Modeling Task
/// Relationships in Multi-task Learning with Multi-gate Mixture-of-Experts*, KDD 2018, eq. 8: g^k(x) =
/// softmax(W_gk x); the paper's gate has no bias, we keep Linear's — a learned prior over the experts).
///
/// Shapes: input `[B, …]` (any trailing shape: an image `[B, C, H, W]` is flattened to `[B, C·H·W]`, as
/// LibMTL's gates flatten theirs) → weights `[B, n]`.
public final class ExpertGate: Module {
    /// W `[D, n]` (input-major, as every `Linear`) and b `[n]`, D the flattened input size.
    public let linear: Linear

    /// A gate over `expertCount` experts on inputs of `inputCount` scalars per sample (after flattening).
    public init(inputCount: Int, expertCount: Int, random: RandomSource = .default) {
        checkPrecondition(inputCount >= 1 && expertCount >= 1,
                          "ExpertGate: inputCount \(inputCount) and expertCount \(expertCount) must be at least 1")
        linear = Linear(inputCount: inputCount, outputCount: expertCount, random: random)
    }

    /// The number of experts n.
    public var expertCount: Int { linear.outputCount }

    /// g(x) `[B, n]`: each row sums to 1.
    public override func callAsFunction(_ input: Variable) -> Variable {
        let batch = input.shape[0]
        return linear(input.reshaped(to: [batch, input.value.count / Swift.max(1, batch)])).softmax(alongAxis: -1)
    }
}

/// The gated mixture Σ_i g_i ⊙ f_i of expert outputs: `outputs[i]` `[B, …]` (all of one shape),
/// `weights` `[B, n]` with n = `outputs.count` → `[B, …]`, each sample's outputs weighted by that
/// sample's gate (one weight per expert and sample, the same for every feature, channel and pixel) —
/// the einsum `ij…, ji → j…` of LibMTL's MMoE, written as the sum it is.
///
/// - Note: stacking the outputs into `[B, n, …]`, multiplying by the weights broadcast to `[B, n, 1, …]`
///   and summing over the expert axis computes the same, but its copies and strided reductions made
///   MMoE's training step several times slower; here column i of the weights, `[B, 1, …]`, scales
///   expert i's output in place of a copy.
public func mixExperts(_ outputs: [Variable], weights: Variable) -> Variable {
    checkPrecondition(!outputs.isEmpty && weights.shape.count == 2 && weights.shape[1] == outputs.count
                        && outputs.allSatisfy({ $0.shape == outputs[0].shape && $0.shape[0] == weights.shape[0] }),
                      "mixExperts: \(outputs.count) expert outputs of shapes \(outputs.map(\.shape)) and weights "
                        + "\(weights.shape) (expected [B, \(outputs.count)] and equal [B, …] outputs)")
    let columnShape = [weights.shape[0]] + Array(repeating: 1, count: outputs[0].shape.count - 1)   // [B, 1, …]
    var mixture: Variable?
    for (expert, output) in outputs.enumerated() {
        let weight = weights.sliced(expert..<(expert + 1), alongAxis: 1).reshaped(to: columnShape)
        let term = output * weight
        mixture = mixture.map { $0 + term } ?? term
    }
    return mixture!
}
