import Foundation
import TensorCore
import Autodiff

/// How a Gumbel-softmax sample is drawn (`gumbelSoftmax(_:temperature:sampling:noise:)`).
public enum GumbelSampling: String, Sendable, CaseIterable {
    /// The relaxed sample d = softmax((θ + g)/τ): every entry positive, summing to 1.
    case soft
    /// The one-hot vector of argmax(θ + g) forward, the soft sample's gradient backward (the
    /// straight-through estimator; Jang et al., 2017, §2.2).
    case hard
}

/// Gumbel(0, 1) noise g = −log(−log u), u ~ U(0, 1), of `shape`, drawn from `generator` (u is kept in
/// [2⁻²⁴, 1 − 2⁻²⁴] so that g is finite).
public func gumbelNoise(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
    let count = shape.reduce(1, *)
    let scalars = (0..<count).map { _ -> Float in
        let u = min(max(generator.nextFloat(), 0x1p-24), 1 - 0x1p-24)
        return -log(-log(u))
    }
    return Tensor(shape: shape, scalars: scalars)
}

/// A Gumbel-softmax sample over the last axis of `logits` θ (Jang et al., *Categorical
/// Reparameterization with Gumbel-Softmax*, ICLR 2017; Maddison et al., *The Concrete Distribution*,
/// ICLR 2017):
///
///     soft:  d = softmax((θ + g) / τ),   g ~ Gumbel(0, 1) (the `noise` tensor),
///     hard:  d = onehot(argmax_i (θ_i + g_i)) forward,  ∂d/∂θ = ∂soft/∂θ backward (straight-through).
///
/// As τ → 0 the soft sample tends to the hard one; P(argmax = i) = softmax(θ)_i for any τ (the
/// Gumbel-max trick). Learning to Branch (Guo et al., ICML 2020) samples each child node's parent this way.
///
/// Shapes: `logits` `[…, n]`, `noise` the same shape (zeros: the noise-free softmax(θ/τ) or argmax θ)
/// → `[…, n]`, each row summing to 1. The hard sample's value is exactly one-hot.
public func gumbelSoftmax(_ logits: Variable, temperature: Float, sampling: GumbelSampling,
                          noise: Tensor) -> Variable {
    checkPrecondition(temperature > 0 && temperature.isFinite,
                      "gumbelSoftmax: temperature \(temperature) must be positive and finite")
    checkPrecondition(noise.shape == logits.shape,
                      "gumbelSoftmax: noise \(noise.shape) does not match logits \(logits.shape)")
    let soft = ((logits + Variable(noise)) * (1 / temperature)).softmax(alongAxis: -1)
    guard sampling == .hard else { return soft }
    let width = logits.shape.last ?? 1
    var oneHot = [Float](repeating: 0, count: soft.value.count)
    let values = soft.value.scalars
    for row in 0..<(values.count / max(1, width)) {
        var best = row * width
        for index in (row * width)..<((row + 1) * width) where values[index] > values[best] { best = index }
        oneHot[best] = 1
    }
    return soft.straightThrough(forwardValue: Tensor(shape: soft.shape, scalars: oneHot))
}
