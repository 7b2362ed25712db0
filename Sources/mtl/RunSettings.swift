import Foundation
import MultiTaskKit

// A run's settings: parsed from `mtl train`'s flags, recorded in its checkpoint (`run.<flag>`), read
// back by `mtl eval` and checked by `--resume`.

/// Settings `mtl train` records since 2026-12-01, with the value every earlier run had.
let settingsAddedLater = ["initialization": "round-robin", "backbone": "plain", "normalization": "none",
                          "channel-dropout": "0.0", "schedule": "constant", "warmup-steps": "0",
                          "early-stopping": "0"]

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
        if let interval = flags.integer("update-interval") {
            options.updateInterval = interval
            updateIntervalGiven = true
        }
        try checkDatasetSize()
    }

    /// The settings of a run, read back from its checkpoint's metadata: every `run.<flag>` value
    /// passes the flag's own check (a checkpoint is an untrusted file).
    init(metadata: [String: String]) throws {
        let required = ["dataset", "architecture", "samples", "correlation", "width", "sharing-ratio", "seed",
                        "update-interval", "selection"]
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

    var metadata: [String: String] {
        ["run.dataset": dataset.rawValue, "run.architecture": architecture.rawValue, "run.samples": String(sampleCount),
         "run.correlation": String(correlation), "run.width": String(options.width),
         "run.sharing-ratio": String(options.sharingRatio), "run.seed": String(options.seed),
         "run.update-interval": String(options.updateInterval), "run.selection": options.selection.flagName,
         "run.channel-dropout": String(options.channelDropout),
         "run.initialization": options.partitionInitialization.rawValue, "run.backbone": options.backbone.rawValue,
         "run.normalization": options.batchNormalization ? "batch" : "none"]
    }

    func makeData() throws -> DatasetSplits<MultiTaskDataset> {
        try dataset.make(sampleCount: sampleCount, seed: options.seed, correlation: Float(correlation))
    }

    /// Masked architectures need every masked layer covered by the round-robin init: p ≥ ⌈C/T⌉ / C
    /// for each layer's unit count C (w, and 2w and 4w in the image backbone).
    func validate(data: DatasetSplits<MultiTaskDataset>) throws {
        guard architecture == .maximumRoaming || architecture == .fixedPartitioning else { return }
        let dense = data.train.tasks.contains { $0.kind.isDense }
        for units in maskedUnitCounts(inputShape: data.train.inputShape, denseOutput: dense, width: options.width,
                                      backbone: options.backbone) {
            if let problem = TaskMask.coverageProblem(unitCount: units, taskCount: data.train.tasks.count,
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
    let settings = try RunSettings(metadata: checkpoint.metadata)
    let data = try settings.makeData()
    try settings.validate(data: data)
    let model = makeNetwork(settings.architecture, tasks: data.test.tasks, inputShape: data.test.inputShape,
                            options: settings.options)
    return (settings, data, model)
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
    var changed: [String] = [], unrecorded: [String] = []
    for flag in resultFlags {
        guard let current = metadata["run.\(flag)"] else { continue }
        guard var previous = stored["run.\(flag)"] ?? settingsAddedLater[flag] else {
            unrecorded.append("--\(flag)")
            continue
        }
        if flag == "mode" { previous = storedModeName(previous) }
        if previous != current { changed.append("--\(flag) \(excerpt(previous)) → \(current)") }
    }
    if recordsAll, !unrecorded.isEmpty {
        throw UsageError(description: "--resume: the checkpoint in \(checkpointURL.deletingLastPathComponent().path) "
                         + "does not record \(unrecorded.joined(separator: ", ")): it was damaged or edited")
    }
    guard changed.isEmpty else {
        throw UsageError(description: "--resume: the run in \(checkpointURL.deletingLastPathComponent().path) was "
                         + "started with other settings: \(changed.joined(separator: ", ")) (only --epochs, --threads "
                         + "and --quiet may change on resume)")
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
