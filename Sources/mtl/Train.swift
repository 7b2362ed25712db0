import Foundation
import MultiTaskKit

// Over 300 lines: `mtl train`'s flag table and its run function, which checks every setting (your own
// data, fine-tuning, partial labels, consistency, schedules) before the run directory is touched;
// one command, read top to bottom.

/// The flags of `mtl train`. The run's settings are recorded in the checkpoint (`run.<flag>`), so
/// that `mtl eval` can rebuild the run and `--resume` can refuse a changed setting; read back, they
/// pass the same checks as on the command line.
let trainCommand = CommandSpec(
    name: "train",
    summary: "Train one architecture on one generated dataset, or on your own (--data FILE.csv, or --inputs and "
        + "--targets .npy files); writes log, SVG plots and a checkpoint into --output, and diagnostics.jsonl (task "
        + "weights, per-task gradient norms and cosines, AdaTask's dominance) per epoch.",
    flags: [
        Flag(name: "dataset", kind: .choice(default: "shapes", choices: SyntheticDataset.allCases.map(\.rawValue)),
             help: "the generated data"),
        Flag(name: "architecture", kind: .choice(default: "multi-head", choices: Architecture.allCases.map(\.rawValue)),
             help: "how the tasks share the network (mtan: per-task attention over the trunk's stages; its paper "
                + "trains it with --balancer dwa; ltb: a search over where the tasks branch, then the tree "
                + "trained from scratch)"),
        Flag(name: "sharing-ratio", kind: .number(default: 0.5, range: 0...1),
             help: "p, the fraction of units each task uses (roaming, fixed-partitioning)"),
        Flag(name: "update-interval", kind: .integer(default: nil, range: 1...1_000_000),
             help: "training batches between roaming updates (default: a tenth of an epoch)"),
        Flag(name: "selection", kind: .choice(default: "random", choices: RoamingSelection.allCases.map(\.flagName)),
             help: "how roaming picks the units it swaps (unconstrained: a control that ignores the visited sets)"),
        Flag(name: "channel-dropout", kind: .number(default: 0, range: 0...0.95),
             help: "drop whole channels after each trunk layer with this probability (a regularization control)"),
        Flag(name: "initialization", kind: .choice(default: "round-robin",
                                                   choices: PartitionInitialization.allCases.map(\.rawValue)),
             help: "how the masks' first partitions are drawn (roaming, fixed-partitioning)"),
        backboneFlag, normalizationFlag,
    ] + expertFlags + branchingFlags + [
        Flag(name: "mode", kind: .choice(default: nil, choices: ["summed", "alternating", "groups"]),
             help: "one update per batch on all losses, one per task, or per random task group (default: alternating "
                + "for masked architectures, else summed)"),
        Flag(name: "group-size", kind: .integer(default: 1, range: 1...1000),
             help: "k, tasks per group in groups mode"),
        Flag(name: "balancer", kind: .choice(default: "ew", choices: BalancingMethod.allCases.map(\.rawValue)),
             help: "how the task losses are combined (summed and groups modes)"),
        Flag(name: "epochs", kind: .integer(default: 5, range: 1...10_000),
             help: "epochs to train (may grow on --resume)"),
        Flag(name: "batch-size", kind: .integer(default: 64, range: 1...65_536), help: "samples per batch"),
        Flag(name: "learning-rate", kind: .number(default: 1e-3, range: 1e-8...10), help: "Adam's step size"),
        Flag(name: "schedule", kind: .text(default: "constant", placeholder: "SPEC"),
             help: "the learning rate over training, applied before every step: constant; cosine:E (cosine "
                + "annealing from the rate to 0 over E epochs, then 0); cosine:E:M (to M times the rate); step:E:G "
                + "(times G every E epochs)"),
        Flag(name: "warmup-steps", kind: .integer(default: 0, range: 0...1_000_000),
             help: "raise the rate linearly over this many steps first, then follow --schedule"),
        Flag(name: "early-stopping", kind: .integer(default: 0, range: 0...10_000),
             help: "stop once this many epochs bring no better validation score (0: train every epoch); "
                + "best.mtlckpt keeps the best epoch's model either way"),
        Flag(name: "samples", kind: .integer(default: 3000, range: 20...1_000_000),
             help: "generated samples, split 70/10/20 into train/validation/test"),
        Flag(name: "correlation", kind: .number(default: 0.5, range: -1...1),
             help: "ρ between the regression tasks (within a block for blocks)"),
    ] + userDataFlags + [
        Flag(name: "width", kind: .integer(default: 16, range: 1...1024), help: "channels or units of the backbone"),
        Flag(name: "seed", kind: .integer(default: 0, range: 0...Int.max),
             help: "seed of the generated data (or of your data's split), the models and the batches"),
        CommandSpec.threadsFlag,
        Flag(name: "output", kind: .text(default: "mtl-run", placeholder: "DIR"), help: "the run directory"),
        Flag(name: "log-format", kind: .choice(default: "csv", choices: ["csv", "jsonl"]),
             help: "the per-epoch log's format"),
        Flag(name: "resume", kind: .toggle,
             help: "continue the run in --output from its model.mtlckpt (same settings)"),
        Flag(name: "overwrite", kind: .toggle, help: "replace a run already in --output"),
        presetFlag,
        Flag(name: "quiet", kind: .toggle, help: "no per-epoch lines"),
        labelledFractionFlag, consistencyWeightFlag,
    ] + fineTuningFlags)

