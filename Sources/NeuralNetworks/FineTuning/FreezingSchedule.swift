import TensorCore

/// Which blocks of a network train in each epoch of fine-tuning, counted from the top.
///
/// Blocks are numbered from the input (0) to the output (L − 1; the top block is usually the new
/// head). **Gradual unfreezing** (Howard & Ruder, ACL 2018, §3.3) trains only the top block in the
/// first epoch(s) and unfreezes one more block, top-down, every `unfreezeInterval` epochs:
///
///     trainable blocks in epoch e (from 0) = the top min(L, 1 + ⌊e / k⌋)
///
/// so with k = 1 and L = 4 the epochs train blocks {3}, {2, 3}, {1, 2, 3}, then all. ULMFiT unfreezes
/// one layer per epoch (k = 1). With `unfreezeInterval` nil the schedule never unfreezes: only the
/// top block ever trains (a frozen trunk, "head-only" fine-tuning).
///
/// The schedule only answers which blocks train; `GradualUnfreezing` (MultiTask) applies it to a
/// model's blocks at the start of every epoch.
public struct FreezingSchedule: Equatable, Sendable {
    /// L, the number of blocks.
    public var blockCount: Int
    /// k, epochs between two unfreezings; nil: never unfreeze (only the top block trains).
    public var unfreezeInterval: Int?

    /// A schedule over `blockCount` blocks that unfreezes one more every `unfreezeInterval` epochs.
    public init(blockCount: Int, unfreezeInterval: Int?) {
        checkPrecondition(blockCount >= 1, "FreezingSchedule: blockCount \(blockCount) must be at least 1")
        checkPrecondition((unfreezeInterval ?? 1) >= 1,
                          "FreezingSchedule: unfreezeInterval \(unfreezeInterval!) must be at least 1")
        self.blockCount = blockCount
        self.unfreezeInterval = unfreezeInterval
    }

    /// How many blocks, counted from the top, train in epoch `epoch` (from 0).
    public func trainableBlockCount(atEpoch epoch: Int) -> Int {
        guard let interval = unfreezeInterval else { return 1 }
        return Swift.min(blockCount, 1 + Swift.max(0, epoch) / interval)
    }

    /// Whether block `block` (0: the input's) is frozen in epoch `epoch`.
    public func isFrozen(block: Int, atEpoch epoch: Int) -> Bool {
        block < blockCount - trainableBlockCount(atEpoch: epoch)
    }

    /// The epoch (from 0) in which `block` trains for the first time; nil when it never does.
    public func firstTrainingEpoch(of block: Int) -> Int? {
        let fromTop = blockCount - 1 - block
        if fromTop == 0 { return 0 }
        return unfreezeInterval.map { fromTop * $0 }
    }
}
