import Foundation
import MultiTaskKit

// A run's settings: parsed from `mtl train`'s flags, recorded in its checkpoint (`run.<flag>`, and
// `data.*` for a user's own data: UserData+Record.swift), read back by `mtl eval`, `mtl export`,
// `mtl import` and `mtl predict`, and checked by `--resume`.

/// Settings `mtl train` records since 2026-12-01, with the value every earlier run had.
let settingsAddedLater = ["initialization": "round-robin", "backbone": "plain", "normalization": "none",
                          "channel-dropout": "0.0", "schedule": "constant", "warmup-steps": "0",
                          "early-stopping": "0", "experts": "8", "shared-experts": "1", "task-experts": "1",
                          "levels": "2", "search-epochs": "20", "branch-sampling": "hard",
                          "branch-learning-rate": "0.01", "labelled-fraction": "1", "consistency-weight": "0.0"]

/// A run's settings, parsed from flags or read back from a checkpoint's metadata.
struct RunSettings {
    var dataset = SyntheticDataset.shapes
    var architecture = Architecture.multiHead
    var sampleCount = 3000
    var correlation = 0.5
    /// Masked architectures compute only each task's active units (same results, about half the work at p = 0.5).
    var options: ArchitectureOptions = {
        var options = ArchitectureOptions()
        options.skipsMaskedUnits = true
        return options
    }()
    var updateIntervalGiven = false
    /// The user's own data (`--data`, or `--inputs` and `--targets`); nil: the generated `dataset`.
    var userData: UserDataSource?
    /// What `makeData()` records of the user's data in the checkpoint: the `run.*` settings that name
    /// it and the `data.*` record (UserData+Record.swift); empty for generated data.
    var dataRecord: [String: String] = [:]
    /// The user's tasks whose kinds `makeData()` inferred.
    var inferredTasks: [String] = []

    init(flags: Arguments) throws {
        dataset = SyntheticDataset(rawValue: flags.string("dataset")!)!
        architecture = Architecture(rawValue: flags.string("architecture")!)!
        sampleCount = flags.integer("samples")!
        correlation = flags.number("correlation")!
        options.width = flags.integer("width")!
        options.sharingRatio = flags.number("sharing-ratio")!
        options.seed = UInt64(flags.integer("seed")!)
        let selection = flags.string("selection")!
        options.selection = RoamingSelection.allCases.first { $0.flagName == selection }!
        options.channelDropout = Float(flags.number("channel-dropout")!)
        options.partitionInitialization = PartitionInitialization(rawValue: flags.string("initialization")!)!
        options.backbone = Backbone(rawValue: flags.string("backbone")!)!
        options.batchNormalization = flags.string("normalization") == "batch"
        options.setExpertCounts(from: flags)
        options.setBranching(from: flags)
        if let interval = flags.integer("update-interval") {
            options.updateInterval = interval
            updateIntervalGiven = true
        }
        userData = try UserDataSource(flags: flags)
        if userData == nil { try checkDatasetSize() }
    }

    /// The settings of a run, read back from its checkpoint's metadata: every `run.<flag>` value
    /// passes the flag's own check (a checkpoint is an untrusted file).
    init(metadata: [String: String]) throws {
        let userData = metadata["run.data"] != nil || metadata["run.inputs"] != nil
        let required = (userData ? ["tasks"] : ["dataset", "samples", "correlation"])
            + ["architecture", "width", "sharing-ratio", "seed", "update-interval", "selection"]
        if let missing = required.first(where: { metadata["run.\($0)"] == nil }) {
            throw UsageError(description: "the checkpoint has no run.\(missing): was it written by `mtl train`?")
        }
        var values: [String: String] = [:]
        for (key, value) in metadata where key.hasPrefix("run.") { values[String(key.dropFirst(4))] = value }
        values["mode"] = values["mode"].map(storedModeName)
        // Checkpoints written before 2026-12-01 recorded the selection's raw value (`leastAligned`).
        values["selection"] = values["selection"].map { RoamingSelection(rawValue: $0)?.flagName ?? $0 }
        let flags = try Arguments(values: values, spec: trainCommand, source: "the checkpoint's run settings")
        try self.init(flags: flags)
    }

