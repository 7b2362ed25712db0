// Exercises for chapter 04, "Autodiff" (Tutorials/04-autodiff.md).
// Fill in the bodies of `Chapter04Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises04
import MultiTaskKit

/// The exercises of chapter 04: two new backward rules, checked by `gradcheck`, and the conflict between
/// two tasks' gradients.
public protocol Chapter04Exercises {
    /// **04.1 A new unary operation: softplus** (chapter 04, "The idea": an operation records its inputs and
    /// a backward rule).
    ///
    /// y = softplus(x) = log(1 + eˣ) elementwise; dy/dx = σ(x) = 1/(1 + e⁻ˣ). Shapes: any, y has x's shape.
    ///
    /// Build the output with `Variable(_:operation:parents:backward:)`, named `"softplus"`, with `x` as its
    /// only parent, and a rule that maps the upstream gradient ∂L/∂y to [∂L/∂x] = [upstream ⊙ σ(x)]. Do not
    /// compose existing `Variable` operations: the point is to write the rule (the test checks the name).
    /// - Hint: compute on `Tensor`s (`x.value`): `(value.exp() + 1).log()`, `value.sigmoid()`.
    static func softplus(_ x: Variable) throws -> Variable

    /// **04.2 A binary operation with broadcasting: the squared difference** (chapter 04, "The idea":
    /// `summed(toShape:)` is the rule of broadcasting).
    ///
    /// y = (a − b)² elementwise, a and b broadcast against each other (NumPy's rules;
    /// `a.value - b.value` broadcasts). ∂L/∂a = 2(a − b) ⊙ upstream and ∂L/∂b = −2(a − b) ⊙ upstream,
    /// each *summed back to its operand's shape* — an operand that was stretched was read several times.
    ///
    /// One output `Variable` named `"squaredDifference"` with parents [a, b]; honour `needed` (return nil for
    /// an input that needs no gradient).
    static func squaredDifference(_ a: Variable, _ b: Variable) throws -> Variable

    /// **04.3 The conflict between two tasks** (chapter 04, "Per-task gradients").
    ///
    /// With g₁ = ∇_θ L₁ and g₂ = ∇_θ L₂ on the shared parameter θ (taken with
    /// `gradients(of:wrt:)`, which leaves `.grad` untouched), return
    /// cos(g₁, g₂) = g₁·g₂ / (‖g₁‖ ‖g₂‖): −1 the tasks pull θ in opposite directions, +1 the
    /// same. Return 0 when either gradient is zero.
    ///
    /// - Parameters: firstLoss, secondLoss: scalar losses computed from `shared`; shared: θ (any shape).
    static func gradientCosine(firstLoss: Variable, secondLoss: Variable, shared: Variable) throws -> Float
}

/// Your solutions to chapter 04's exercises: replace each `throw` with your code.
public enum Chapter04Student: Chapter04Exercises {
    public static func softplus(_ x: Variable) throws -> Variable {
        throw ExerciseError.notDone("04.1 softplus")
    }

    public static func squaredDifference(_ a: Variable, _ b: Variable) throws -> Variable {
        throw ExerciseError.notDone("04.2 squaredDifference")
    }

    public static func gradientCosine(firstLoss: Variable, secondLoss: Variable, shared: Variable) throws -> Float {
        throw ExerciseError.notDone("04.3 gradientCosine")
    }
}
