import Foundation
import MultiTaskKit

/// The fine-tuning flags of `mtl train`: start from another run's weights and choose what trains.
let fineTuningFlags: [Flag] = [
    Flag(name: "init-from", kind: .text(default: nil, placeholder: "CHECKPOINT"),
         help: "start from the weights of this checkpoint (another run's model.mtlckpt or best.mtlckpt), loaded by "
            + "name; the model's tensors it lacks keep their fresh initialization (read again on --resume)"),
    Flag(name: "init-map", kind: .text(default: nil, placeholder: "OLD=NEW,…"),
         help: "with --init-from: load only the stored tensors whose names start with an OLD prefix, renamed to NEW "
            + "(trunk.=trunk. takes a multi-head run's trunk and leaves the heads new)"),
    Flag(name: "init-strict", kind: .toggle,
         help: "with --init-from: every tensor of the model must be loaded and every stored one used"),
    Flag(name: "freeze-trunk", kind: .toggle,
         help: "with --init-from: train only the heads (multi-head)"),
    Flag(name: "unfreeze-every", kind: .integer(default: nil, range: 1...10_000),
         help: "with --init-from: gradual unfreezing, the heads first, then one more trunk stage top-down every N "
            + "epochs (multi-head)"),
    Flag(name: "discriminative-decay", kind: .number(default: nil, range: 0.001...1),
         help: "with --init-from: discriminative learning rates, the heads at --learning-rate and each trunk stage "
            + "below at X times the rate above, X = ξ (ULMFiT uses 1/2.6 ≈ 0.385; multi-head)"),
]

/// The fine-tuning plan `mtl train`'s flags ask for, nil without `--init-from`; refuses flags
/// without it, `--freeze-trunk` with `--unfreeze-every`, and block-wise options for an architecture
/// that is not multi-head.
func fineTuningPlan(flags: Arguments, architecture: Architecture) throws -> FineTuningPlan? {
    let dependent = ["init-map", "unfreeze-every", "discriminative-decay"].filter { flags.has($0) }
        + ["init-strict", "freeze-trunk"].filter { flags.isSet($0) }
    guard let path = flags.string("init-from") else {
        if let first = dependent.first {
            throw UsageError(description: "--\(first) needs --init-from CHECKPOINT (the weights to start from)")
        }
        return nil
    }
    if flags.isSet("freeze-trunk") && flags.has("unfreeze-every") {
        throw UsageError(description: "--freeze-trunk and --unfreeze-every exclude each other (the trunk stays "
                         + "frozen, or thaws gradually)")
    }
    let map: WeightNameMap
    do { map = try flags.string("init-map").map { try WeightNameMap(parsing: $0) } ?? .identity } catch {
        throw UsageError(description: "--init-map must be OLD=NEW[,OLD=NEW…] with distinct OLD prefixes, got "
                         + "'\(excerpt(flags.string("init-map")!))': \(error)")
    }
    let strategy: FineTuningStrategy = flags.isSet("freeze-trunk") ? .headOnly
        : flags.integer("unfreeze-every").map { .gradualUnfreezing(every: $0) } ?? .full
    let plan = FineTuningPlan(checkpointPath: path, map: map, strict: flags.isSet("init-strict"), strategy: strategy,
                              discriminativeDecay: flags.number("discriminative-decay").map(Float.init))
    if plan.needsBlocks && architecture != .multiHead {
        let option = flags.isSet("freeze-trunk") ? "--freeze-trunk"
            : flags.has("unfreeze-every") ? "--unfreeze-every" : "--discriminative-decay"
        throw UsageError(description: "\(option) needs --architecture multi-head (a trunk of stages and task heads), "
                         + "not \(architecture.rawValue)")
    }
    return plan
}

/// Applies `plan` to a network built as the run's (not trained), so that a checkpoint that cannot
/// be used is refused before the output directory is touched; returns what loading it did.
func checkFineTuningPlan(_ plan: FineTuningPlan, settings: RunSettings, data: DatasetSplits<MultiTaskDataset>,
                         balancing: BalancingMethod) throws -> WeightLoadReport {
    let probe = makeNetwork(settings.architecture, tasks: data.train.tasks, inputShape: data.train.inputShape,
                            options: settings.options)
    do {
        return try plan.prepare(probe, balancing: balancing, learningRate: 1e-3, seed: settings.options.seed).report
    } catch let error as FineTuningError {
        throw UsageError(description: "--init-from: \(error.description)")
    }
}

