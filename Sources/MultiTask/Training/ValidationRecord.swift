import Foundation
import NeuralNetworks

/// What a trainer remembers of its validation results, for early stopping and for keeping the best
/// epoch's weights: each task's scale c_t (from the first epoch validated), the best epoch so far
/// and its score — `ModelSelection`'s joint score, (1/T) Σ_t s_t · v_t / c_t, the higher the
/// better; ties keep the earlier epoch, as model selection does. It is part of the trainer's
/// resumable state: every checkpoint records it, so a resumed run stops and keeps the same epoch as
/// an uninterrupted one.
public struct ValidationRecord: Sendable, Equatable {
    /// c_t, each task's scale.
    public var scales: [Double]
    /// The best epoch so far, counted from 1.
    public var bestEpoch: Int
    /// Its score (−∞ when no epoch had a finite one).
    public var bestScore: Double

    /// The record after the first validated epoch.
    public init(first validation: [TaskEvaluation], epoch: Int) {
        scales = ModelSelection.scales(of: validation)
        bestEpoch = epoch
        bestScore = ModelSelection.score(validation, scales: scales)
    }

    init(scales: [Double], bestEpoch: Int, bestScore: Double) {
        self.scales = scales
        self.bestEpoch = bestEpoch
        self.bestScore = bestScore
    }

    /// Takes epoch `epoch`'s validation results; returns whether it is the new best.
    @discardableResult
    public mutating func update(with validation: [TaskEvaluation], epoch: Int) -> Bool {
        let score = ModelSelection.score(validation, scales: scales)
        guard score > bestScore else { return false }
        bestEpoch = epoch
        bestScore = score
        return true
    }

    /// Epochs since the best one, after `completedEpochs`.
    public func epochsSinceBest(after completedEpochs: Int) -> Int { completedEpochs - bestEpoch }

    // MARK: In a checkpoint

    /// The record as checkpoint metadata.
    var metadata: [String: String] {
        ["trainer.validation.scales": scales.map { String($0) }.joined(separator: " "),
         "trainer.validation.bestEpoch": String(bestEpoch), "trainer.validation.bestScore": String(bestScore)]
    }

    /// The record a checkpoint holds (nil when it holds none: a run without validation, or one
    /// written before the record existed), validated: an untrusted file must not make early
    /// stopping or the best checkpoint misbehave.
    static func stored(in metadata: [String: String], taskCount: Int,
                       completedEpochs: Int) throws -> ValidationRecord? {
        let keys = ["trainer.validation.scales", "trainer.validation.bestEpoch", "trainer.validation.bestScore"]
        let present = keys.filter { metadata[$0] != nil }
        guard !present.isEmpty else { return nil }
        guard present.count == keys.count else {
            throw CheckpointError.invalidValue(name: "trainer.validation",
                                               reason: "records \(present.joined(separator: ", ")) only")
        }
        let scales = metadata[keys[0]]!.split(separator: " ").map { Double($0) }
        guard scales.count == taskCount, scales.allSatisfy({ $0.map { $0.isFinite && $0 > 0 } ?? false }) else {
            throw CheckpointError.invalidValue(name: keys[0], reason: "needs \(taskCount) finite positive scales")
        }
        guard completedEpochs >= 1 else {
            throw CheckpointError.invalidValue(name: keys[1], reason: "a best epoch before any epoch was completed")
        }
        let best = try validatedInteger(metadata[keys[1]], name: keys[1], in: 1...completedEpochs)
        guard let score = Double(metadata[keys[2]]!), score.isFinite || score == -.infinity else {
            throw CheckpointError.invalidValue(name: keys[2], reason: "not a finite number (or -inf)")
        }
        return ValidationRecord(scales: scales.map { $0! }, bestEpoch: best, bestScore: score)
    }
}
