// Over 300 lines: the flags `mtl study` and `mtl compare` share, the grammar of an arm and the
// driver that runs a study from them are one piece of the command line.

import Foundation
import MultiTaskKit

/// The flags `mtl study` and `mtl compare` share: the data, the protocol and the output.
func studyFlags(defaultDataset: String, defaultSeeds: Int, defaultEpochs: Int, defaultSamples: Int,
                defaultBatchSize: Int) -> [Flag] {
    [
        Flag(name: "dataset", kind: .choice(default: defaultDataset,
                                            choices: SyntheticDataset.allCases.map(\.rawValue)),
             help: "the generated data"),
        Flag(name: "seeds", kind: .integer(default: defaultSeeds, range: 1...1000),
             help: "seeds per arm; run s of every arm sees the same data split"),
        Flag(name: "first-seed", kind: .integer(default: 0, range: 0...1_000_000),
             help: "the first seed (seeds first-seed, first-seed + 1, …): split a study over processes, then "
                + "join their runs.csv rows and rerun with every seed to summarize"),
        Flag(name: "epochs", kind: .integer(default: defaultEpochs, range: 1...10_000),
             help: "the most epochs a run trains"),
        Flag(name: "select-by", kind: .choice(default: "validation", choices: ["validation", "last"]),
             help: "the epoch reported: the best on the validation split, or the last"),
        Flag(name: "budget", kind: .choice(default: "whole-run", choices: ["whole-run", "after-roaming"]),
             help: "after-roaming: a roaming run's --epochs start with the epoch in which roaming completes, and "
                + "only epochs from there are selected and counted by --patience (equal budgets after roaming for "
                + "every Δ and p)"),
        Flag(name: "patience", kind: .integer(default: nil, range: 1...10_000),
             help: "stop a run after this many epochs without a better validation score (default: train every epoch)"),
        Flag(name: "baseline", kind: .text(default: nil, placeholder: "ARM"),
             help: "the arm Δm% and the paired differences are taken against (default: the first arm)"),
        Flag(name: "noise-floor", kind: .choice(default: "on", choices: ["on", "off"]),
             help: "add the baseline again with other initialization seeds, to show what chance alone gives"),
        Flag(name: "samples", kind: .integer(default: defaultSamples, range: 20...1_000_000),
             help: "generated samples, split 70/10/20 into train/validation/test"),
        Flag(name: "correlation", kind: .number(default: 0.5, range: -1...1),
             help: "ρ between the regression tasks (within a block for blocks)"),
    ] + userDataFlags + [
        Flag(name: "scale-task", kind: .text(default: nil, placeholder: "T:F"),
             help: "multiply task T's targets by F in every split (unequal loss scales, chapter 10; regression tasks)"),
        Flag(name: "batch-size", kind: .integer(default: defaultBatchSize, range: 1...65_536),
             help: "samples per batch"),
        Flag(name: "learning-rate", kind: .number(default: 1e-3, range: 1e-8...10), help: "Adam's step size"),
        Flag(name: "width", kind: .integer(default: 16, range: 1...1024),
             help: "channels or units of the backbone (an arm's @W overrides it)"),
        Flag(name: "sharing-ratio", kind: .number(default: 0.5, range: 0...1),
             help: "roaming and fixed-partitioning arms: the fraction p of units each task uses"),
        Flag(name: "update-interval", kind: .integer(default: 10, range: 1...1_000_000),
             help: "roaming arms: batches between two roaming updates (Δ)"),
        backboneFlag, normalizationFlag,
        CommandSpec.threadsFlag,
        Flag(name: "output", kind: .text(default: nil, placeholder: "DIR"),
             help: "write runs.csv (one row per finished run; a rerun skips the runs already there), curves.csv "
                + "(every epoch of every run), summary.md, summary.csv and delta-m.svg"),
        labelledFractionFlag,
        Flag(name: "labelled-fractions", kind: .text(default: nil, placeholder: "F1,F2,…"),
             help: "a curve: one study per fraction of the --labelled-task tasks' training labels (each in (0, 1]), "
                + "into --output/fraction-F/, then curve.md, curve.csv and curve-TASK.svg with 95% CI bands"),
        Flag(name: "labelled-task", kind: .text(default: nil, placeholder: "T,…"),
             help: "with --labelled-fractions: the tasks (names or indices) whose labels thin (default: every task)"),
        Flag(name: "quick", kind: .toggle, help: "a smoke run: 2 seeds, 2 epochs, 300 samples"),
        Flag(name: "summarize-only", kind: .toggle,
             help: "train nothing: summarize the seeds of --output's runs.csv that every arm has finished (a study "
                + "still running in other processes)"),
        presetFlag,
    ]
}

