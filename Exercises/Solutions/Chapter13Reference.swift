// REFERENCE SOLUTIONS for chapter 13 — students: do the exercises in Exercises/Student/Chapter13.swift first.
import Foundation
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 13's exercises.
public enum Chapter13Reference: Chapter13Exercises {
    public static func meanIntersectionOverUnion(predicted: [Int], target: [Int], classCount: Int) throws -> Double {
        var confusion = Array(repeating: Array(repeating: 0.0, count: classCount), count: classCount)
        for (guess, truth) in zip(predicted, target) where (0..<classCount).contains(truth) {
            confusion[truth][guess] += 1
        }
        let ious = (0..<classCount).compactMap { c -> Double? in
            let union = confusion[c].reduce(0, +) + confusion.map { $0[c] }.reduce(0, +) - confusion[c][c]
            return union > 0 ? confusion[c][c] / union : nil
        }
        return ious.reduce(0, +) / Double(ious.count)
    }

    public static func meanAngleError(predicted: Tensor, target: Tensor) throws -> Double {
        let plane = predicted.shape[2] * predicted.shape[3]
        var total = 0.0, count = 0.0
        for n in 0..<predicted.shape[0] {
            for pixel in 0..<plane {
                var dot = 0.0, predictedNorm = 0.0, targetNorm = 0.0
                for axis in 0..<3 {
                    let p = Double(predicted[flat: (n * 3 + axis) * plane + pixel])
                    let t = Double(target[flat: (n * 3 + axis) * plane + pixel])
                    dot += p * t; predictedNorm += p * p; targetNorm += t * t
                }
                guard targetNorm > 0 else { continue }
                let cosine = dot / max(1e-12, (predictedNorm * targetNorm).squareRoot())
                total += acos(min(1, max(-1, cosine))) * 180 / .pi
                count += 1
            }
        }
        return total / count
    }
}
