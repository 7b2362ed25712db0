// Exercises for chapter 07, "Task conditioning" (Tutorials/07-conditioning.md).
// Fill in the bodies of `Chapter07Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises07
import MultiTaskKit

/// The exercises of chapter 07: FiLM's modulation, and why FiLM before a linear layer is a multi-head network.
public protocol Chapter07Exercises {
    /// **07.1 FiLM's affine modulation** (chapter 07, the table: `FiLM` computes γ(z_t) ⊙ h + β(z_t)).
    ///
    /// Scale and shift every feature channel c: out[n, c, …] = γ_c · h[n, c, …] + β_c.
    ///
    /// - Parameters:
    ///   - features: h, `[N, C]` (a hidden layer) or `[N, C, H, W]` (a feature map).
    ///   - gamma: γ, C scalars; beta: β, C scalars (the task's, already computed from z_t).
    /// - Returns: a tensor of h's shape.
    /// - Hint: reshape γ and β to `[1, C]` or `[1, C, 1, 1]` and let broadcasting (chapter 01) do the rest.
    static func film(features: Tensor, gamma: [Float], beta: [Float]) throws -> Tensor

    /// **07.2 FiLM before a linear layer is a multi-head network** (chapter 07, "Where the conditioning enters
    /// decides what it can express").
    ///
    /// A shared linear output w·x + b after FiLM computes
    /// w·(γ ⊙ h + β) + b = (w ⊙ γ)·h + (w·β + b). Find γ and β so that it equals a given task
    /// head v·h + c for every h.
    ///
    /// - Parameters:
    ///   - sharedWeight: w (C scalars, none of them 0); sharedBias: b.
    ///   - taskWeight: v (C scalars); taskBias: c.
    /// - Returns: (γ, β), C scalars each, with w ⊙ γ = v and w·β + b = c.
    /// - Hint: many β work; β = ((c − b)/‖w‖²) · w is one.
    static func filmParameters(sharedWeight: [Float], sharedBias: Float, taskWeight: [Float],
                               taskBias: Float) throws -> (gamma: [Float], beta: [Float])
}

/// Your solutions to chapter 07's exercises: replace each `throw` with your code.
public enum Chapter07Student: Chapter07Exercises {
    public static func film(features: Tensor, gamma: [Float], beta: [Float]) throws -> Tensor {
        throw ExerciseError.notDone("07.1 film")
    }

    public static func filmParameters(sharedWeight: [Float], sharedBias: Float, taskWeight: [Float],
                                      taskBias: Float) throws -> (gamma: [Float], beta: [Float]) {
        throw ExerciseError.notDone("07.2 filmParameters")
    }
}