let studyCommand = CommandSpec(
    name: "study",
    summary: "Compare architectures and balancing methods over paired seeds: each run selected on its validation "
        + "split, test metrics at the selected epoch, Δm% against a baseline arm with a 95% bootstrap CI and a "
        + "noise floor. Resumable.",
    flags: [Flag(name: "arms", kind: .text(default: "stl,multi-head", placeholder: "A,B,…"),
                 help: "the arms, each ARCHITECTURE[:BALANCER][/MODE][@WIDTH][~COUPLING][+OPTION…], e.g. "
                    + "stl@8,multi-head@15,multi-head:dwa@15,multi-head/alternating@15,soft-sharing@8~0.01 (/MODE: "
                    + "summed, alternating or groups training, default: the architecture's; ~λ: soft sharing's "
                    + "coupling; +OPTION: +least-aligned, +unconstrained, +reset-moments, +zero-heads or "
                    + "+interval=N (Δ in "
                    + "batches) for roaming arms, +p=X (sharing ratio) for masked arms, +experts=N for mmoe "
                    + "arms, +shared-experts=N, +task-experts=N for cgc and ple arms, +levels=N for ple arms, "
                    + "+search-epochs=N, +branch-nodes=N, +soft for ltb arms, "
                    + "+dropout=Q (whole channels), +groups=0.1.2/3.4.5 (one network per group of tasks) or "
                    + "+consistency=λ (depth → normals, scenes) for any; "
                    + "+full, +head-only, +gradual=K, +decay=ξ: fine-tune a multi-head arm from --init-from); "
                    + "architectures: " + Architecture.allCases.map(\.rawValue).joined(separator: ", "))]
        + studyFlags(defaultDataset: "regression", defaultSeeds: 5, defaultEpochs: 30, defaultSamples: 3000,
                     defaultBatchSize: 64) + studyFineTuningFlags)

