// REFERENCE SOLUTIONS for chapter 06 — students: do the exercises in Exercises/Student/Chapter06.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 06's exercises.
public enum Chapter06Reference: Chapter06Exercises {
    public static func deltaM(multiTask: [[Double]], singleTask: [[Double]],
                              higherIsBetter: [[Bool]]) throws -> Double {
        var total = 0.0, tasks = 0
        for task in multiTask.indices {
            var taskTotal = 0.0, metrics = 0
            for metric in multiTask[task].indices where singleTask[task][metric] != 0 {
                let (mtl, stl) = (multiTask[task][metric], singleTask[task][metric])
                taskTotal += (higherIsBetter[task][metric] ? 1 : -1) * (mtl - stl) / stl
                metrics += 1
            }
            if metrics > 0 { total += taskTotal / Double(metrics); tasks += 1 }
        }
        return 100 * total / Double(tasks)
    }

    public static func relatedTaskWeights(u1: [Float], u2: [Float],
                                          correlation: Float) throws -> (w1: [Float], w2: [Float]) {
        let complement = (1 - correlation * correlation).squareRoot()
        return (u1, zip(u1, u2).map { correlation * $0 + complement * $1 })
    }

    public static func verdict(lower: Double, upper: Double) throws -> String {
        lower > 0 ? "better" : upper < 0 ? "worse" : "no detectable difference"
    }
}