/// The flags whose values change a run's result: a resumed run must give each the same value.
/// (`epochs` may grow; `threads`, `quiet` and the flags that only pick files do not change results.)
let resultFlags = ["dataset", "architecture", "sharing-ratio", "update-interval", "selection", "initialization",
                   "channel-dropout",
                   "backbone", "normalization", "mode", "group-size", "balancer", "batch-size", "learning-rate",
                   "schedule", "warmup-steps", "early-stopping",
                   "samples", "correlation", "width", "seed", "log-format"] + userDataFlags.map(\.name)
    + expertFlags.map(\.name) + branchingFlags.map(\.name) + ["labelled-fraction", "consistency-weight"]

/// `--schedule` and `--warmup-steps` as a schedule counted in steps (`batchesPerEpoch` steps to an
/// epoch); nil for a constant rate without warm-up.
func learningRateSchedule(_ specification: String, warmupSteps: Int,
                          batchesPerEpoch: Int) throws -> (any LearningRateSchedule)? {
    let parts = specification.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    func problem() -> UsageError {
        UsageError(description: "--schedule must be constant, cosine:E, cosine:E:M or step:E:G (E epochs in "
                   + "1...10000, M in 0...1, G in (0, 10]), got '\(excerpt(specification))'")
    }
    func epochs(_ text: String) throws -> Int {
        guard let value = Int(text), (1...10_000).contains(value) else { throw problem() }
        return value * batchesPerEpoch
    }
    let schedule: (any LearningRateSchedule)?
    switch (parts.first, parts.count) {
    case ("constant", 1): schedule = nil
    case ("cosine", 2): schedule = CosineAnnealing(totalSteps: try epochs(parts[1]))
    case ("cosine", 3):
        guard let minimum = Float(parts[2]), (0...1).contains(minimum) else { throw problem() }
        schedule = CosineAnnealing(totalSteps: try epochs(parts[1]), minimumFactor: minimum)
    case ("step", 3):
        guard let gamma = Float(parts[2]), gamma > 0, gamma <= 10 else { throw problem() }
        schedule = StepDecay(stepSize: try epochs(parts[1]), gamma: gamma)
    default: throw problem()
    }
    guard warmupSteps > 0 else { return schedule }
    return LinearWarmup(warmupSteps: warmupSteps, then: schedule)
}

/// `--backbone`, shared by `mtl train` and `mtl study`.
let backboneFlag = Flag(name: "backbone", kind: .choice(default: "plain", choices: Backbone.allCases.map(\.rawValue)),
                        help: "the trunk: plain stacks of layers, or residual blocks after a stem layer")

