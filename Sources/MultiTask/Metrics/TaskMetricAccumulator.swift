import Foundation
import TensorCore
import TaskData

/// Accumulates one task's predictions over a split, batch by batch, and computes its metrics from
/// the totals — counts summed over the whole split, not averaged per batch (as the Maximum
/// Roaming paper computes precision and recall).
///
/// Outputs are the model's raw outputs (logits for classification kinds), shaped as `TaskSpec`
/// documents; a multi-label logit above 0 is a predicted 1.
public struct TaskMetricAccumulator: Sendable {
    /// The task whose metrics are accumulated (its kind, metrics and custom metrics).
    public let spec: TaskSpec
    // Classification and multi-label: per-output true/false positives and false negatives,
    // correct predictions and the number of predictions.
    var truePositives: [Double], falsePositives: [Double], falseNegatives: [Double]
    var correct = 0.0, predictions = 0.0
    // Segmentation: the confusion matrix, [target][predicted].
    var confusion: [[Double]]
    // Regression: sums of squared and absolute error, relative error and angle error.
    var squaredError = 0.0, absoluteError = 0.0, relativeError = 0.0, relativeCount = 0.0
    var angleError = 0.0, angleCount = 0.0, valueCount = 0.0
    // The spec's custom metrics: Σ sums and Σ counts of the batches so far.
    var customSums: [Double], customCounts: [Double]

    /// An accumulator for `spec` with every total at zero.
    public init(spec: TaskSpec) {
        self.spec = spec
        let outputs = spec.outputCount
        truePositives = Array(repeating: 0, count: outputs)
        falsePositives = truePositives
        falseNegatives = truePositives
        customSums = Array(repeating: 0, count: spec.customMetrics.count)
        customCounts = customSums
        if case .denseSegmentation(let classes) = spec.kind {
            confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        } else {
            confusion = []
        }
    }

    /// Adds a batch: `output` as the model produced it, `target` as the dataset stores it.
    public mutating func add(output: Tensor, target: Tensor) {
        let outputs = output.scalars, targets = target.scalars
        switch spec.kind {
        case .classification(let classes):
            checkPrecondition(output.shape == [target.count, classes],
                              "metrics(\(spec.name)): output \(output.shape) for targets \(target.shape)")
            for row in 0..<target.count {
                let predicted = (0..<classes).max { outputs[row * classes + $0] < outputs[row * classes + $1] }!
                let truth = Int(targets[row])
                correct += predicted == truth ? 1 : 0
                predictions += 1
                if predicted == truth {
                    truePositives[truth] += 1
                } else {
                    falsePositives[predicted] += 1; falseNegatives[truth] += 1
                }
            }
        case .multiLabel(let labels):
            checkPrecondition(output.shape == target.shape && output.shape.last == labels,
                              "metrics(\(spec.name)): output \(output.shape), targets \(target.shape)")
            for (index, (logit, truth)) in zip(outputs, targets).enumerated() {
                let label = index % labels
                let predicted = logit > 0, actual = truth > 0.5
                correct += predicted == actual ? 1 : 0
                predictions += 1
                if predicted && actual { truePositives[label] += 1 }
                if predicted && !actual { falsePositives[label] += 1 }
                if !predicted && actual { falseNegatives[label] += 1 }
            }
        case .regression, .denseRegression:
            checkPrecondition(output.shape == target.shape,
                              "metrics(\(spec.name)): output \(output.shape), targets \(target.shape)")
            for (prediction, truth) in zip(outputs, targets) {
                let difference = Double(prediction - truth)
                squaredError += difference * difference
                absoluteError += abs(difference)
                if truth != 0 { relativeError += abs(difference) / abs(Double(truth)); relativeCount += 1 }
                valueCount += 1
            }
            if case .denseRegression(3) = spec.kind { addAngles(output, target) }
        case .denseSegmentation(let classes):
            checkPrecondition(output.rank == 4 && output.shape[1] == classes
                              && [output.shape[0]] + output.shape[2...] == target.shape,
                              "metrics(\(spec.name)): output \(output.shape), targets \(target.shape)")
            let plane = output.shape[2] * output.shape[3]
            for n in 0..<output.shape[0] {
                for pixel in 0..<plane {
                    var predicted = 0
                    for c in 1..<classes where outputs[(n * classes + c) * plane + pixel]
                        > outputs[(n * classes + predicted) * plane + pixel] {
                        predicted = c
                    }
                    let truth = Int(targets[n * plane + pixel])
                    guard truth >= 0 && truth < classes else { continue }   // unlabelled pixels
                    confusion[truth][predicted] += 1
                    correct += truth == predicted ? 1 : 0
                    predictions += 1
                }
            }
        }
        for (index, metric) in spec.customMetrics.enumerated() {
            let (sum, count) = metric.measure(output, target)
            customSums[index] += sum
            customCounts[index] += count
        }
    }

