// REFERENCE SOLUTIONS for chapter 07 — students: do the exercises in Exercises/Student/Chapter07.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 07's exercises.
public enum Chapter07Reference: Chapter07Exercises {
    public static func film(features: Tensor, gamma: [Float], beta: [Float]) throws -> Tensor {
        let shape = [1, gamma.count] + Array(repeating: 1, count: features.rank - 2)
        return features * Tensor(gamma).reshaped(to: shape) + Tensor(beta).reshaped(to: shape)
    }

    public static func filmParameters(sharedWeight: [Float], sharedBias: Float, taskWeight: [Float],
                                      taskBias: Float) throws -> (gamma: [Float], beta: [Float]) {
        let squaredNorm = sharedWeight.reduce(0) { $0 + $1 * $1 }
        return (zip(taskWeight, sharedWeight).map { $0 / $1 },
                sharedWeight.map { (taskBias - sharedBias) / squaredNorm * $0 })
    }
}