/// `--normalization`, shared by `mtl train` and `mtl study`.
let normalizationFlag = Flag(name: "normalization", kind: .choice(default: "none", choices: ["none", "batch"]),
                             help: "batch normalization (batch statistics) after each trunk layer, before its "
                                + "mask or gate")

/// Creates `directory` (with its parents) and locks it (`lockRunDirectory`); a failure is a
/// `UsageError` in plain words.
func makeRunDirectory(_ directory: URL) throws -> Int32 {
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
        throw UsageError(description: "cannot create the output directory \(directory.path): "
                         + "\(InputFile.reason(of: error))")
    }
    return try lockRunDirectory(directory)
}

/// Holds `DIR/.mtl-lock` for as long as the process runs (`flock`: the kernel drops it when the
/// process ends, however it ends), so two runs never write into one directory at once.
func lockRunDirectory(_ directory: URL) throws -> Int32 {
    let path = directory.appendingPathComponent(".mtl-lock").path
    let descriptor = open(path, O_RDWR | O_CREAT, 0o644)
    guard descriptor >= 0 else {
        throw UsageError(description: "cannot create the lock file \(path): \(InputFile.reason(errno))")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
        close(descriptor)
        throw UsageError(description: "another mtl run is writing into \(directory.path) (it holds \(path)); "
                         + "wait for it to finish or choose another --output")
    }
    return descriptor
}