/// Parses one arm: `ARCHITECTURE[:BALANCER][/MODE][@WIDTH][~COUPLING][+OPTION…]` (the training mode
/// — summed, alternating or groups —, the coupling λ of soft sharing, and options of the partitioning
/// studies: `+least-aligned`, `+unconstrained`, `+reset-moments`, `+zero-heads`, `+interval=N`, `+p=X`,
/// `+dropout=Q`; of the expert architectures: `+experts=N`, `+shared-experts=N`, `+task-experts=N`,
/// `+levels=N`).
func parseArm(_ text: String, width: Int, sharingRatio: Double = 0.5, updateInterval: Int = 10, learningRate: Float,
              batchSize: Int) throws -> StudyArm {
    let pieces = text.split(separator: "+", omittingEmptySubsequences: false)
    var rest = pieces[0]
    var armWidth = width
    var coupling: Float?
    if let tilde = rest.firstIndex(of: "~") {
        guard let value = Float(rest[rest.index(after: tilde)...]), value.isFinite, value >= 0, value <= 1e6 else {
            throw UsageError(description: "--arms: the coupling in '\(excerpt(text))' must be a number in 0...1e6")
        }
        coupling = value
        rest = rest[..<tilde]
    }
    if let at = rest.firstIndex(of: "@") {
        guard let value = Int(rest[rest.index(after: at)...]), (1...1024).contains(value) else {
            throw UsageError(description: "--arms: the width in '\(excerpt(text))' must be an integer in 1...1024")
        }
        armWidth = value
        rest = rest[..<at]
    }
    var mode: TrainingMode?
    if let slash = rest.firstIndex(of: "/") {
        let name = String(rest[rest.index(after: slash)...])
        guard let parsed = TrainingMode.allCases.first(where: { modeFlagName($0) == name }) else {
            throw UsageError(description: "--arms: the mode in '\(excerpt(text))' must be one of summed, alternating, "
                             + "groups")
        }
        mode = parsed
        rest = rest[..<slash]
    }
    let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard (1...2).contains(parts.count), let architecture = Architecture(rawValue: parts[0]) else {
        throw UsageError(description: "--arms: '\(excerpt(text))' is not ARCHITECTURE[:BALANCER][@WIDTH] "
                         + "(architectures: " + Architecture.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
    let balancing = parts.count == 2 ? BalancingMethod(rawValue: parts[1]) : .equal
    guard let balancing else {
        throw UsageError(description: "--arms: unknown balancer in '\(excerpt(text))' (known: "
                         + BalancingMethod.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
    if mode == .taskAlternating && balancing != .equal {
        throw UsageError(description: "--arms: '\(excerpt(text))': task-alternating training steps on each task's "
                         + "loss alone, so it takes no balancer")
    }
    var options = ArchitectureOptions(width: armWidth, sharingRatio: sharingRatio, updateInterval: updateInterval)
    options.skipsMaskedUnits = true
    if let coupling {
        guard architecture == .softSharing else {
            throw UsageError(description: "--arms: '\(excerpt(text))': a coupling ~λ applies to soft-sharing only")
        }
        options.couplingStrength = coupling
    }
    var arm = StudyArm(name: text, architecture: architecture, balancing: balancing, options: options,
                       learningRate: learningRate, batchSize: batchSize,
                       mode: mode ?? (architecture.isTaskRouted
                           ? (balancing == .equal ? nil : .summed) : nil))
    for option in pieces.dropFirst() {
        if try expertArmOption(String(option), of: text, architecture: architecture, into: &arm.options) { continue }
        if try fineTuningArmOption(String(option), of: text, architecture: architecture, into: &arm.fineTuning) {
            continue
        }
        if try branchingArmOption(String(option), of: text, architecture: architecture, into: &arm.options) { continue }
        let masked = architecture == .maximumRoaming || architecture == .fixedPartitioning
        switch option {
        case "least-aligned" where architecture == .maximumRoaming: arm.options.selection = .leastAligned
        case "unconstrained" where architecture == .maximumRoaming: arm.options.selection = .unconstrained
        case "reset-moments" where architecture == .maximumRoaming && balancing != .adaTask:
            arm.resetsMomentsOnSwap = true
        case "zero-heads" where architecture == .maximumRoaming: arm.zeroesUnvisitedHeadWeights = true
        case _ where option.hasPrefix("interval=") && architecture == .maximumRoaming:
            guard let value = Int(option.dropFirst("interval=".count)), (1...1_000_000).contains(value) else {
                throw UsageError(description: "--arms: '\(excerpt(text))': interval must be an integer in 1...1000000 "
                                 + "(batches)")
            }
            arm.options.updateInterval = value
        case _ where option.hasPrefix("p=") && masked:
            guard let value = Double(option.dropFirst("p=".count)), (0...1).contains(value) else {
                throw UsageError(description: "--arms: '\(excerpt(text))': p must be a number in 0...1")
            }
            arm.options.sharingRatio = value
        case _ where option.hasPrefix("groups="):
            // +groups=0.1.2/3.4.5: one network per group of tasks (`StudyArm.taskGroups`).
            let groups = option.dropFirst("groups=".count).split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) } }
            guard !groups.isEmpty, groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ($0 ?? -1) >= 0 } }) else {
                throw UsageError(description: "--arms: '\(excerpt(text))': groups must read like 0.1.2/3.4.5 (task "
                                 + "indices, '.' within a group, '/' between groups)")
            }
            arm.taskGroups = groups.map { $0.map { $0! } }
        case _ where option.hasPrefix("consistency="):
            guard let value = Float(option.dropFirst("consistency=".count)), value.isFinite, value >= 0,
                  value <= 1000 else {
                throw UsageError(description: "--arms: '\(excerpt(text))': consistency must be a number in 0...1000 "
                                 + "(λ of the depth → normals term)")
            }
            guard mode != .taskAlternating else {
                throw UsageError(description: "--arms: '\(excerpt(text))': a consistency term needs summed or groups "
                                 + "training")
            }
            arm.consistencyWeight = value
        case _ where option.hasPrefix("dropout="):
            guard let value = Float(option.dropFirst("dropout=".count)), value >= 0, value <= 0.95 else {
                throw UsageError(description: "--arms: '\(excerpt(text))': dropout must be a number in 0...0.95")
            }
            arm.options.channelDropout = value
        default:
            throw UsageError(description: "--arms: '\(excerpt(text))': unknown option '+\(excerpt(String(option)))' "
                             + "(least-aligned, unconstrained, reset-moments, zero-heads and interval=N apply to "
                             + "roaming arms, "
                             + "p=X to roaming and fixed-partitioning arms"
                             + (masked ? "" : ", and this arm is not one") + "; experts=N to mmoe arms, "
                             + "shared-experts=N, task-experts=N to cgc and ple arms, levels=N to ple arms; "
                             + "search-epochs=N, branch-nodes=N, soft to ltb arms; "
                             + "dropout=Q, groups=0.1/2.3 (one network per group of tasks) and consistency=λ to any)")
        }
    }
    if (arm.resetsMomentsOnSwap || arm.zeroesUnvisitedHeadWeights) && arm.taskGroups != nil {
        throw UsageError(description: "--arms: '\(excerpt(text))': reset-moments and zero-heads act on one roaming "
                         + "network, not on groups of networks")
    }
    return arm
}

