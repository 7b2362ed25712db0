import Foundation

/// Why training stopped early.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A task's loss became NaN or infinite; nothing was updated with it, and the last checkpoint
    /// (written at the end of the previous epoch) is intact.
    case nonFiniteLoss(task: String, step: Int, value: Float)
    /// A log or diagnostics file could not be written (the reason in plain words: "no space left on
    /// the device"); the file keeps only whole rows.
    case cannotWrite(path: String, reason: String)
    /// A checkpoint to resume from does not belong to this run.
    case incompatibleCheckpoint(String)

    /// The reason in plain words: the task, step and value of a non-finite loss, the file, or the mismatch.
    public var description: String {
        switch self {
        case .nonFiniteLoss(let task, let step, let value):
            return "training stopped: the loss of task \(task) is \(value) at step \(step) "
                + "(the last good checkpoint is kept; try a lower learning rate)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .incompatibleCheckpoint(let reason): return "cannot resume: \(reason)"
        }
    }
}
