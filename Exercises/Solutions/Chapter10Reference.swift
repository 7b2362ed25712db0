// REFERENCE SOLUTIONS for chapter 10 — students: do the exercises in Exercises/Student/Chapter10.swift first.
import Foundation
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 10's exercises.
public enum Chapter10Reference: Chapter10Exercises {
    public static func dwaWeights(history: [[Float]], taskCount: Int, temperature: Float) throws -> [Float] {
        guard history.count >= 2 else { return Array(repeating: 1, count: taskCount) }
        let (before, last) = (history[history.count - 2], history[history.count - 1])
        let scaled = zip(last, before).map { $0 / $1 / temperature }
        let largest = scaled.max()!
        let exponentials = scaled.map { Foundation.exp($0 - largest) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { Float(taskCount) * $0 / sum }
    }

    public static func uncertaintyLoss(losses: Variable, logVariances: Variable) throws -> Variable {
        (losses * (-logVariances).exp() * 0.5 + logVariances * 0.5).sum()
    }

    public static func geometricLoss(losses: Variable) throws -> Variable {
        losses.log().mean().exp()
    }
}
