import Foundation
import TensorCore
import NeuralNetworks

/// How a run starts from a pretrained network: whose weights, mapped how, which parts train
/// (`FineTuningStrategy`) and at which rates (discriminative rates, η_l = η·ξ^(L−l)).
///
/// The lecture's fine-tuning, φ ← θ − α ∇_θ L(θ, D^tr) started from the pretrained θ, with its
/// common practices: a smaller learning rate (the run's), smaller rates for earlier layers
/// (`discriminativeDecay`), frozen early layers unfrozen gradually (`strategy`), a new last layer
/// (the target task's heads start fresh: map only the trunk, `trunk.=trunk.`).
///
/// `prepare` applies it to a freshly built network: the trainer, the balancer and the layers stay
/// unaware of it (the freezing is a `GradualUnfreezing` observer, the rates are optimizer groups).
public struct FineTuningPlan: Sendable, Equatable {
    /// The pretrained `Trainer` checkpoint; `{seed}` in it is replaced by the run's seed (a study
    /// pairs each seed's fine-tuning with that seed's pretraining).
    public var checkpointPath: String
    /// Which stored tensors load into which of the model's (`WeightNameMap`).
    public var map: WeightNameMap
    /// Whether every model tensor must be loaded and every stored one used.
    public var strict: Bool
    /// Which parts train when.
    public var strategy: FineTuningStrategy
    /// ξ for discriminative learning rates; nil: one rate for all.
    public var discriminativeDecay: Float?

    /// A plan; see the properties.
    public init(checkpointPath: String, map: WeightNameMap = .identity, strict: Bool = false,
                strategy: FineTuningStrategy = .full, discriminativeDecay: Float? = nil) {
        self.checkpointPath = checkpointPath
        self.map = map
        self.strict = strict
        self.strategy = strategy
        self.discriminativeDecay = discriminativeDecay
    }

    /// The checkpoint of the run with seed `seed`.
    public func checkpointURL(seed: UInt64) -> URL {
        URL(fileURLWithPath: checkpointPath.replacingOccurrences(of: "{seed}", with: String(seed)))
    }

    /// Whether the plan needs the network's blocks (freezing or discriminative rates).
    public var needsBlocks: Bool { strategy != .full || discriminativeDecay != nil }

    /// A one-line description for settings files: `from P map M strict S strategy X decay ξ`.
    public var settingsDescription: String {
        "from \(checkpointPath) map \(map) strict \(strict) strategy \(strategy.name) decay "
            + (discriminativeDecay.map { String($0) } ?? "none")
    }

    /// Loads the pretrained weights into `model` (checks everything first; on a thrown error the
    /// model is unchanged), then builds the optimizer — Adam at `learningRate`, with one group per
    /// block and η_l = η·ξ^(L−l) when `discriminativeDecay` is set — and the observers that freeze
    /// (`GradualUnfreezing`), applied from the first epoch. The balancer is the method's own;
    /// methods with their own optimizer (AdaTask) or groups (`ew-shared-lr`) are refused, and so are
    /// those that need the trunk's per-task gradients (MGDA, PCGrad, Nash-MTL, GradNorm) when the
    /// strategy freezes it.
    public func prepare(_ model: MultiTaskNetwork, balancing: BalancingMethod, learningRate: Float, seed: UInt64)
        throws -> (balancer: LossBalancer, optimizer: Optimizer, observers: [any TrainingObserver],
                   report: WeightLoadReport) {
        if let decay = discriminativeDecay, !(decay > 0 && decay <= 1) {
            throw FineTuningError.invalidSetting("the discriminative decay ξ = \(decay) must lie in (0, 1]")
        }
        if case .gradualUnfreezing(let every) = strategy, every < 1 {
            throw FineTuningError.invalidSetting("gradual unfreezing every \(every) epochs: the interval must be at "
                                                 + "least 1")
        }
        guard balancing != .adaTask && balancing != .equalWithScaledSharedRate else {
            throw FineTuningError.invalidSetting("fine-tuning builds its own Adam groups: the balancer "
                                                 + "\(balancing.rawValue) brings its own optimizer")
        }
        if strategy != .full && (balancing.needsTaskGradients || balancing == .gradNorm) {
            throw FineTuningError.invalidSetting("the balancer \(balancing.rawValue) works on the trunk's per-task "
                                                 + "gradients, which a frozen trunk does not have: fine-tune the "
                                                 + "whole network, or balance by the losses (ew, dwa, uncertainty, "
                                                 + "rlw, gls, unitary, mgda-ub)")
        }
        let blocks = needsBlocks ? try fineTuningBlocks(of: model) : []
        let url = checkpointURL(seed: seed)
        let report: WeightLoadReport
        do {
            report = try model.loadWeights(from: try Checkpoint(contentsOf: url), renaming: map, strict: strict)
        } catch let error as WeightLoadingError {
            throw FineTuningError.unusableWeights(path: url.path, reason: error.description)
        } catch let error as CheckpointError {
            throw FineTuningError.unusableWeights(path: url.path, reason: error.description)
        }
        guard !report.loaded.isEmpty else {
            throw FineTuningError.unusableWeights(path: url.path, reason: "no stored tensor maps onto the model "
                                                  + "(\(report))")
        }
        let balancer = balancing.make(for: model, learningRate: learningRate, seed: seed).balancer
        let groups = discriminativeDecay.map {
            discriminativeParameterGroups(blocks: blocks, learningRate: learningRate, decay: $0)
        } ?? [ParameterGroup(parameters: model.parameters(), learningRate: learningRate)]
        var observers: [any TrainingObserver] = []
        if let schedule = strategy.schedule(blockCount: blocks.count) {
            let unfreezing = GradualUnfreezing(blocks: blocks, schedule: schedule)
            unfreezing.apply(epoch: 0)
            observers.append(unfreezing)
        }
        return (balancer, Adam(groups: groups), observers, report)
    }
}
