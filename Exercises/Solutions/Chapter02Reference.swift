// REFERENCE SOLUTIONS for chapter 02 — students: do the exercises in Exercises/Student/Chapter02.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 02's exercises.
public enum Chapter02Reference: Chapter02Exercises {
    public static func dot(_ a: [Float], _ b: [Float]) throws -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= a.count {
            accumulator = accumulator.addingProduct(SIMD8(a[i..<(i + 8)]), SIMD8(b[i..<(i + 8)]))
            i += 8
        }
        var sum = accumulator.sum()
        while i < a.count { sum += a[i] * b[i]; i += 1 }
        return sum
    }

    public static func matrixProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int) throws -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        let fullColumns = n / 8 * 8
        for i in 0..<m {
            for j in stride(from: 0, to: fullColumns, by: 8) {
                var accumulator = SIMD8<Float>()
                for p in 0..<k {
                    let row = p * n + j
                    accumulator = accumulator.addingProduct(SIMD8(repeating: a[i * k + p]), SIMD8(b[row..<(row + 8)]))
                }
                for lane in 0..<8 { c[i * n + j + lane] = accumulator[lane] }
            }
            for j in fullColumns..<n {
                var sum: Float = 0
                for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
                c[i * n + j] = sum
            }
        }
        return c
    }
}