    /// The dataset's bytes (inputs and targets, Float32) must fit in memory: refused beyond
    /// `maximumDatasetBytes` before anything is generated.
    func checkDatasetSize() throws { try mtl.checkDatasetSize(sampleCount, of: dataset) }

    /// The run's settings as checkpoint metadata (`run.<flag>`; for a user's data also its `data.*`
    /// record, once `makeData()` has read it).
    var metadata: [String: String] {
        let settings = ["run.architecture": architecture.rawValue, "run.width": String(options.width),
                        "run.sharing-ratio": String(options.sharingRatio), "run.seed": String(options.seed),
                        "run.update-interval": String(options.updateInterval),
                        "run.selection": options.selection.flagName,
                        "run.channel-dropout": String(options.channelDropout),
                        "run.initialization": options.partitionInitialization.rawValue,
                        "run.backbone": options.backbone.rawValue,
                        "run.normalization": options.batchNormalization ? "batch" : "none"]
            .merging(options.expertMetadata) { $1 }.merging(options.branchingMetadata) { $1 }
        guard userData == nil else { return settings.merging(dataRecord) { $1 } }
        return settings.merging(["run.dataset": dataset.rawValue, "run.samples": String(sampleCount),
                                 "run.correlation": String(correlation)]) { $1 }
    }

    /// The data in a few words: the generated dataset's name, or the user's file name.
    var dataName: String { userData?.name ?? dataset.rawValue }

    /// The run's train, validation and test splits. A user's data are read, checked, split by the
    /// seed and standardized with the training split's statistics, and `dataRecord` is filled in.
    /// With `recorded` (the metadata of the run's checkpoint: `mtl eval`), the files must be the
    /// ones the run was trained on, and the statistics the recorded ones.
    mutating func makeData(recorded: [String: String]? = nil) throws -> DatasetSplits<MultiTaskDataset> {
        guard let userData else {
            return try dataset.make(sampleCount: sampleCount, seed: options.seed, correlation: Float(correlation))
        }
        var record: RecordedUserData?
        if let recorded {
            record = try RecordedUserData(metadata: recorded, tasks: try userData.declaredSpecs())
            try userData.checkUnchanged(record!)
        }
        let data = try userData.load()
        let prepared = try userData.prepare(data, seed: options.seed)
        if let record { try userData.checkStatistics(record, prepared: prepared, tasks: data.dataset.tasks) }
        inferredTasks = data.inferredTasks
        dataRecord = userData.runSettings(data)
            .merging(userData.dataRecord(data, prepared: prepared, checksums: try userData.checksums())) { $1 }
        return prepared.splits
    }

    /// Masked architectures need every masked layer covered by the round-robin init: p ≥ ⌈C/T⌉ / C
    /// for each layer's unit count C (w, and 2w and 4w in the image backbone); expert architectures
    /// need expert counts and levels that fit (`expertOptionsProblem`).
    func validate(data: DatasetSplits<MultiTaskDataset>) throws {
        try validate(tasks: data.train.tasks, inputShape: data.train.inputShape)
    }

    /// `validate(data:)` from the tasks and the shape of one input.
    func validate(tasks: [TaskSpec], inputShape: [Int]) throws {
        let dense = tasks.contains { $0.kind.isDense }
        if let problem = expertOptionsProblem(architecture, inputShape: inputShape, denseOutput: dense,
                                              options: options) {
            throw UsageError(description: "--architecture \(architecture.rawValue): \(problem)")
        }
        if let problem = branchingOptionsProblem(architecture, taskCount: tasks.count, inputShape: inputShape,
                                                 denseOutput: dense, options: options) {
            throw UsageError(description: "--architecture \(architecture.rawValue): \(problem)")
        }
        guard architecture == .maximumRoaming || architecture == .fixedPartitioning else { return }
        for units in maskedUnitCounts(inputShape: inputShape, denseOutput: dense, width: options.width,
                                      backbone: options.backbone) {
            if let problem = TaskMask.coverageProblem(unitCount: units, taskCount: tasks.count,
                                                      sharingRatio: options.sharingRatio,
                                                      initialization: options.partitionInitialization) {
                throw UsageError(description: "--sharing-ratio \(options.sharingRatio) with --width \(options.width): "
                                 + "a layer of \(units) units: \(problem)")
            }
        }
    }
}

