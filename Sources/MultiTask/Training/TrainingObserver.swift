/// Watches a training run from outside the trainer: after every epoch, once the trainer has
/// written its own log, diagnostics and checkpoint, it calls each observer in the order they were
/// added (`Trainer.observers`). An observer reads what it needs — the epoch's record, the model —
/// and may throw to stop the run (the error reaches the caller of `fit`; the epoch's checkpoint is
/// already written, so a resume continues after it).
///
/// ```swift
/// var progress: [Double] = []
/// trainer.observers.append(EpochCallback { _, _ in progress.append(network.progress) })
/// ```
public protocol TrainingObserver: AnyObject {
    /// Called after epoch `record.epoch` (counted from 1) is complete.
    func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws
}

/// A `TrainingObserver` made of a closure.
public final class EpochCallback: TrainingObserver {
    let body: (Trainer, EpochRecord) throws -> Void

    /// An observer that calls `body` with the trainer and the record after every epoch.
    public init(_ body: @escaping (Trainer, EpochRecord) throws -> Void) { self.body = body }

    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        try body(trainer, record)
    }
}
