import NeuralNetworks

/// Which parameters of a pretrained network train on the new task.
public enum FineTuningStrategy: Sendable, Equatable {
    /// Every parameter trains from the first epoch ("full fine-tuning").
    case full
    /// Only the top block (the heads) trains; the trunk stays frozen at its pretrained values — the
    /// pretrained network as a fixed feature extractor ("linear probing" for linear heads).
    case headOnly
    /// Gradual unfreezing (`FreezingSchedule`): the heads first, then one more trunk block, top-down,
    /// every `every` epochs (Howard & Ruder 2018).
    case gradualUnfreezing(every: Int)

    /// The schedule over `blockCount` blocks; nil for `full` (nothing frozen).
    public func schedule(blockCount: Int) -> FreezingSchedule? {
        switch self {
        case .full: nil
        case .headOnly: FreezingSchedule(blockCount: blockCount, unfreezeInterval: nil)
        case .gradualUnfreezing(let every): FreezingSchedule(blockCount: blockCount, unfreezeInterval: every)
        }
    }

    /// `full`, `head-only` or `gradual:K` (the study and settings name).
    public var name: String {
        switch self {
        case .full: "full"
        case .headOnly: "head-only"
        case .gradualUnfreezing(let every): "gradual:\(every)"
        }
    }
}