/// The network a checkpoint's run settings describe, and its test data: how `mtl eval`, `mtl
/// export` and `mtl import` rebuild a run. The checkpoint's weights are not applied.
func rebuildRun(_ checkpoint: Checkpoint) throws -> (settings: RunSettings, data: DatasetSplits<MultiTaskDataset>,
                                                      model: MultiTaskNetwork) {
    var settings = try RunSettings(metadata: checkpoint.metadata)
    try settings.readBranchingTree(checkpoint.metadata)
    let data = try settings.makeData(recorded: checkpoint.metadata)
    try settings.validate(data: data)
    let model = makeNetwork(settings.architecture, tasks: data.test.tasks, inputShape: data.test.inputShape,
                            options: settings.options)
    return (settings, data, model)
}

/// The network a checkpoint's run settings describe, without its data: a user's data are not read
/// (their tasks and input shape are recorded), generated data are made on a small sample for their
/// shapes. What `mtl export`, `mtl import` and `mtl predict` need. The weights are not applied.
func rebuildModel(_ checkpoint: Checkpoint) throws -> (settings: RunSettings, tasks: [TaskSpec], inputShape: [Int],
                                                        model: MultiTaskNetwork) {
    var settings = try RunSettings(metadata: checkpoint.metadata)
    try settings.readBranchingTree(checkpoint.metadata)
    let tasks: [TaskSpec], inputShape: [Int]
    if let userData = settings.userData {
        tasks = try userData.declaredSpecs()
        inputShape = try RecordedUserData(metadata: checkpoint.metadata, tasks: tasks).inputShape
    } else {
        settings.sampleCount = 40
        let probe = try settings.makeData()
        (tasks, inputShape) = (probe.train.tasks, probe.train.inputShape)
    }
    try settings.validate(tasks: tasks, inputShape: inputShape)
    let model = makeNetwork(settings.architecture, tasks: tasks, inputShape: inputShape, options: settings.options)
    return (settings, tasks, inputShape, model)
}

/// The most bytes of generated data `mtl` holds in memory (4 GiB).
let maximumDatasetBytes = 4 << 30

extension SyntheticDataset {
    /// Float32 values per sample, inputs and targets together (measured on a tiny sample).
    var floatsPerSample: Int {
        guard let data = try? make(sampleCount: 40, seed: 0) else { return 0 }
        let total = data.train.inputs.count + data.train.targets.map(\.count).reduce(0, +)
        return (total + data.train.count - 1) / max(1, data.train.count)
    }
}

/// The `--mode` name of `mode`; checkpoints record these.
func modeFlagName(_ mode: TrainingMode) -> String {
    switch mode {
    case .summed: "summed"
    case .taskAlternating: "alternating"
    case .randomTaskGroups: "groups"
    }
}

/// A checkpoint's `run.mode` as a `--mode` name: checkpoints written before 2026-11-30 recorded the
/// enum's raw values (`taskAlternating`), which `mtl eval` then refused.
func storedModeName(_ value: String) -> String { TrainingMode(rawValue: value).map(modeFlagName) ?? value }

