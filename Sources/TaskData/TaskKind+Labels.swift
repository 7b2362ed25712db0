import TensorCore

/// A label that does not fit its task's kind: the sample it belongs to (0-based), its value and
/// what the kind expects there.
public struct LabelMisfit: Sendable, Equatable, CustomStringConvertible {
    /// The sample's index, counted from 0 (a CSV file's data row `sample + 1`).
    public var sample: Int
    /// The label found.
    public var value: Float
    /// What the kind needs instead, in words ("a class index in 0..<3").
    public var expected: String

    /// The label `value` of `sample`, which should have been `expected`.
    public init(sample: Int, value: Float, expected: String) {
        self.sample = sample
        self.value = value
        self.expected = expected
    }

    /// "label 7.0 of sample 3 is not a class index in 0..<3".
    public var description: String { "label \(value) of sample \(sample) is not \(expected)" }
}

extension TaskKind {
    /// The most classes an inferred classification task has (`inferred(fromLabels:)`): whole numbers
    /// spread wider than 0..<32 are more likely a count or a measurement than a class.
    public static let largestInferredClassCount = 32

    /// The kind a user's labels suggest when the user names none. The rule, in order:
    ///
    /// - **One value per sample** (`[N]` or `[N, 1]`): whole numbers in 0..<K, K = largest + 1 ≤ 32,
    ///   with at least two distinct values → `classification(classCount: K)`; anything else →
    ///   `regression(outputCount: 1)`.
    /// - **L ≥ 2 values per sample** (`[N, L]`): every value 0 or 1 → `multiLabel(labelCount: L)`;
    ///   anything else → `regression(outputCount: L)`.
    ///
    /// A guess, not a proof: a column of room counts 1…8 reads as 9 classes. Name the kind when it
    /// matters (`mtl train --tasks rooms:regression`); `mtl train` prints the kinds it inferred.
    public static func inferred(fromLabels labels: Tensor) -> TaskKind {
        let perSample = labels.rank >= 2 ? labels.count / Swift.max(1, labels.shape[0]) : 1
        let values = labels.scalars
        if perSample >= 2 {
            let binary = values.allSatisfy { $0 == 0 || $0 == 1 }
            return binary ? .multiLabel(labelCount: perSample) : .regression(outputCount: perSample)
        }
        let wholeInRange = values.allSatisfy {
            $0 >= 0 && $0 < Float(largestInferredClassCount) && $0.rounded() == $0
        }
        guard wholeInRange, let largest = values.max(), values.contains(where: { $0 != largest }) else {
            return .regression(outputCount: 1)
        }
        return .classification(classCount: Int(largest) + 1)
    }

    /// The first label in `labels` (sample on the first axis, in the target layout of `TaskSpec`)
    /// whose value does not fit this kind, or nil when all do: a class index must be a whole number
    /// in 0..<K, a multi-label value 0 or 1, a regression value finite.
    public func firstMisfit(in labels: Tensor) -> LabelMisfit? {
        let perSample = Swift.max(1, labels.count / Swift.max(1, labels.shape.first ?? 1))
        let expected: String
        let fits: (Float) -> Bool
        switch self {
        case .classification(let classCount), .denseSegmentation(let classCount):
            expected = "a class index in 0..<\(classCount)"
            fits = { $0 >= 0 && $0 < Float(classCount) && $0.rounded() == $0 }
        case .multiLabel:
            expected = "0 or 1"
            fits = { $0 == 0 || $0 == 1 }
        case .regression, .denseRegression:
            expected = "a finite number"
            fits = { $0.isFinite }
        }
        guard let index = labels.scalars.firstIndex(where: { !fits($0) }) else { return nil }
        return LabelMisfit(sample: index / perSample, value: labels.scalars[index], expected: expected)
    }
}
