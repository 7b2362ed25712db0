// REFERENCE SOLUTIONS for chapter 01 — students: do the exercises in Exercises/Student/Chapter01.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 01's exercises.
public enum Chapter01Reference: Chapter01Exercises {
    public static func strides(of shape: [Int]) throws -> [Int] {
        var result = Array(repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            result[axis] = stride
            stride *= shape[axis]
        }
        return result
    }

    public static func broadcastShape(_ lhs: [Int], _ rhs: [Int]) throws -> [Int]? {
        let rank = max(lhs.count, rhs.count)
        let left = Array(repeating: 1, count: rank - lhs.count) + lhs
        let right = Array(repeating: 1, count: rank - rhs.count) + rhs
        var result: [Int] = []
        for (a, b) in zip(left, right) {
            guard a == b || a == 1 || b == 1 else { return nil }
            result.append(a == 1 ? b : a)
        }
        return result
    }

    public static func broadcastOffset(of outputIndex: [Int], inputShape: [Int], outputShape: [Int]) throws -> Int {
        let inputStrides = try strides(of: inputShape)
        let skipped = outputShape.count - inputShape.count
        var offset = 0
        for axis in inputShape.indices where inputShape[axis] != 1 {
            offset += outputIndex[skipped + axis] * inputStrides[axis]
        }
        return offset
    }
}
