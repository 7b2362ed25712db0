// Exercises for chapter 05, "Modules and training" (Tutorials/05-modules-and-training.md).
// Fill in the bodies of `Chapter05Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises05
import Foundation
import MultiTaskKit

/// The exercises of chapter 05: one step of the two optimizers the chapters use, written as pure functions
/// and checked against the library's `SGD` and `Adam` over several steps.
public protocol Chapter05Exercises {
    /// **05.1 One SGD step with momentum** (chapter 05, "Losses and optimizers"; PyTorch's `torch.optim.SGD`).
    ///
    ///     g ← g + λθ                                   (weight decay λ)
    ///     b ← μb + g, or b = g on the first step       (momentum μ; no buffer at all when μ = 0)
    ///     g ← g + μb (Nesterov)  or  g ← b
    ///     θ ← θ − ηg
    ///
    /// - Parameters:
    ///   - parameter: θ; gradient: ∂L/∂θ (θ's shape).
    ///   - momentumBuffer: b from the previous step, nil before the first step (and always when μ = 0).
    ///   - learningRate: η; momentum: μ ≥ 0; nesterov: use Nesterov momentum (needs μ > 0);
    ///     weightDecay: λ.
    /// - Returns: the new θ and the new buffer (nil when μ = 0).
    /// - Hint: `Tensor` has `+`, `-` and `*` (also with a `Float`).
    static func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, learningRate: Float,
                        momentum: Float, nesterov: Bool, weightDecay: Float) throws
        -> (parameter: Tensor, momentumBuffer: Tensor?)

    /// **05.2 One Adam step** (chapter 05, "Losses and optimizers"; Kingma & Ba, 2015, as `torch.optim.Adam`).
    ///
    ///     g ← g + λθ
    ///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
    ///     θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
    ///
    /// - Parameters:
    ///   - parameter: θ; gradient: g (θ's shape).
    ///   - firstMoment: m, secondMoment: v from the previous step (zeros before the first).
    ///   - step: t, this step's number (1 for the first step).
    ///   - learningRate: η; beta1: β₁; beta2: β₂; epsilon: ε; weightDecay: λ.
    /// - Returns: the new θ, m and v.
    /// - Hint: `Tensor.squareRoot()`; the bias corrections are scalars: `Foundation.pow(beta1, Float(step))`.
    static func adamStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, step: Int,
                         learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) throws
        -> (parameter: Tensor, firstMoment: Tensor, secondMoment: Tensor)
}

/// Your solutions to chapter 05's exercises: replace each `throw` with your code.
public enum Chapter05Student: Chapter05Exercises {
    public static func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, learningRate: Float,
                               momentum: Float, nesterov: Bool, weightDecay: Float) throws
        -> (parameter: Tensor, momentumBuffer: Tensor?) {
        throw ExerciseError.notDone("05.1 sgdStep")
    }

    public static func adamStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                                step: Int, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                                weightDecay: Float) throws
        -> (parameter: Tensor, firstMoment: Tensor, secondMoment: Tensor) {
        throw ExerciseError.notDone("05.2 adamStep")
    }
}