/// `mtl train`: one architecture on one generated dataset or the user's own; writes the log, the
/// figures and the checkpoint into the output directory.
func runTrain(_ arguments: [String]) throws {
    let (flags, preset) = try Arguments(arguments, spec: trainCommand).applyingPreset()
    Parallelism.threadCount = try flags.threadCount()
    var settings = try RunSettings(flags: flags)
    let epochs = flags.integer("epochs")!
    let batchSize = flags.integer("batch-size")!
    let learningRate = flags.number("learning-rate")!
    let modeName = flags.string("mode")
    let balancing = BalancingMethod(rawValue: flags.string("balancer")!)!
    let groupSize = flags.integer("group-size")!
    let logFormat = flags.string("log-format")!
    let output = URL(fileURLWithPath: flags.string("output")!)
    let mode = modeName.flatMap { name in TrainingMode.allCases.first { modeFlagName($0) == name } }
    if balancing != .equal && (mode ?? defaultTrainingMode(for: settings.architecture)) == .taskAlternating {
        throw UsageError(description: "--balancer \(balancing.rawValue): task-alternating training steps on each "
                         + "task's loss alone; use --mode summed or groups")
    }
    let resume = flags.isSet("resume")
    if resume && settings.architecture == .learningToBranch {
        throw UsageError(description: "--resume: an ltb run searches its tree first and cannot be resumed; train it "
                         + "again with --overwrite")
    }
    if resume && flags.isSet("overwrite") {
        throw UsageError(description: "--resume and --overwrite exclude each other")
    }
    // Everything that can be refused is checked before the output directory is touched.
    try checkLabelledFractionSyntax(flags.string("labelled-fraction")!)
    var data = try settings.makeData()
    try settings.validate(data: data)
    let fractions = try labelledFractions(flags.string("labelled-fraction")!, tasks: data.train.tasks)
    data = try partiallyLabelled(data, fractions: fractions, seed: settings.options.seed)
    let consistency = try consistencyTerm(weight: flags.number("consistency-weight")!, tasks: data.train.tasks)
    if consistency != nil && (mode ?? defaultTrainingMode(for: settings.architecture)) == .taskAlternating {
        throw UsageError(description: "--consistency-weight: task-alternating training steps on one task's loss at a "
                         + "time; use --mode summed or groups")
    }
    let schedule = try learningRateSchedule(flags.string("schedule")!, warmupSteps: flags.integer("warmup-steps")!,
                                            batchesPerEpoch: (data.train.count + batchSize - 1) / batchSize)
    let patience = flags.integer("early-stopping")!
    let fineTuning = try fineTuningPlan(flags: flags, architecture: settings.architecture)
    let initialization = try fineTuning.map {
        try checkFineTuningPlan($0, settings: settings, data: data, balancing: balancing)
    }
    let lock = try makeRunDirectory(output)
    defer { close(lock) }
    let checkpointURL = output.appendingPathComponent("model.mtlckpt")
    let hasCheckpoint = FileManager.default.fileExists(atPath: checkpointURL.path)
    if resume && !hasCheckpoint { throw UsageError(description: "--resume: no checkpoint at \(checkpointURL.path)") }
    let previousFiles = ["model.mtlckpt", "log.csv", "log.jsonl"].filter {
        FileManager.default.fileExists(atPath: output.appendingPathComponent($0).path)
    }
    if !resume && !flags.isSet("overwrite") && !previousFiles.isEmpty {
        throw UsageError(description: "\(output.path) already holds a run (\(previousFiles.joined(separator: ", "))): "
                         + "continue it with --resume, or replace it with --overwrite")
    }
    if !settings.updateIntervalGiven {
        settings.options.updateInterval = preset == .maximumRoaming
            ? Preset.updateInterval(trainCount: data.train.count, batchSize: batchSize)
            : max(1, (data.train.count + batchSize - 1) / batchSize / 10)
    }
    var metadata = settings.metadata
    metadata["run.learning-rate"] = String(learningRate)
    metadata["run.batch-size"] = String(batchSize)
    metadata["run.balancer"] = balancing.rawValue
    metadata["run.mode"] = modeFlagName(mode ?? defaultTrainingMode(for: settings.architecture))
    metadata["run.group-size"] = String(groupSize)
    metadata["run.log-format"] = logFormat
    metadata["run.schedule"] = flags.string("schedule")!
    metadata["run.warmup-steps"] = String(flags.integer("warmup-steps")!)
    metadata["run.early-stopping"] = String(patience)
    metadata["run.fine-tuning"] = fineTuning?.settingsDescription ?? "none"
    metadata["run.labelled-fraction"] = flags.string("labelled-fraction")!
    metadata["run.consistency-weight"] = String(flags.number("consistency-weight")!)
    if resume {
        try checkUnchangedSettings(checkpointURL, now: metadata)
        try checkUnchangedFineTuning(checkpointURL, now: metadata["run.fine-tuning"]!)
    }
    if !resume {
        for name in ["log.csv", "log.jsonl", "diagnostics.jsonl", "loss.svg", "validation.svg", "model.mtlckpt",
                     "best.mtlckpt", "experts.svg", "branching.svg", "tree.svg", "search-diagnostics.jsonl"] {
            try? FileManager.default.removeItem(at: output.appendingPathComponent(name))
        }
    }
    if let userData = settings.userData {
        printUserTasks(data.train, inferred: settings.inferredTasks, standardized: userData.standardized)
    }
    print("training \(settings.architecture.rawValue) (\(balancing.rawValue)) on \(settings.dataName): "
          + "\(data.train.count) train / \(data.validation.count) validation / \(data.test.count) test samples, "
          + "\(data.train.tasks.count) tasks, \(epochs) epochs")
    if let fineTuning, let initialization {
        print("initialized from \(fineTuning.checkpointPath): \(initialization); training: \(fineTuning.strategy.name)"
              + (fineTuning.discriminativeDecay.map { ", discriminative rates ξ = \($0)" } ?? ""))
    }
    if !data.train.labelMask.isComplete {
        print("labelled training samples: " + data.train.tasks.indices.map { task in
            "\(data.train.tasks[task].name) \(data.train.labelMask.labelledCount(task: task))/\(data.train.count)"
        }.joined(separator: ", "))
    }
    var training = Trainer.Configuration(
        epochs: epochs, batchSize: batchSize, seed: settings.options.seed,
        mode: mode ?? defaultTrainingMode(for: settings.architecture), taskGroupSize: groupSize,
        logURL: output.appendingPathComponent("log.\(logFormat)"), checkpointURL: checkpointURL,
        diagnosticsURL: output.appendingPathComponent("diagnostics.jsonl"), gradientStatisticsInterval: 20,
        printsEpochs: !flags.isSet("quiet"), metadata: metadata, learningRateSchedule: schedule,
        earlyStoppingPatience: patience > 0 ? patience : nil,
        bestCheckpointURL: output.appendingPathComponent("best.mtlckpt"))
    training.consistency = consistency
    // Expert architectures: their gates' mean weights per expert on the validation split, every epoch.
    let utilization = settings.architecture.hasExpertGates ? ExpertUtilizationRecorder(data: data.validation) : nil
    let result = try runExperiment(settings.architecture, data: data, options: settings.options,
                                   balancing: balancing, learningRate: Float(learningRate), training: training,
                                   resume: resume, observers: utilization.map { [$0] } ?? [], fineTuning: fineTuning)
    let tasks = data.train.tasks.map(\.name)
    if let search = result.branchingSearch { try reportBranchingSearch(search, taskNames: tasks, output: output) }
    if let last = utilization?.history.last {
        try last.utilization.chart(title: "Expert utilization (\(settings.architecture.rawValue), validation, epoch "
                                   + "\(last.epoch))", taskNames: tasks)
            .write(to: output.appendingPathComponent("experts.svg"))
    }
    if !result.history.isEmpty {
        try LinePlot(title: "Training loss (\(settings.architecture.rawValue))", xLabel: "epoch",
                     yLabel: "mean training loss", series: tasks.indices.map { task in
                         .init(name: tasks[task], values: result.history.map { $0.trainLosses[task] })
                     },
                     logarithmicY: true).write(to: output.appendingPathComponent("loss.svg"))
        try LinePlot(title: "Validation \(data.train.tasks[0].metrics[0].rawValue)", xLabel: "epoch",
                     yLabel: "main metric", series: tasks.indices.map { task in
                         .init(name: tasks[task], values: result.history.map { $0.validation![task].mainValue })
                     })
            .write(to: output.appendingPathComponent("validation.svg"))
    }
    print("\n" + comparisonTable([(settings.architecture.rawValue, result)], baseline: nil))
    if result.stoppedEarly {
        print("\nstopped early: \(patience) epochs without a better validation score after epoch "
              + "\(result.bestEpoch ?? 0)")
    }
    print("\nwrote \(output.path)/{log.\(logFormat), diagnostics.jsonl, loss.svg, validation.svg, "
          + (utilization == nil ? "" : "experts.svg, ")
          + (result.branchingSearch == nil ? "" : "branching.svg, tree.svg, ")
          + "model.mtlckpt, best.mtlckpt}; evaluate the last epoch "
          + "with: mtl eval --checkpoint \(checkpointURL.path), the best "
          + "validation epoch (\(result.bestEpoch.map(String.init) ?? "—")) with: mtl eval --checkpoint "
          + "\(output.appendingPathComponent("best.mtlckpt").path)")
}

