// REFERENCE SOLUTIONS for chapter 08 — students: do the exercises in Exercises/Student/Chapter08.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 08's exercises.
public enum Chapter08Reference: Chapter08Exercises {
    public static func couplingPenalty(columns: [[Tensor]], strength: Float) throws -> Float {
        var total: Float = 0
        for t in columns.indices {
            for other in columns.indices where other > t {
                for (a, b) in zip(columns[t], columns[other]) {
                    total += zip(a.scalars, b.scalars).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                }
            }
        }
        return strength * total
    }

    public static func couplingGradient(columns: [[Tensor]], strength: Float, task: Int) throws -> [Tensor] {
        columns[task].indices.map { k in
            var gradient = Tensor.zeros(columns[task][k].shape)
            for other in columns.indices where other != task {
                gradient = gradient + (columns[task][k] - columns[other][k]) * (2 * strength)
            }
            return gradient
        }
    }

    public static func crossStitch(activations: [Tensor], alpha: [[Float]]) throws -> [Tensor] {
        alpha.map { row in
            var mixed = Tensor.zeros(activations[0].shape)
            for (weight, activation) in zip(row, activations) { mixed = mixed + activation * weight }
            return mixed
        }
    }
}
