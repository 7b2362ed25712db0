// REFERENCE SOLUTIONS for chapter 00 — students: do the exercises in Exercises/Student/Chapter00.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 00's exercises.
public enum Chapter00Reference: Chapter00Exercises {
    public static func weightedObjective(losses: [Float], weights: [Float]) throws -> Float {
        zip(losses, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }

    public static func fScore(predicted: [Bool], actual: [Bool]) throws -> Double {
        var truePositives = 0.0, falsePositives = 0.0, falseNegatives = 0.0
        for (guess, truth) in zip(predicted, actual) {
            if guess && truth { truePositives += 1 }
            if guess && !truth { falsePositives += 1 }
            if !guess && truth { falseNegatives += 1 }
        }
        let precision = truePositives / max(1, truePositives + falsePositives)
        let recall = truePositives / max(1, truePositives + falseNegatives)
        return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    }

    public static func negativeTransfer(singleTask: [Double], multiTask: [Double],
                                        higherIsBetter: [Bool]) throws -> [Int] {
        singleTask.indices.filter { task in
            higherIsBetter[task] ? multiTask[task] < singleTask[task] : multiTask[task] > singleTask[task]
        }
    }
}
