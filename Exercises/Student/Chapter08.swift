// Exercises for chapter 08, "Soft sharing and cross-stitch" (Tutorials/08-soft-sharing.md).
// Fill in the bodies of `Chapter08Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises08
import MultiTaskKit

/// The exercises of chapter 08: the soft-sharing penalty, its gradient, and a cross-stitch unit.
public protocol Chapter08Exercises {
    /// **08.1 The soft-sharing penalty** (chapter 08, first section; Duong et al., 2015).
    ///
    ///     Ω = λ Σ_{t<t'} Σ_layers ‖θ_t − θ_t'‖²
    ///
    /// over every pair of tasks and every parameter tensor, matched by position.
    ///
    /// - Parameters:
    ///   - columns: `columns[t][k]` is task t's k-th parameter tensor (every column has the same shapes).
    ///   - strength: λ ≥ 0.
    /// - Returns: Ω (0 for one task).
    static func couplingPenalty(columns: [[Tensor]], strength: Float) throws -> Float

    /// **08.2 The penalty's gradient** (chapter 08: λ pulls corresponding parameters together).
    ///
    ///     ∂Ω/∂θ_t = 2λ Σ_{t' ≠ t} (θ_t − θ_t')
    ///
    /// - Parameters: columns, strength: as for `couplingPenalty`; task: t.
    /// - Returns: one gradient tensor per parameter of column t (its shapes).
    static func couplingGradient(columns: [[Tensor]], strength: Float, task: Int) throws -> [Tensor]

    /// **08.3 A cross-stitch unit** (chapter 08, first section; Misra et al., CVPR 2016).
    ///
    ///     x̃_t = Σ_s α_ts · x_s
    ///
    /// - Parameters:
    ///   - activations: x_s, one tensor per task, all of one shape (e.g. `[B, C]`).
    ///   - alpha: α, T×T (`alpha[t][s]`).
    /// - Returns: x̃_t for every task t, each of the activations' shape.
    static func crossStitch(activations: [Tensor], alpha: [[Float]]) throws -> [Tensor]
}

/// Your solutions to chapter 08's exercises: replace each `throw` with your code.
public enum Chapter08Student: Chapter08Exercises {
    public static func couplingPenalty(columns: [[Tensor]], strength: Float) throws -> Float {
        throw ExerciseError.notDone("08.1 couplingPenalty")
    }

    public static func couplingGradient(columns: [[Tensor]], strength: Float, task: Int) throws -> [Tensor] {
        throw ExerciseError.notDone("08.2 couplingGradient")
    }

    public static func crossStitch(activations: [Tensor], alpha: [[Float]]) throws -> [Tensor] {
        throw ExerciseError.notDone("08.3 crossStitch")
    }
}