/// Prints a user's tasks with their kinds (saying which were inferred), and a note for regression
/// targets far from unit scale that are not standardized (their loss would dwarf the others').
func printUserTasks(_ train: MultiTaskDataset, inferred: [String], standardized: StandardizedParts) {
    print("tasks: " + train.tasks.map { task in
        let kind = switch task.kind {
        case .classification(let count): "classification, \(count) classes"
        case .multiLabel(let count): "multi-label, \(count) label\(count == 1 ? "" : "s")"
        case .regression(let count): "regression, \(count) value\(count == 1 ? "" : "s")"
        default: "\(task.kind)"
        }
        return "\(task.name) (\(kind)\(inferred.contains(task.name) ? ", inferred" : ""))"
    }.joined(separator: "; "))
    guard standardized != .inputsAndTargets else { return }
    for (task, spec) in train.tasks.enumerated() {
        guard case .regression = spec.kind else { continue }
        let statistics = Standardization(fittedTo: train.targets[task])
        let far = zip(statistics.mean, statistics.deviation).contains { abs($0) > 10 || $1 > 10 || $1 < 0.1 }
        guard far else { continue }
        print("note: the targets of '\(spec.name)' (training mean \(numbers(statistics.mean)), deviation "
              + "\(numbers(statistics.deviation))) are far from unit scale, and so will be their loss; "
              + "--standardize inputs-and-targets standardizes them too")
    }
}
