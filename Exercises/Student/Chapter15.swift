// Exercises for chapter 15, "Architectures that learn how to share" (Tutorials/15-learning-to-share.md).
// Fill in the bodies of `Chapter15Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises15
import MultiTaskKit

/// The exercises of chapter 15: an MMoE gate's softmax mixture of experts, and expert utilization.
public protocol Chapter15Exercises {
    /// **15.1 A gated mixture of experts** (chapter 15, "Experts and gates"; Ma et al., KDD 2018).
    ///
    ///     g(x) = softmax(gate logits) ∈ Δ_n,    mixture = Σ_i g_i(x) · f_i(x)
    ///
    /// one weight per expert and sample, the same for every feature of that sample. Compose `Variable`
    /// operations, so that gradients reach both the experts and the gate.
    ///
    /// - Parameters:
    ///   - expertOutputs: f_i(x), n variables of one shape `[B, D]`.
    ///   - gateLogits: W·x + b, `[B, n]`.
    /// - Returns: the mixture, `[B, D]`.
    /// - Hint: `softmax(alongAxis: 1)`, then `sliced(i..<(i + 1), alongAxis: 1)` gives expert i's weights as
    ///   `[B, 1]`, which broadcast over D.
    static func mixture(expertOutputs: [Variable], gateLogits: Variable) throws -> Variable

    /// **15.2 Expert utilization** (chapter 15, "Looking inside: expert utilization").
    ///
    ///     u_{t,i} = (1/N) Σ_n g_{t,i}(x_n)
    ///
    /// the mean weight of task t's gate on expert i over a dataset (each row of u sums to 1).
    ///
    /// - Parameter gateWeights: for every task t, its gate's softmax weights on the N samples, `[N, n]`.
    /// - Returns: u, `u[t][i]`.
    static func utilization(gateWeights: [Tensor]) throws -> [[Double]]
}

/// Your solutions to chapter 15's exercises: replace each `throw` with your code.
public enum Chapter15Student: Chapter15Exercises {
    public static func mixture(expertOutputs: [Variable], gateLogits: Variable) throws -> Variable {
        throw ExerciseError.notDone("15.1 mixture")
    }

    public static func utilization(gateWeights: [Tensor]) throws -> [[Double]] {
        throw ExerciseError.notDone("15.2 utilization")
    }
}