/// `--resume` of a fine-tuning run must keep its plan: the checkpoint's `run.fine-tuning` (or
/// "none") must equal the plan's now.
func checkUnchangedFineTuning(_ checkpointURL: URL, now: String) throws {
    let stored = try Checkpoint(contentsOf: checkpointURL).metadata["run.fine-tuning"] ?? "none"
    guard stored == now else {
        throw UsageError(description: "--resume: the run was started with fine-tuning \(excerpt(stored, limit: 200)), "
                         + "now \(excerpt(now, limit: 200)) (the --init-… and freezing flags may not change on "
                         + "resume)")
    }
}

/// A study arm's fine-tuning option: `+full`, `+head-only`, `+gradual=K` (unfreeze one more trunk
/// stage every K epochs) or `+decay=ξ` (discriminative rates; with none of the others, full
/// fine-tuning). Sets a plan whose checkpoint path the study's `--init-from` fills in
/// (`withInitialWeights(from:)`); false when `option` is none of these.
func fineTuningArmOption(_ option: String, of arm: String, architecture: Architecture,
                         into plan: inout FineTuningPlan?) throws -> Bool {
    let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
    guard ["full", "head-only", "gradual", "decay"].contains(parts[0]) else { return false }
    guard architecture == .multiHead else {
        throw UsageError(description: "--arms: '\(excerpt(arm))': +\(parts[0]) needs a multi-head arm")
    }
    var current = plan ?? FineTuningPlan(checkpointPath: "")
    switch (parts[0], parts.count) {
    case ("full", 1): current.strategy = .full
    case ("head-only", 1): current.strategy = .headOnly
    case ("gradual", 2):
        guard let every = Int(parts[1]), (1...10_000).contains(every) else {
            throw UsageError(description: "--arms: '\(excerpt(arm))': gradual=K needs K in 1...10000 (epochs)")
        }
        current.strategy = .gradualUnfreezing(every: every)
    case ("decay", 2):
        guard let decay = Float(parts[1]), decay >= 0.001, decay <= 1 else {
            throw UsageError(description: "--arms: '\(excerpt(arm))': decay=ξ needs ξ in 0.001...1")
        }
        current.discriminativeDecay = decay
    default:
        throw UsageError(description: "--arms: '\(excerpt(arm))': +\(excerpt(option)) is +full, +head-only, "
                         + "+gradual=K or +decay=ξ")
    }
    plan = current
    return true
}

/// `mtl study`'s `--init-from` and `--init-map`, for the arms that fine-tune.
let studyFineTuningFlags: [Flag] = [
    Flag(name: "init-from", kind: .text(default: nil, placeholder: "CHECKPOINT"),
         help: "the pretrained weights of the fine-tuning arms (+full, +head-only, +gradual=K, +decay=ξ); {seed} in "
            + "the path is replaced by the run's seed, so each seed fine-tunes its own pretraining"),
    Flag(name: "init-map", kind: .text(default: "trunk.=trunk.", placeholder: "OLD=NEW,…"),
         help: "which stored tensors the fine-tuning arms load, renamed how (default: the trunk only)"),
]

extension StudyArm {
    /// The arm with the study's `--init-from` and `--init-map` in its fine-tuning plan (when it has one).
    func withInitialWeights(from flags: Arguments) throws -> StudyArm {
        guard var plan = fineTuning else { return self }
        guard let path = flags.string("init-from") else {
            throw UsageError(description: "--arms: '\(excerpt(name))' fine-tunes: give the pretrained weights with "
                             + "--init-from CHECKPOINT")
        }
        do { plan.map = try WeightNameMap(parsing: flags.string("init-map")!) } catch {
            throw UsageError(description: "--init-map must be OLD=NEW[,OLD=NEW…] with distinct OLD prefixes: "
                             + "\(error)")
        }
        plan.checkpointPath = path
        var arm = self
        arm.fineTuning = plan
        return arm
    }
}
