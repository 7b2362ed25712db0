import Foundation
import TaskData

/// Drives and records a Learning to Branch search (`searchBranching`): before each epoch it sets the
/// search network's temperature and warm-up from `schedule`; after each it keeps the branching
/// probabilities softmax(θ_j) of every child node and adds them to the epoch's line of
/// `diagnostics.jsonl` as `"phase": "search"` and `"branching": {"temperature": τ or null,
/// "probabilities": [layer][child][parent], "tree": "…"}` (the tree as `BranchingTree.encoded`).
/// A model that is not a `BranchingSearchNetwork` is left alone and records nothing.
public final class BranchingSearchRecorder: DiagnosticsContributor {
    /// The temperature over the search's epochs.
    public let schedule: BranchingTemperatureSchedule
    /// One entry per epoch run: its number (from 1), τ (nil in warm-up) and the probabilities after it.
    public private(set) var history: [(epoch: Int, temperature: Float?, probabilities: [[[Float]]])] = []
    var currentTemperature: Float?

    /// A recorder that follows `schedule`.
    public init(schedule: BranchingTemperatureSchedule) { self.schedule = schedule }

    /// Sets τ and the warm-up for epoch `epoch` (from 0).
    public func trainer(_ trainer: Trainer, willBeginEpoch epoch: Int, stepCount: Int) {
        guard let network = trainer.model as? BranchingSearchNetwork else { return }
        network.summingParents = schedule.isWarmup(epoch: epoch)
        network.temperature = schedule.temperature(epoch: epoch)
        currentTemperature = network.summingParents ? nil : network.temperature
    }

    /// Records the epoch (unless the diagnostics writer already asked for it).
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        _ = measure(trainer, epoch: record)
    }

    func measure(_ trainer: Trainer, epoch record: EpochRecord) -> [[[Float]]]? {
        if let last = history.last, last.epoch == record.epoch { return last.probabilities }
        guard let network = trainer.model as? BranchingSearchNetwork else { return nil }
        let probabilities = network.parentProbabilities
        history.append((record.epoch, currentTemperature, probabilities))
        return probabilities
    }

    /// The fields `phase` and `branching` for the epoch.
    public func diagnosticsFields(_ trainer: Trainer, epoch record: EpochRecord) -> [(key: String, json: String)] {
        guard let probabilities = measure(trainer, epoch: record),
              let network = trainer.model as? BranchingSearchNetwork else { return [] }
        let numbers = "[" + probabilities.map { layer in
            "[" + layer.map { "[" + $0.map { String(format: "%.5f", $0) }.joined(separator: ",") + "]" }
                .joined(separator: ",") + "]"
        }.joined(separator: ",") + "]"
        let temperature = currentTemperature.map { String(format: "%.5g", $0) } ?? "null"
        return [("phase", "\"search\""),
                ("branching", "{\"temperature\":\(temperature),\"probabilities\":\(numbers),"
                    + "\"tree\":\"\(network.tree.encoded)\"}")]
    }
}