/// Runs a study built from the shared flags and `arms`, prints the table and writes the files.
func runStudy(_ arms: [StudyArm], flags: Arguments, title: String) throws {
    try checkLabelledFractionSyntax(flags.string("labelled-fraction")!)
    if let text = flags.string("labelled-fractions") { _ = try curveFractionList(text) }
    if flags.string("labelled-task") != nil && flags.string("labelled-fractions") == nil {
        throw UsageError(description: "--labelled-task names the tasks of a --labelled-fractions curve; give both")
    }
    let quick = flags.isSet("quick")
    let dataset = SyntheticDataset(rawValue: flags.string("dataset")!)!
    let seedCount = flags.integer("seeds", default: quick ? 2 : nil)!
    let epochs = flags.integer("epochs", default: quick ? 2 : nil)!
    let sampleCount = flags.integer("samples", default: quick ? 300 : nil)!
    let correlation = Float(flags.number("correlation")!)
    // The data of a seed: generated, or the user's rows split by the seed (read and checked once).
    let userData = try UserDataSource(flags: flags)
    let makeSplits: (UInt64) throws -> DatasetSplits<MultiTaskDataset>
    let dataName: String, dataSettings: [String: String]
    if let userData {
        let rows = try userData.load()
        makeSplits = { seed in try userData.prepare(rows, seed: seed).splits }
        dataName = "\(userData.name) (\(rows.dataset.count) rows)"
        // One line per setting in the study's settings file: the checksums' lines are joined.
        var settings: [String: String] = [:]
        for (key, value) in userData.runSettings(rows) { settings[String(key.dropFirst("run.".count))] = value }
        settings["dataset"] = "\(userData.name) (your own)"
        settings["samples"] = String(rows.dataset.count)
        settings["checksums"] = try userData.checksums().replacingOccurrences(of: "\n", with: "; ")
        dataSettings = settings
    } else {
        try checkDatasetSize(sampleCount, of: dataset)
        makeSplits = { seed in try dataset.make(sampleCount: sampleCount, seed: seed, correlation: correlation) }
        dataName = "\(dataset.rawValue) (\(sampleCount) samples)"
        dataSettings = ["dataset": dataset.rawValue, "samples": String(sampleCount),
                        "correlation": String(correlation)]
    }
    guard Set(arms.map(\.name)).count == arms.count else {
        throw UsageError(description: "--arms: an arm is named twice")
    }
    let baseline = flags.string("baseline") ?? arms[0].name
    guard arms.contains(where: { $0.name == baseline }) else {
        throw UsageError(description: "--baseline: '\(excerpt(baseline))' is not one of the arms "
                         + "(\(arms.map(\.name).joined(separator: ", ")))")
    }
    // Masked arms need every masked layer covered at their sharing ratio (checked on a small sample).
    let probe = userData == nil ? try dataset.make(sampleCount: 40, seed: 0, correlation: correlation)
                                : try makeSplits(0)
    for arm in arms where arm.architecture == .maximumRoaming || arm.architecture == .fixedPartitioning {
        let dense = probe.train.tasks.contains { $0.kind.isDense }
        for units in maskedUnitCounts(inputShape: probe.train.inputShape, denseOutput: dense,
                                      width: arm.options.width, backbone: arm.options.backbone) {
            if let problem = TaskMask.coverageProblem(unitCount: units, taskCount: probe.train.tasks.count,
                                                      sharingRatio: arm.options.sharingRatio,
                                                      initialization: arm.options.partitionInitialization) {
                throw UsageError(description: "--arms: \(arm.name): a layer of \(units) units: \(problem)")
            }
        }
    }
    for arm in arms {
        let dense = probe.train.tasks.contains { $0.kind.isDense }
        if let problem = expertOptionsProblem(arm.architecture, inputShape: probe.train.inputShape, denseOutput: dense,
                                              options: arm.options) {
            throw UsageError(description: "--arms: \(arm.name): \(problem)")
        }
    }
    let output = flags.string("output").map { URL(fileURLWithPath: $0) }
    var lock: Int32?
    if let output {
        lock = try makeRunDirectory(output)
    }
    defer { if let lock { close(lock) } }
    var scale: (task: Int, factor: Float)?
    if let text = flags.string("scale-task") {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let task = Int(parts[0]), let factor = Float(parts[1]), factor.isFinite, factor != 0,
              abs(factor) <= 1e6, probe.train.tasks.indices.contains(task) else {
            throw UsageError(description: "--scale-task must be TASK:FACTOR with a task in "
                             + "0..<\(probe.train.tasks.count) and a "
                             + "non-zero factor of at most 1e6 in size, got '\(excerpt(text))'")
        }
        guard !probe.train.tasks[task].kind.isDense, case .regression = probe.train.tasks[task].kind else {
            throw UsageError(description: "--scale-task: task \(task) (\(probe.train.tasks[task].name)) is not a "
                             + "regression task")
        }
        scale = (task, factor)
    }
    let firstSeed = UInt64(flags.integer("first-seed")!)
    let taskNames = probe.train.tasks
    let fixedFractions = try labelledFractions(flags.string("labelled-fraction")!, tasks: taskNames)
    let curveFractions = try flags.string("labelled-fractions").map { try curveFractionList($0) }
    let curveTasks = try flags.string("labelled-task").map { try labelledTaskIndices($0, tasks: taskNames) }
        ?? Array(taskNames.indices)
    /// One study, with the training split labelled as `fractions` says; its files go into `directory`.
    func runOne(fractions: [Double], directory: URL?) throws -> StudyResult {
        var study = Study(arms: arms, seeds: (firstSeed..<(firstSeed + UInt64(seedCount))).map { $0 },
                          maximumEpochs: epochs,
                          patience: flags.integer("patience"), baseline: baseline,
                          resultsURL: directory?.appendingPathComponent("runs.csv")) { seed in
            var data = try makeSplits(seed)
            if let scale {
                data.train.targets[scale.task] = data.train.targets[scale.task] * scale.factor
                data.validation.targets[scale.task] = data.validation.targets[scale.task] * scale.factor
                data.test.targets[scale.task] = data.test.targets[scale.task] * scale.factor
            }
            return try partiallyLabelled(data, fractions: fractions, seed: seed)
        }
        study.selectsLastEpoch = flags.string("select-by") == "last"
        study.trainsMissingRuns = !flags.isSet("summarize-only")
        study.countsEpochsAfterRoaming = flags.string("budget") == "after-roaming"
        study.curvesURL = directory?.appendingPathComponent("curves.csv")
        study.swapsURL = directory?.appendingPathComponent("swaps.csv")
        study.settings = dataSettings.merging(["scale": scale.map { "task \($0.task) × \($0.factor)" } ?? "none"]) {
            $1
        }
        // Recorded only when some labels are missing, so the settings files of earlier studies still match.
        if fractions.contains(where: { $0 < 1 }) {
            study.settings["labelled-fractions"] = fractions.map { String($0) }.joined(separator: " ")
        }
        if flags.string("noise-floor") == "on" { study = study.addingNoiseFloor() }
        let labelNote = fractions.contains(where: { $0 < 1 })
            ? ", training labels kept: " + zip(taskNames, fractions).map { "\($0.name) \($1)" }.joined(separator: ", ")
            : ""
        print("\(title): \(study.arms.count) arms × \(seedCount) seeds on \(dataName), "
              + "at most \(epochs) epochs, selected by \(flags.string("select-by")!)"
              + (flags.integer("patience").map { ", patience \($0)" } ?? "") + ", \(Parallelism.threadCount) thread(s)"
              + labelNote)
        let result = try study.run { run, isNew in
            let epochs = run.selectedEpochs.map(String.init).joined(separator: "/")
            print(String(format: "  %@ seed %d: epoch %@ of %d, %.1f s%@", run.arm, run.seed, epochs,
                         run.epochsTrained, run.seconds,
                         isNew ? "" : " (from runs.csv)"))
        }
        print("\n" + result.markdownTable() + "\n\n" + result.taskTermTable())
        if let directory {
            do {
                try writeAtomically(Data((result.markdownTable() + "\n\n" + result.taskTermTable() + "\n").utf8),
                                    to: directory.appendingPathComponent("summary.md"))
                try writeAtomically(Data(result.summaryCSV().utf8), to: directory.appendingPathComponent("summary.csv"))
            } catch {
                throw UsageError(description: "cannot write into \(directory.path): \(error)")
            }
            try result.deltaMChart(title: "\(title) on \(userData?.name ?? dataset.rawValue), \(seedCount) seeds")
                .write(to: directory.appendingPathComponent("delta-m.svg"))
            print("\nwrote \(directory.path)/{runs.csv, summary.md, summary.csv, delta-m.svg}")
        }
        return result
    }
    guard let curveFractions else {
        _ = try runOne(fractions: fixedFractions, directory: output)
        return
    }
    // A labelled-fraction curve: one study per fraction of the --labelled-task tasks' labels.
    var curve: [(fraction: Double, result: StudyResult)] = []
    for fraction in curveFractions {
        var fractions = fixedFractions
        for task in curveTasks { fractions[task] = fraction }
        let directory = output?.appendingPathComponent("fraction-\(fraction)")
        if let directory {
            do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
                throw UsageError(description: "cannot create \(directory.path): \(InputFile.reason(of: error))")
            }
        }
        print("\n== labelled fraction \(fraction) ==")
        curve.append((fraction, try runOne(fractions: fractions, directory: directory)))
    }
    let table = LabelledFractionCurve(points: curve)
    let setting = "\(dataName)" + (userData == nil && dataset == .regression ? ", ρ = \(correlation)" : "")
        + ", \(seedCount) seeds, ≤ \(epochs) epochs"
    print("\n" + table.markdownTable())
    if let output {
        do {
            try writeAtomically(Data((table.markdownTable() + "\n").utf8),
                                to: output.appendingPathComponent("curve.md"))
            try writeAtomically(Data(table.csv().utf8), to: output.appendingPathComponent("curve.csv"))
        } catch {
            throw UsageError(description: "cannot write into \(output.path): \(error)")
        }
        for task in curveTasks {
            let name = taskNames[task].name
            try table.metricPlot(task: task, title: "\(name) vs labelled fraction (\(setting))")
                .write(to: output.appendingPathComponent("curve-\(name).svg"))
            try table.differencePlot(task: task, title: "\(name): arm − \(baseline), paired by seed (\(setting))")
                .write(to: output.appendingPathComponent("curve-\(name)-difference.svg"))
        }
        print("\nwrote \(output.path)/{curve.md, curve.csv, curve-TASK.svg, curve-TASK-difference.svg}")
    }
}

