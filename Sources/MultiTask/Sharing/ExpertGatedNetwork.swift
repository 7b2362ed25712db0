import TensorCore
import Autodiff

/// One expert of a gated network: its extraction level and whom it belongs to.
public struct ExpertIdentity: Sendable, Hashable {
    /// The extraction level, from 0 (always 0 in MMoE and CGC).
    public var level: Int
    /// The task that owns the expert; nil for a shared expert.
    public var task: Int?
    /// Its index among the experts of the same level and owner.
    public var index: Int

    /// Expert `index` of `task` (nil: shared) in extraction level `level`.
    public init(level: Int, task: Int?, index: Int) {
        self.level = level
        self.task = task
        self.index = index
    }
}

/// One gate of a gated network: which level it sits in, whose it is, and the experts it mixes.
public struct GateDescription: Sendable, Equatable {
    /// The extraction level, from 0.
    public var level: Int
    /// The task whose representation the gate produces; nil for PLE's shared gates.
    public var task: Int?
    /// The experts it weighs, in the order of its weights.
    public var experts: [ExpertIdentity]

    /// The gate of `task` (nil: shared) in level `level`, over `experts` in the order of its weights.
    public init(level: Int, task: Int?, experts: [ExpertIdentity]) {
        self.level = level
        self.task = task
        self.experts = experts
    }
}

/// A network whose tasks share experts through softmax gates (MMoE, CGC, PLE): it describes its
/// gates and computes their weights for an input batch, which is what the expert-utilization
/// diagnostics (`ExpertUtilization`) read.
public protocol ExpertGatedNetwork: MultiTaskNetwork {
    /// Every gate, in the order of `gateWeights(_:)`.
    var gateDescriptions: [GateDescription] { get }
    /// Every gate's weights for `input` `[B, …]`: one `[B, n_g]` per gate (rows sum to 1), n_g the
    /// gate's expert count.
    func gateWeights(_ input: Variable) -> [Variable]
}

extension ExpertIdentity {
    /// A short name, `shared.0` or `<task>.0` (with `level2/` in front when `levels` > 1).
    public func name(taskNames: [String], levels: Int = 1) -> String {
        let owner = task.map { $0 < taskNames.count ? taskNames[$0] : "task\($0)" } ?? "shared"
        return (levels > 1 ? "level\(level + 1)/" : "") + "\(owner).\(index)"
    }
}

extension GateDescription {
    /// A short name: the task's name, or `shared` (with `level2/` in front when `levels` > 1).
    public func name(taskNames: [String], levels: Int = 1) -> String {
        let owner = task.map { $0 < taskNames.count ? taskNames[$0] : "task\($0)" } ?? "shared"
        return (levels > 1 ? "level\(level + 1)/" : "") + owner
    }
}
