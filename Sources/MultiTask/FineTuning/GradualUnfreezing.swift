import TensorCore
import NeuralNetworks
import TaskData

/// Applies a `FreezingSchedule` to a model's blocks during training: before every epoch it freezes
/// the blocks the schedule freezes in that epoch and unfreezes the others (`Parameter.isFrozen`: a
/// frozen parameter gets no gradient and no update, and backward stops below the lowest trainable
/// block). Add it to `Trainer.observers`; the trainer and the layers know nothing of it.
///
/// The frozen set depends only on the epoch, so a resumed run freezes exactly as the uninterrupted
/// one (the observer also applies the schedule when `fit` begins, for the first epoch to run).
///
/// ```swift
/// let blocks = try fineTuningBlocks(of: network)         // trunk stages, then the heads
/// trainer.observers.append(GradualUnfreezing(blocks: blocks,
///                                            schedule: FreezingSchedule(blockCount: blocks.count,
///                                                                       unfreezeInterval: 2)))
/// ```
public final class GradualUnfreezing: TrainingObserver {
    /// Each block's parameters, from the input to the output.
    public let blocks: [[Parameter]]
    /// Which blocks train in which epoch.
    public let schedule: FreezingSchedule
    /// The epoch whose freezing is applied now (nil before the first).
    public private(set) var appliedEpoch: Int?

    /// An observer that freezes `blocks` (input to output) as `schedule` says; the schedule's block
    /// count must be `blocks.count`.
    public init(blocks: [[Parameter]], schedule: FreezingSchedule) {
        checkPrecondition(schedule.blockCount == blocks.count,
                          "GradualUnfreezing: a schedule of \(schedule.blockCount) blocks for \(blocks.count)")
        self.blocks = blocks
        self.schedule = schedule
    }

    /// Freezes and unfreezes the blocks for epoch `epoch` (from 0).
    public func apply(epoch: Int) {
        for (index, block) in blocks.enumerated() {
            let frozen = schedule.isFrozen(block: index, atEpoch: epoch)
            for parameter in block { parameter.isFrozen = frozen }
        }
        appliedEpoch = epoch
    }

    /// Applies the schedule of the first epoch to run (`trainer.completedEpochs`: a resumed run).
    public func trainerWillBegin(_ trainer: Trainer, tasks: [TaskSpec]) throws {
        apply(epoch: trainer.completedEpochs)
    }

    /// Applies the schedule of epoch `epoch`.
    public func trainer(_ trainer: Trainer, willBeginEpoch epoch: Int, stepCount: Int) {
        apply(epoch: epoch)
    }
}
