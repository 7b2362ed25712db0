// REFERENCE SOLUTIONS for chapter 15 — students: do the exercises in Exercises/Student/Chapter15.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 15's exercises.
public enum Chapter15Reference: Chapter15Exercises {
    public static func mixture(expertOutputs: [Variable], gateLogits: Variable) throws -> Variable {
        let weights = gateLogits.softmax(alongAxis: 1)
        var total = expertOutputs[0] * weights.sliced(0..<1, alongAxis: 1)
        for expert in expertOutputs.indices.dropFirst() {
            total = total + expertOutputs[expert] * weights.sliced(expert..<(expert + 1), alongAxis: 1)
        }
        return total
    }

    public static func utilization(gateWeights: [Tensor]) throws -> [[Double]] {
        gateWeights.map { weights in
            let (samples, experts) = (weights.shape[0], weights.shape[1])
            return (0..<experts).map { i in
                (0..<samples).reduce(0.0) { $0 + Double(weights[flat: $1 * experts + i]) } / Double(samples)
            }
        }
    }
}
