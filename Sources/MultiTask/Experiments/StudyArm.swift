import Foundation
import TensorCore

/// One arm of a study: an architecture, how its losses are balanced, and its training settings.
public struct StudyArm: Sendable {
    /// The arm's name in tables and files (no commas).
    public var name: String
    /// The architecture built for each run (`makeNetwork`).
    public var architecture: Architecture
    /// How the task losses are balanced.
    public var balancing: BalancingMethod
    /// The architecture's options (`seed` is replaced by each run's seed).
    public var options: ArchitectureOptions
    /// η, the optimizer's learning rate.
    public var learningRate: Float
    /// B, the samples per training batch.
    public var batchSize: Int
    /// The training mode; nil: the architecture's default (`defaultTrainingMode(for:)`).
    public var mode: TrainingMode?
    /// Added to the run's seed for the model's initialization and batch order, while the data keep
    /// the seed: a non-zero offset turns a copy of the baseline into the **noise floor** control.
    public var initializationOffset: UInt64
    /// How the epoch is selected; nil: per task for single-task networks, jointly otherwise, with
    /// the study's patience.
    public var selection: ModelSelection?
    /// Maximum Roaming with Adam: zero the moments of the units each roaming update activates
    /// (`RoamingMomentReset`) — a swap-cost ablation.
    public var resetsMomentsOnSwap = false
    /// Maximum Roaming: before training, zero the head weights that read a trunk-output channel the
    /// task has never used (`MaximumRoamingNetwork.zeroHeadWeightsOfUnvisitedChannels`), so that each
    /// channel roaming hands a task enters its head from zero — a swap-cost ablation.
    public var zeroesUnvisitedHeadWeights = false
    /// Start from pretrained weights and fine-tune as the plan says (`FineTuningPlan`; its
    /// checkpoint path may hold `{seed}`); nil: train from scratch.
    public var fineTuning: FineTuningPlan?
    /// Train one network of `architecture` per group of tasks (`GroupedNetworks`); nil: one network
    /// for all tasks. The groups must partition the tasks. Each task then selects its own epoch, as
    /// single-task networks do (the groups train independently).
    public var taskGroups: [[Int]]?
    /// λ of a depth → normals consistency term (`CrossTaskConsistency.depthToNormals`) added to the
    /// task losses; 0: none. Needs tasks named "depth" and "normals" (the `scenes` data).
    public var consistencyWeight: Float = 0

    /// An arm called `name` (non-empty, no commas or newlines); the defaults are equal weighting, Adam's
    /// η = 1e-3 and batches of 64.
    public init(name: String, architecture: Architecture, balancing: BalancingMethod = .equal,
                options: ArchitectureOptions = ArchitectureOptions(), learningRate: Float = 1e-3, batchSize: Int = 64,
                mode: TrainingMode? = nil, initializationOffset: UInt64 = 0, selection: ModelSelection? = nil) {
        checkPrecondition(!name.isEmpty && !name.contains(",") && !name.contains("\n"),
                          "StudyArm: name '\(name)' must be non-empty, without commas")
        self.name = name
        self.architecture = architecture
        self.balancing = balancing
        self.options = options
        self.learningRate = learningRate
        self.batchSize = batchSize
        self.mode = mode
        self.initializationOffset = initializationOffset
        self.selection = selection
    }
}

extension StudyArm {
    /// The arms of a balancer comparison: single-task networks, then one multi-head network per
    /// method, all of `options.width`, named as `mtl study --arms` names them (`stl@W`,
    /// `multi-head:METHOD@W`) so that the rows of a committed study match.
    public static func singleTaskAndMultiHead(balancedBy methods: [BalancingMethod], options: ArchitectureOptions,
                                              learningRate: Float = 1e-3, batchSize: Int = 64) -> [StudyArm] {
        let width = options.width
        return [StudyArm(name: "stl@\(width)", architecture: .singleTask, options: options,
                         learningRate: learningRate, batchSize: batchSize)]
            + methods.map { StudyArm(name: "multi-head:\($0.rawValue)@\(width)", architecture: .multiHead,
                                     balancing: $0, options: options, learningRate: learningRate,
                                     batchSize: batchSize) }
    }
}
