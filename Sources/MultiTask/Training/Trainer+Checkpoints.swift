import Foundation
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// Checkpoints of a training run: what `Trainer` writes after every epoch and how a run resumes
/// from one, bit for bit.
extension Trainer {
    /// Writes the model, the optimizer, the balancer's state and the trainer's position atomically.
    public func saveCheckpoint(to url: URL) throws {
        var checkpoint = model.checkpoint(optimizer: optimizer, metadata: [
            "trainer.completedEpochs": String(completedEpochs), "trainer.step": String(step),
        ].merging(settingsMetadata) { own, _ in own }.merging(validationRecord?.metadata ?? [:]) { own, _ in own }
            .merging(configuration.metadata) { trainer, _ in trainer })
        for (key, value) in balancer.state { checkpoint.tensors["trainer.balancer.\(key)"] = value }
        try checkpoint.write(to: url)
    }

    /// Restores a checkpoint written by `saveCheckpoint` (model, optimizer, balancer, epoch and
    /// step); the next `fit` continues where that run stopped.
    ///
    /// The file is untrusted: the trainer's counters must be whole numbers in range, the seed, the
    /// balancer, the mode and the batch size must be this trainer's (listed together when several
    /// differ), and the model, optimizer and balancer state are validated before any is applied
    /// (see `Module.load(_:optimizer:)` and `LossBalancer.restoreState(_:)`); when the file is
    /// refused, the trainer is left as it was. Then the log files, when configured, are cut back to
    /// the checkpoint's epoch (`TrainingLog.truncate`): the checkpoint is the commit point of an
    /// epoch. (If cutting a log fails — a full disk — the state is restored and the error thrown.)
    public func resume(from url: URL) throws {
        let checkpoint = try Checkpoint(contentsOf: url)
        guard checkpoint.metadata["trainer.completedEpochs"] != nil else {
            throw TrainingError.incompatibleCheckpoint(
                "\(url.path) was not written by a Trainer (no trainer.completedEpochs)")
        }
        try resume(from: checkpoint)
    }

    /// Restores a checkpoint already read (see `resume(from:)` for a file; the same checks apply).
    public func resume(from checkpoint: Checkpoint) throws {
        var checkpoint = checkpoint
        guard checkpoint.metadata["trainer.completedEpochs"] != nil else {
            throw TrainingError.incompatibleCheckpoint(
                "the checkpoint was not written by a Trainer (no trainer.completedEpochs)")
        }
        let epochs = try validatedInteger(checkpoint.metadata["trainer.completedEpochs"],
                                          name: "trainer.completedEpochs",
                                          in: 0...largestStoredCounter)
        let step = try validatedInteger(checkpoint.metadata["trainer.step"], name: "trainer.step",
                                        in: 0...Int(Int32.max))
        let differences = settingsMetadata.sorted { $0.key < $1.key }.compactMap { key, value -> String? in
            guard let stored = checkpoint.metadata[key], stored != value else { return nil }
            return "\(key.dropFirst("trainer.".count)) \(excerpt(stored)) in the checkpoint, \(value) now"
        }
        // Every checkpoint records the seed, balancer and mode; those that record the batch size
        // record the group size too. A missing one is a damaged or edited file.
        var required = ["trainer.seed", "trainer.balancer", "trainer.mode"]
        if checkpoint.metadata["trainer.batchSize"] != nil || checkpoint.metadata["trainer.taskGroupSize"] != nil {
            required += ["trainer.batchSize", "trainer.taskGroupSize"]
        }
        if let missing = required.first(where: { checkpoint.metadata[$0] == nil }) {
            throw TrainingError.incompatibleCheckpoint(
                "the checkpoint records no \(missing.dropFirst("trainer.".count))")
        }
        guard differences.isEmpty else {
            throw TrainingError.incompatibleCheckpoint(
                "the run's settings changed: " + differences.joined(separator: "; "))
        }
        let record = try ValidationRecord.stored(in: checkpoint.metadata, taskCount: model.taskCount,
                                                 completedEpochs: epochs)
        var balancerState: [String: Tensor] = [:]
        for (key, value) in checkpoint.tensors where key.hasPrefix("trainer.balancer.") {
            balancerState[String(key.dropFirst("trainer.balancer.".count))] = value
            checkpoint.tensors[key] = nil
        }
        let previousBalancerState = balancer.state
        try balancer.restoreState(balancerState)
        do {
            try model.load(checkpoint, optimizer: optimizer)
        } catch {
            try? balancer.restoreState(previousBalancerState)
            throw error
        }
        completedEpochs = epochs
        self.step = step
        validationRecord = record
        if let logURL = configuration.logURL { try TrainingLog.truncate(logURL, afterEpoch: epochs) }
        if let diagnosticsURL = configuration.diagnosticsURL {
            try TrainingLog.truncate(diagnosticsURL, afterEpoch: epochs)
        }
    }

    /// The settings a resumed run must share with the run that wrote the checkpoint (every one of
    /// them changes the result; `epochs` may change, to train longer).
    var settingsMetadata: [String: String] {
        ["trainer.seed": String(configuration.seed), "trainer.balancer": balancer.name,
         "trainer.mode": configuration.mode.rawValue, "trainer.batchSize": String(configuration.batchSize),
         "trainer.taskGroupSize": String(configuration.taskGroupSize)]
    }
}