    /// Angles between predicted and target normals `[N, 3, H, W]` (the prediction normalized).
    mutating func addAngles(_ output: Tensor, _ target: Tensor) {
        guard output.rank == 4 else { return }
        let plane = output.shape[2] * output.shape[3]
        for n in 0..<output.shape[0] {
            for pixel in 0..<plane {
                var dot = 0.0, predictedNorm = 0.0, targetNorm = 0.0
                for axis in 0..<3 {
                    let p = Double(output.scalars[(n * 3 + axis) * plane + pixel]),
                        t = Double(target.scalars[(n * 3 + axis) * plane + pixel])
                    dot += p * t; predictedNorm += p * p; targetNorm += t * t
                }
                guard targetNorm > 0 else { continue }
                let cosine = dot / max(1e-12, (predictedNorm * targetNorm).squareRoot())
                angleError += acos(min(1, max(-1, cosine))) * 180 / .pi
                angleCount += 1
            }
        }
    }

    /// Precision, recall and F = 2PR/(P+R+1e-7) of each output (attribute or class).
    public var perOutputScores: [(precision: Double, recall: Double, fScore: Double)] {
        truePositives.indices.map { i in
            let precision = truePositives[i] / max(1, truePositives[i] + falsePositives[i])
            let recall = truePositives[i] / max(1, truePositives[i] + falseNegatives[i])
            return (precision, recall, 2 * precision * recall / (precision + recall + 1e-7))
        }
    }

    /// The value of `metric` over everything added so far (NaN when it does not apply to the kind).
    public func value(of metric: MetricKind) -> Double {
        let scores = perOutputScores
        func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        switch metric {
        case .accuracy, .pixelAccuracy: return predictions > 0 ? correct / predictions : .nan
        case .precision: return mean(scores.map(\.precision))
        case .recall: return mean(scores.map(\.recall))
        case .fScore: return mean(scores.map(\.fScore))
        case .meanSquaredError: return valueCount > 0 ? squaredError / valueCount : .nan
        case .absoluteError: return valueCount > 0 ? absoluteError / valueCount : .nan
        case .relativeError: return relativeCount > 0 ? relativeError / relativeCount : .nan
        case .meanAngleError: return angleCount > 0 ? angleError / angleCount : .nan
        case .meanIntersectionOverUnion:
            // Mean over the classes present (in targets or predictions) of TP / (TP + FP + FN).
            let ious = confusion.indices.compactMap { c -> Double? in
                let truePositive = confusion[c][c]
                let union = confusion[c].reduce(0, +) + confusion.map { $0[c] }.reduce(0, +) - truePositive
                return union > 0 ? truePositive / union : nil
            }
            return mean(ious)
        }
    }

    /// Every metric of the task's spec, in order.
    public var values: [MetricKind: Double] {
        Dictionary(uniqueKeysWithValues: spec.metrics.map { ($0, value(of: $0)) })
    }

    /// Every custom metric of the task's spec by name: Σ sums / Σ counts (NaN before any count).
    public var customValues: [String: Double] {
        Dictionary(spec.customMetrics.indices.map { index in
            (spec.customMetrics[index].name, customCounts[index] > 0 ? customSums[index] / customCounts[index] : .nan)
        }, uniquingKeysWith: { first, _ in first })
    }
}
