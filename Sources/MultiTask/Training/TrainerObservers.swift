import Foundation
import TensorCore
import TaskData

// The trainer's own observers: what `Trainer.Configuration` asks for (a log, diagnostics, a line
// per epoch, a checkpoint, a progress bar), each built the way a user would build their own.

/// Appends every epoch's training losses and weights, and its validation and test evaluations, to
/// a `TrainingLog` (CSV or JSON lines by the file's extension); a resumed run appends to the log
/// that `Trainer.resume` cut back to the checkpoint's epoch.
public final class LogWriter: TrainingObserver {
    /// The log file (`.csv`, else JSON lines).
    public let url: URL
    var log: TrainingLog?
    var tasks: [TaskSpec] = []

    /// A writer to `url`; the file is opened when the run begins.
    public init(url: URL) { self.url = url }

    /// Opens the log, cutting a resumed run's log back to its checkpoint's epoch, and clears stale temporary files.
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws {
        self.tasks = tasks
        // A resumed run continues after the checkpoint's epoch: rows written after it (by a run
        // killed between the log and the checkpoint) are dropped first, so no epoch appears twice.
        if trainer.completedEpochs > 0 { try TrainingLog.truncate(url, afterEpoch: trainer.completedEpochs) }
        log = try TrainingLog(url: url, tasks: tasks, appending: trainer.completedEpochs > 0)
        removeStaleTemporaryFiles(of: url)
    }

    /// Appends the epoch's rows: training loss and weight per task, then the validation and test evaluations.
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        guard let log else { return }
        let training = tasks.indices.map {
            TaskEvaluation(task: tasks[$0].name, loss: record.trainLosses[$0], metrics: [:],
                           mainMetric: tasks[$0].metrics[0])
        }
        try log.write(epoch: record.epoch, split: "train", evaluations: training, weights: record.weights)
        if let validation = record.validation {
            try log.write(epoch: record.epoch, split: "validation", evaluations: validation)
        }
        if let test = record.test { try log.write(epoch: record.epoch, split: "test", evaluations: test) }
    }
}

/// Appends one JSON line of diagnostics per epoch (`Trainer.Configuration.diagnosticsURL`).
public final class DiagnosticsWriter: TrainingObserver {
    /// The JSON-lines file the diagnostics go to.
    public let url: URL
    var tasks: [TaskSpec] = []

    /// A writer to `url`; the file is created (or, when resuming, cut back) when the run begins.
    public init(url: URL) { self.url = url }

    /// A new run starts an empty file; a resumed one appends.
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws {
        self.tasks = tasks
        removeStaleTemporaryFiles(of: url)
        if trainer.completedEpochs == 0 {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw TrainingError.cannotWrite(path: url.path, reason: "cannot create the file")
            }
        } else {
            try TrainingLog.truncate(url, afterEpoch: trainer.completedEpochs)
        }
    }

    /// One line: `{"epoch": 3, "balancer": "PCGrad", "weights": {"shape": 1.0, …},
    /// "gradientNorms": {"shape": 0.42, …}, "gradientCosines": {"shape|colour": -0.12, …}, "conflicts": 4,
    /// "dominance": [{"layer": "trunk.0.weight", "counts": {"shape": 310, …}, "largestFraction": 0.71}, …]}`
    /// (the statistics and dominance only when they were measured), then the fields of the
    /// `DiagnosticsContributor`s among `trainer.observers` (`"expertUtilization": {…}`).
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\(TrainingLog.jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        func number(_ value: Double) -> String { TrainingLog.jsonNumber(value) }
        var fields: [(String, String)] = [
            ("epoch", String(record.epoch)), ("balancer", TrainingLog.jsonString(trainer.balancer.name)),
            ("weights", object(zip(tasks, record.weights).map { ($0.name, number(Double($1))) }))
        ]
        if let statistics = record.gradientStatistics {
            let names = statistics.tasks.map { tasks[$0].name }
            fields.append(("gradientNorms", object(zip(names, statistics.norms).map { ($0, number($1)) })))
            var cosines: [(String, String)] = []
            for s in names.indices {
                for t in (s + 1)..<names.count {
                    cosines.append(("\(names[s])|\(names[t])", number(statistics.cosines[s][t])))
                }
            }
            fields.append(("gradientCosines", object(cosines)))
            fields.append(("conflicts", String(statistics.conflictCount)))
        }
        if let dominance = record.dominance {
            let layers = dominance.map { layer in
                object([("layer", TrainingLog.jsonString(layer.name)),
                        ("counts", object(zip(tasks, layer.dominatedCounts).map { ($0.name, String($1)) })),
                        ("largestFraction", number(layer.largestFraction))])
            }
            fields.append(("dominance", "[" + layers.joined(separator: ", ") + "]"))
        }
        for contributor in trainer.observers.compactMap({ $0 as? any DiagnosticsContributor }) {
            fields += contributor.diagnosticsFields(trainer, epoch: record).map { ($0.key, $0.json) }
        }
        try TrainingLog.append(Data((object(fields) + "\n").utf8), to: url)
    }
}