/// `--resume` continues a run only with the settings it was started with: every `run.<flag>` of
/// `resultFlags` recorded in the checkpoint must equal its value now (all differences are listed).
/// A checkpoint written before a setting was recorded cannot be checked on it; that is said on
/// standard error.
func checkUnchangedSettings(_ checkpointURL: URL, now metadata: [String: String]) throws {
    let stored = try Checkpoint(contentsOf: checkpointURL).metadata
    // A checkpoint that records the batch size was written by an `mtl` that records every setting:
    // a missing one there is a damaged or edited file, not an older version.
    let recordsAll = stored["run.batch-size"] != nil
    let directory = checkpointURL.deletingLastPathComponent().path
    // A user's data: its flags are compared as given or not (a generated run records none of them),
    // and so are the files' checksums.
    func dataName(_ settings: [String: String]) -> String {
        settings["run.data"] ?? settings["run.inputs"] ?? "the generated \(settings["run.dataset"] ?? "?") data"
    }
    let userFlags = Set(userDataFlags.map(\.name))
    guard (stored["run.tasks"] == nil) == (metadata["run.tasks"] == nil) else {
        let before = excerpt(dataName(stored), limit: 200), now = excerpt(dataName(metadata), limit: 200)
        throw UsageError(description: "--resume: the run in \(directory) was trained on \(before), not on \(now)")
    }
    if metadata["run.tasks"] != nil && stored["data.checksums"] != metadata["data.checksums"] {
        throw UsageError(description: "--resume: the data files of the run in \(directory) have changed since it "
                         + "started (data.checksums): train again with --overwrite, or restore them")
    }
    var changed: [String] = [], unrecorded: [String] = []
    for flag in resultFlags where userFlags.contains(flag) && stored["run.\(flag)"] != metadata["run.\(flag)"] {
        changed.append("--\(flag) \(excerpt(stored["run.\(flag)"] ?? "(not given)", limit: 200)) → "
                       + excerpt(metadata["run.\(flag)"] ?? "(not given)", limit: 200))
    }
    for flag in resultFlags where !userFlags.contains(flag) {
        guard let current = metadata["run.\(flag)"] else { continue }
        guard var previous = stored["run.\(flag)"] ?? settingsAddedLater[flag] else {
            unrecorded.append("--\(flag)")
            continue
        }
        if flag == "mode" { previous = storedModeName(previous) }
        if previous != current { changed.append("--\(flag) \(excerpt(previous)) → \(current)") }
    }
    if recordsAll, !unrecorded.isEmpty {
        throw UsageError(description: "--resume: the checkpoint in \(directory) does not record "
                         + "\(unrecorded.joined(separator: ", ")): it was damaged or edited")
    }
    guard changed.isEmpty else {
        throw UsageError(description: "--resume: the run in \(directory) was started with other settings: "
                         + "\(changed.joined(separator: ", ")) (only --epochs, --threads and --quiet may change on "
                         + "resume)")
    }
    if !unrecorded.isEmpty {
        let note = "mtl: note: the checkpoint does not record \(unrecorded.joined(separator: ", ")); "
            + "they cannot be checked against the original run\n"
        writeToStandardError(note)
    }
}

extension RoamingSelection {
    /// The `--selection` value: `random`, `least-aligned`, `unconstrained`.
    var flagName: String {
        switch self {
        case .random: "random"
        case .leastAligned: "least-aligned"
        case .unconstrained: "unconstrained"
        }
    }
}

/// Refuses `--samples` of `dataset` whose bytes (inputs and targets, Float32) would exceed
/// `maximumDatasetBytes`, before anything is generated (`mtl train` and `mtl study`).
func checkDatasetSize(_ sampleCount: Int, of dataset: SyntheticDataset) throws {
    let bytes = Double(sampleCount) * Double(dataset.floatsPerSample) * 4
    guard bytes <= Double(maximumDatasetBytes) else {
        throw UsageError(description: String(format: "--samples %d of %@ would take %.1f GiB, more than the %d GiB "
                                             + "mtl generates",
                                             sampleCount, dataset.rawValue, bytes / 1_073_741_824.0,
                                             maximumDatasetBytes >> 30))
    }
}
