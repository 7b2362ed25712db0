// Exercises for chapter 11, "Multi-objective optimization" (Tutorials/11-multi-objective.md).
// Fill in the bodies of `Chapter11Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises11
import MultiTaskKit

/// The exercises of chapter 11: MGDA's two-task closed form and PCGrad's projection, on flattened task
/// gradients g_t = ∇_{θ_sh} L_t.
public protocol Chapter11Exercises {
    /// **11.1 MGDA for two tasks** (chapter 11, first section; Sener & Koltun, NeurIPS 2018).
    ///
    /// The weight γ of g₁ in the minimum-norm point of the segment between g₁ and g₂,
    /// argmin_{γ∈[0,1]} ‖γ g₁ + (1 − γ) g₂‖², is
    ///
    ///     γ = clamp((g₂·g₂ − g₁·g₂) / ‖g₁ − g₂‖², 0, 1)
    ///
    /// and γ = ½ when g₁ = g₂ (every γ is optimal).
    ///
    /// - Parameters: g1, g2: the two gradients (same length).
    /// - Returns: γ ∈ [0, 1].
    /// - Hint: accumulate the dot products in `Double`.
    static func mgdaWeight(_ g1: [Float], _ g2: [Float]) throws -> Double

    /// **11.2 PCGrad for two tasks** (chapter 11, first section; Yu et al., NeurIPS 2020).
    ///
    /// If the gradients conflict (g₁·g₂ < 0), remove from each its component along the *other,
    /// original* gradient: g₁ᴾᶜ = g₁ − (g₁·g₂ / ‖g₂‖²) g₂ and
    /// g₂ᴾᶜ = g₂ − (g₂·g₁ / ‖g₁‖²) g₁. Otherwise (or when the other gradient is zero) leave it
    /// unchanged. The update is g₁ᴾᶜ + g₂ᴾᶜ.
    ///
    /// - Returns: (g₁ᴾᶜ, g₂ᴾᶜ).
    static func pcGrad(_ g1: [Float], _ g2: [Float]) throws -> (first: [Float], second: [Float])
}

/// Your solutions to chapter 11's exercises: replace each `throw` with your code.
public enum Chapter11Student: Chapter11Exercises {
    public static func mgdaWeight(_ g1: [Float], _ g2: [Float]) throws -> Double {
        throw ExerciseError.notDone("11.1 mgdaWeight")
    }

    public static func pcGrad(_ g1: [Float], _ g2: [Float]) throws -> (first: [Float], second: [Float]) {
        throw ExerciseError.notDone("11.2 pcGrad")
    }
}