/// Prints one line per epoch to standard error: time, training losses, validation main metrics.
public final class EpochPrinter: TrainingObserver {
    var tasks: [TaskSpec] = []

    /// A printer of one line per epoch.
    public init() {}

    /// Remembers the tasks, to name them in each line.
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws { self.tasks = tasks }

    /// Prints "epoch e/E", the seconds, each task's training loss and its validation main metric.
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        var line = String(format: "epoch %d/%d  %.1f s  train loss", record.epoch, trainer.configuration.epochs,
                          record.seconds)
        for (task, loss) in zip(tasks, record.trainLosses) { line += String(format: " %@ %.4f", task.name, loss) }
        if let validation = record.validation {
            line += "  | validation"
            for evaluation in validation {
                line += String(format: " %@ %@ %.4f", evaluation.task, evaluation.mainMetric.rawValue,
                               evaluation.mainValue)
            }
        }
        writeToStandardError(line + "\n")
    }
}

/// Writes the trainer's checkpoint (`Trainer.saveCheckpoint(to:)`, atomic) after every epoch.
public final class CheckpointWriter: TrainingObserver {
    /// Where the checkpoint is written (replaced atomically each time).
    public let url: URL
    /// Write only after an epoch that is the best on validation so far (`Trainer.validationRecord`):
    /// the best epoch's checkpoint, kept beside the last one.
    public let onlyBestEpochs: Bool

    /// A writer to `url`, after every epoch or, with `onlyBestEpochs`, after each new best on validation.
    public init(url: URL, onlyBestEpochs: Bool = false) {
        self.url = url
        self.onlyBestEpochs = onlyBestEpochs
    }

    /// Removes temporary files a crashed write left beside `url`.
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws { removeStaleTemporaryFiles(of: url) }

    /// Writes the checkpoint (when the epoch qualifies); a failed write throws and stops the run.
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        guard !onlyBestEpochs || trainer.validationRecord?.bestEpoch == record.epoch else { return }
        try trainer.saveCheckpoint(to: url)
    }
}

/// The progress bar of each epoch (`ProgressBar`), with the running loss.
public final class ProgressDisplay: TrainingObserver {
    let isEnabled: Bool
    var bar: ProgressBar?

    /// A display drawn when `isEnabled` (by default, when standard error is a terminal).
    public init(isEnabled: Bool = ProgressBar.isTerminal) { self.isEnabled = isEnabled }

    /// Starts a bar for the epoch's `stepCount` steps, titled "epoch e/E".
    public func trainer(_ trainer: Trainer, willBeginEpoch epoch: Int, stepCount: Int) {
        guard isEnabled else { return }
        bar = ProgressBar(total: stepCount, label: "epoch \(epoch + 1)/\(trainer.configuration.epochs)",
                          isEnabled: true)
    }

    /// Advances the bar, showing the step's summed task loss.
    public func trainer(_ trainer: Trainer, didFinishStep index: Int, of stepCount: Int, losses: [Float]) {
        bar?.update(done: index + 1, note: String(format: "loss %.4f", losses.reduce(0, +)))
    }

    /// Finishes the epoch's bar and drops it.
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        bar?.finish()
        bar = nil
    }
}
