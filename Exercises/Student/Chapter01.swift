// Exercises for chapter 01, "Tensors" (Tutorials/01-tensors.md).
// Fill in the bodies of `Chapter01Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises01
import MultiTaskKit

/// The exercises of chapter 01: row-major strides and NumPy's broadcasting rules.
public protocol Chapter01Exercises {
    /// **01.1 Row-major strides** (chapter 01, "The idea").
    ///
    /// Element (i₀, …, iₙ₋₁) of a tensor of shape [d₀, …, dₙ₋₁] lives at offset Σ iₖ·sₖ of
    /// its flat storage, with sₖ = dₖ₊₁·…·dₙ₋₁ (the last stride is 1).
    ///
    /// - Parameter shape: [d₀, …, dₙ₋₁] (possibly empty: a scalar has no strides).
    /// - Returns: [s₀, …, sₙ₋₁].
    /// - Hint: walk the axes from the last to the first, multiplying as you go.
    static func strides(of shape: [Int]) throws -> [Int]

    /// **01.2 The broadcast shape** (chapter 01, "Broadcasting").
    ///
    /// Align the two shapes at the right; a missing axis counts as 1; each pair of sizes must be equal
    /// or one of them 1, and the result takes the larger. `[5, 1, 4]` and `[3, 1]` give `[5, 3, 4]`;
    /// `[2, 3]` and `[3, 1]` are incompatible (2 vs 3).
    ///
    /// - Returns: the broadcast shape, or nil when the shapes are not broadcast-compatible.
    static func broadcastShape(_ lhs: [Int], _ rhs: [Int]) throws -> [Int]?

    /// **01.3 Reading a broadcast operand** (chapter 01, "Broadcasting": a size-1 axis is *stretched* by
    /// reading it with stride 0).
    ///
    /// An operand of shape `inputShape` is broadcast to `outputShape` (`inputShape` aligned at the right,
    /// each of its sizes 1 or equal to the output's). Which scalar of the operand's flat storage does
    /// output element `outputIndex` read?
    ///
    /// - Parameters:
    ///   - outputIndex: (i₀, …, iₙ₋₁), one index per axis of `outputShape`.
    ///   - inputShape: the operand's shape (rank ≤ n).
    ///   - outputShape: the broadcast shape.
    /// - Returns: the offset in the operand's row-major storage.
    /// - Hint: use the operand's own strides, with stride 0 on its size-1 axes; output axes the operand
    ///   lacks (on the left) do not move the offset.
    static func broadcastOffset(of outputIndex: [Int], inputShape: [Int], outputShape: [Int]) throws -> Int
}

/// Your solutions to chapter 01's exercises: replace each `throw` with your code.
public enum Chapter01Student: Chapter01Exercises {
    public static func strides(of shape: [Int]) throws -> [Int] {
        throw ExerciseError.notDone("01.1 strides")
    }

    public static func broadcastShape(_ lhs: [Int], _ rhs: [Int]) throws -> [Int]? {
        throw ExerciseError.notDone("01.2 broadcastShape")
    }

    public static func broadcastOffset(of outputIndex: [Int], inputShape: [Int], outputShape: [Int]) throws -> Int {
        throw ExerciseError.notDone("01.3 broadcastOffset")
    }
}
