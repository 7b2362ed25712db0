// Exercises for chapter 10, "Balancing losses" (Tutorials/10-balancing-losses.md).
// Fill in the bodies of `Chapter10Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises10
import Foundation
import MultiTaskKit

/// The exercises of chapter 10: the DWA weights, the uncertainty-weighting loss, and the geometric loss.
public protocol Chapter10Exercises {
    /// **10.1 Dynamic Weight Average** (chapter 10, the table; Liu et al., CVPR 2019).
    ///
    ///     r_t = L̄_t(e−1) / L̄_t(e−2),    w = T · softmax(r / τ),    w = 1 for the first two epochs
    ///
    /// - Parameters:
    ///   - history: the mean training loss per task of every completed epoch, oldest first (`history[e][t]`);
    ///     fewer than two epochs: every weight is 1.
    ///   - taskCount: T.
    ///   - temperature: τ > 0.
    /// - Returns: the T weights of the next epoch (they sum to T).
    /// - Hint: subtract the largest r/τ before `exp`, as a stable softmax does (chapter 01).
    static func dwaWeights(history: [[Float]], taskCount: Int, temperature: Float) throws -> [Float]

    /// **10.2 The uncertainty-weighting objective** (chapter 10, the table; Kendall et al., CVPR 2018).
    ///
    ///     L = Σ_t L_t / (2 e^{s_t}) + s_t / 2,    s_t = log σ_t²
    ///
    /// Its minimum in s_t alone is at e^{s_t} = L_t. Compose `Variable` operations so that the gradient flows
    /// to both the losses and the s_t.
    ///
    /// - Parameters: losses: L, `[T]`; logVariances: s, `[T]`.
    /// - Returns: L, a scalar `Variable` (shape `[]`).
    static func uncertaintyLoss(losses: Variable, logVariances: Variable) throws -> Variable

    /// **10.3 The geometric loss strategy** (chapter 10, the table; Chennupati et al., CVPRW 2019).
    ///
    ///     L = (Π_t L_t)^{1/T},    ∂L/∂L_t = L / (T · L_t)
    ///
    /// — the implicit weights, which make it scale-invariant.
    ///
    /// - Parameter losses: L, `[T]`, all positive.
    /// - Returns: L, a scalar `Variable`.
    /// - Hint: Π_t L_t^{1/T} = exp(mean_t log L_t) — a product of many small losses would underflow.
    static func geometricLoss(losses: Variable) throws -> Variable
}

/// Your solutions to chapter 10's exercises: replace each `throw` with your code.
public enum Chapter10Student: Chapter10Exercises {
    public static func dwaWeights(history: [[Float]], taskCount: Int, temperature: Float) throws -> [Float] {
        throw ExerciseError.notDone("10.1 dwaWeights")
    }

    public static func uncertaintyLoss(losses: Variable, logVariances: Variable) throws -> Variable {
        throw ExerciseError.notDone("10.2 uncertaintyLoss")
    }

    public static func geometricLoss(losses: Variable) throws -> Variable {
        throw ExerciseError.notDone("10.3 geometricLoss")
    }
}