/// `--labelled-fractions F1,F2,…`: the curve's fractions, each in (0, 1].
func curveFractionList(_ text: String) throws -> [Double] {
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
    guard !values.isEmpty, values.allSatisfy({ $0.map { $0.isFinite && $0 > 0 && $0 <= 1 } ?? false }) else {
        throw UsageError(description: "--labelled-fractions must be fractions in (0, 1] separated by commas, got "
                         + "'\(excerpt(text))'")
    }
    let fractions = values.map { $0! }
    guard Set(fractions).count == fractions.count else {
        throw UsageError(description: "--labelled-fractions: a fraction repeats in '\(excerpt(text))'")
    }
    return fractions
}

/// `--labelled-task T,…`: the tasks (by name or index) whose labels the curve thins.
func labelledTaskIndices(_ text: String, tasks: [TaskSpec]) throws -> [Int] {
    try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
        let name = String(item)
        guard let task = tasks.firstIndex(where: { $0.name == name })
            ?? Int(name).flatMap({ tasks.indices.contains($0) ? $0 : nil }) else {
            throw UsageError(description: "--labelled-task: no task '\(excerpt(name))' (tasks: "
                             + tasks.map(\.name).joined(separator: ", ") + ", or their indices)")
        }
        return task
    }
}

/// `mtl study`: arms from `--arms`.
func runStudyCommand(_ arguments: [String]) throws {
    var (flags, preset) = try Arguments(arguments, spec: studyCommand).applyingPreset()
    Parallelism.threadCount = try flags.threadCount()
    if preset == .maximumRoaming && !flags.has("update-interval") {
        let sampleCount = flags.integer("samples", default: flags.isSet("quick") ? 300 : nil)!
        let interval = Preset.updateInterval(trainCount: splitSizes(count: sampleCount).train,
                                             batchSize: flags.integer("batch-size")!)
        try flags.setValue(String(interval), for: "update-interval")
    }
    let names = flags.string("arms")!.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let arms = try names.map {
        try parseArm($0, width: flags.integer("width")!, sharingRatio: flags.number("sharing-ratio")!,
                     updateInterval: flags.integer("update-interval")!,
                     learningRate: Float(flags.number("learning-rate")!), batchSize: flags.integer("batch-size")!)
    }
    try runStudy(arms.map { try $0.withTrunk(from: flags).withInitialWeights(from: flags) }, flags: flags,
                 title: "study")
}

extension StudyArm {
    /// The arm with the trunk the shared flags ask for (`--backbone`, `--normalization`).
    func withTrunk(from flags: Arguments) -> StudyArm {
        var arm = self
        arm.options.backbone = Backbone(rawValue: flags.string("backbone")!)!
        arm.options.batchNormalization = flags.string("normalization") == "batch"
        return arm
    }
}
