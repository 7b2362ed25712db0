import TaskData

/// Watches a training run from outside the training step: the trainer calls each observer before
/// the run, around every epoch and after every step, in a fixed order — its own observers first
/// (progress bar, log, diagnostics, printed line, checkpoint — built from `Trainer.Configuration`),
/// then `Trainer.observers` in the order they were added. An observer reads what it needs — the
/// epoch's record, the model — and may throw to stop the run (the error reaches the caller of
/// `fit`; the epoch's checkpoint is already written, so a resume continues after it).
///
/// Every method has an empty default, so an observer implements only what it watches:
///
/// ```swift
/// var progress: [Double] = []
/// trainer.observers.append(EpochCallback { _, _ in progress.append(network.progress) })
/// ```
public protocol TrainingObserver: AnyObject {
    /// Called once when `fit` starts, before its first epoch (`trainer.completedEpochs` epochs may
    /// already be done: a resumed run).
    func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws
    /// Called before the `stepCount` steps of epoch `epoch` (counted from 0).
    func trainer(_ trainer: Trainer, willBeginEpoch epoch: Int, stepCount: Int)
    /// Called before training step `step` (the trainer's batch counter), after the model heard it
    /// (`MultiTaskNetwork.willTrain(step:)`, where Maximum Roaming roams) and before any update.
    func trainer(_ trainer: Trainer, willTakeStep step: Int)
    /// Called after step `index` (counted from 0) of `stepCount` in the epoch, with its task losses.
    func trainer(_ trainer: Trainer, didFinishStep index: Int, of stepCount: Int, losses: [Float])
    /// Called after epoch `record.epoch` (counted from 1) is complete and evaluated.
    func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws
}

extension TrainingObserver {
    /// Does nothing: an observer that needs no setup before the run leaves it out.
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws {}
    /// Does nothing: an observer that does not watch epoch starts leaves it out.
    public func trainer(_ trainer: Trainer, willBeginEpoch epoch: Int, stepCount: Int) {}
    /// Does nothing: an observer that does not act before steps leaves it out.
    public func trainer(_ trainer: Trainer, willTakeStep step: Int) {}
    /// Does nothing: an observer that does not watch every step's losses leaves it out.
    public func trainer(_ trainer: Trainer, didFinishStep index: Int, of stepCount: Int, losses: [Float]) {}
    /// Does nothing: an observer that does not read the epoch's record leaves it out.
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {}
}

/// A `TrainingObserver` made of a closure.
public final class EpochCallback: TrainingObserver {
    let body: (Trainer, EpochRecord) throws -> Void

    /// An observer that calls `body` with the trainer and the record after every epoch.
    public init(_ body: @escaping (Trainer, EpochRecord) throws -> Void) { self.body = body }

    /// Calls `body` with the trainer and the epoch's record; an error it throws stops the run.
    public func trainer(_ trainer: Trainer, didFinishEpoch record: EpochRecord) throws {
        try body(trainer, record)
    }
}
