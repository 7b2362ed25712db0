// Exercises for chapter 02, "From loops to SIMD" (Tutorials/02-loops-to-simd.md).
// Fill in the bodies of `Chapter02Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises02
import MultiTaskKit

/// The exercises of chapter 02: vector registers for a dot product and for a row-at-a-time matrix
/// product (`gemmDirect`'s idea), each checked against the plain loops.
public protocol Chapter02Exercises {
    /// **02.1 A SIMD dot product** (chapter 02, "Registers: the micro-kernel").
    ///
    /// a · b = Σᵢ aᵢ bᵢ, eight lanes at a time: keep a `SIMD8<Float>` accumulator, add
    /// `acc = acc.addingProduct(aChunk, bChunk)` for every full chunk of 8, sum its lanes at the end
    /// (`acc.sum()`), then add the leftover elements (count not a multiple of 8) one by one.
    ///
    /// - Parameters: a, b: vectors of the same length n (any n ≥ 0).
    /// - Returns: a · b (within Float rounding of the plain loop).
    /// - Hint: `SIMD8<Float>(a[i..<(i + 8)])` builds a chunk; `a.withUnsafeBufferPointer` and
    ///   `UnsafeRawPointer.loadUnaligned(fromByteOffset:as:)` are faster, but not required.
    static func dot(_ a: [Float], _ b: [Float]) throws -> Float

    /// **02.2 A row of C at a time, 8 columns per vector** (chapter 02's table: `gemmDirect`).
    ///
    /// C[M×N] = A[M×K] · B[K×N], all row-major. For each row i of C and each chunk of 8 columns j…j+7:
    /// `acc = Σₚ A[i,p] · B[p, j…j+7]` — a broadcast scalar of A times a vector of a row of B, which is
    /// contiguous in memory (unlike the naive loop's walk down a column of B). Columns past the last full
    /// chunk are computed one by one.
    ///
    /// - Parameters:
    ///   - a: A, `m·k` scalars; b: B, `k·n` scalars.
    ///   - m, n, k: the sizes (each ≥ 1).
    /// - Returns: C, `m·n` scalars.
    /// - Hint: `SIMD8<Float>(repeating: a[i * k + p])` broadcasts; `.addingProduct` is the fused
    ///   multiply-add.
    static func matrixProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) throws -> [Float]
}

/// Your solutions to chapter 02's exercises: replace each `throw` with your code.
public enum Chapter02Student: Chapter02Exercises {
    public static func dot(_ a: [Float], _ b: [Float]) throws -> Float {
        throw ExerciseError.notDone("02.1 dot")
    }

    public static func matrixProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) throws -> [Float] {
        throw ExerciseError.notDone("02.2 matrixProduct")
    }
}
