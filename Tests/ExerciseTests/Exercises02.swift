import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 02's exercises (`Exercises/Student/Chapter02.swift`) against the plain loops.
@Suite("Exercises02: loops to SIMD")
struct Exercises02 {
    let chapter: any Chapter02Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter02Student.self, reference: Chapter02Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter02Student.self, reference: nil)
        #endif
    }

    @Test("02.1 SIMD dot product: by hand, and the naive loop (in Double) for lengths 0…67")
    func dot() throws {
        #expect(try chapter.dot([1, 2, 3], [4, 5, 6]) == 32)
        #expect(try chapter.dot([], []) == 0)
        // 1…17 against ones: every lane, and a tail of one.
        #expect(try chapter.dot((1...17).map(Float.init), Array(repeating: 1, count: 17)) == 153)
        for length in 0..<68 {
            let a = Tensor.normal([length], seed: UInt64(length)).scalars
            let b = Tensor.normal([length], seed: UInt64(1000 + length)).scalars
            let expected = zip(a, b).map { Double($0) * Double($1) }.reduce(0, +)
            isClose([try chapter.dot(a, b)], [Float(expected)], rtol: 1e-5, atol: 1e-5, "length \(length)")
        }
    }

    @Test("02.2 row-at-a-time SIMD product: gemmNaive on edge sizes (1, primes, not multiples of 8)")
    func matrixProduct() throws {
        #expect(try chapter.matrixProduct([1, 2, 3, 4], [5, 6, 7, 8], m: 2, n: 2, k: 2) == [19, 22, 43, 50])
        for (m, n, k) in [(1, 1, 1), (3, 8, 5), (2, 17, 3), (7, 24, 1), (5, 13, 11), (4, 9, 16)] {
            let a = Tensor.normal([m * k], seed: UInt64(m * 100 + k)).scalars
            let b = Tensor.normal([k * n], seed: UInt64(n * 100 + k)).scalars
            var expected = [Float](repeating: 0, count: m * n)
            gemmNaive(m: m, n: n, k: k, a: a, lda: k, transposeA: false, b: b, ldb: n, transposeB: false,
                      c: &expected, ldc: n, accumulate: false)
            isClose(try chapter.matrixProduct(a, b, m: m, n: n, k: k), expected, rtol: 1e-4, atol: 1e-5,
                    "\(m)×\(k) · \(k)×\(n)")
        }
    }
}
