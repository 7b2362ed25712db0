// REFERENCE SOLUTIONS for chapter 12 — students: do the exercises in Exercises/Student/Chapter12.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 12's exercises.
public enum Chapter12Reference: Chapter12Exercises {
    public static func updateAverages(_ averages: [[Float]], updates: [[Float]], beta: Float) throws -> [[Float]] {
        zip(averages, updates).map { row, update in zip(row, update).map { beta * $0 + (1 - beta) * $1 * $1 } }
    }

    public static func dominance(_ averages: [[Float]]) throws -> (dominatedCounts: [Int], meanShares: [Double]) {
        let taskCount = averages.count, scalarCount = averages[0].count
        var counts = Array(repeating: 0, count: taskCount), shares = Array(repeating: 0.0, count: taskCount)
        for i in 0..<scalarCount {
            var best = 0, total = 0.0
            for t in 0..<taskCount {
                total += Double(averages[t][i])
                if averages[t][i] > averages[best][i] { best = t }
            }
            counts[best] += 1
            if total > 0 { for t in 0..<taskCount { shares[t] += Double(averages[t][i]) / total } }
        }
        return (counts, shares.map { $0 / Double(scalarCount) })
    }
}
