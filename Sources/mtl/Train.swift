import Foundation
import MultiTaskKit

/// The flags `mtl train` takes (and records in the checkpoint, so `mtl eval` can rebuild the run).
let trainValueFlags: Set<String> = ["dataset", "architecture", "sharing-ratio", "update-interval", "selection", "mode", "epochs",
                                    "batch-size", "learning-rate", "seed", "threads", "samples", "correlation", "width", "output", "log-format",
                                    "balancer", "group-size"]

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
        dataset = SyntheticDataset(rawValue: try flags.string("dataset", default: "shapes", choices: SyntheticDataset.allCases.map(\.rawValue))!)!
        architecture = Architecture(rawValue: try flags.string("architecture", default: "multi-head", choices: Architecture.allCases.map(\.rawValue))!)!
        sampleCount = try flags.integer("samples", default: 3000, in: 20...1_000_000)
        correlation = try flags.number("correlation", default: 0.5, in: -1...1)
        options.width = try flags.integer("width", default: 16, in: 1...1024)
        options.sharingRatio = try flags.number("sharing-ratio", default: 0.5, in: 0.01...1)
        options.seed = UInt64(try flags.integer("seed", default: 0, in: 0...Int.max))
        let selection = try flags.string("selection", default: "random", choices: ["random", "least-aligned"])!
        options.selection = selection == "random" ? .random : .leastAligned
        if flags.has("update-interval") {
            options.updateInterval = try flags.integer("update-interval", default: 10, in: 1...1_000_000)
            updateIntervalGiven = true
        }
    }

    init(metadata: [String: String]) throws {
        func value(_ key: String) throws -> String {
            guard let text = metadata["run.\(key)"] else { throw UsageError(description: "the checkpoint has no run.\(key): was it written by `mtl train`?") }
            return text
        }
        guard let dataset = SyntheticDataset(rawValue: try value("dataset")), let architecture = Architecture(rawValue: try value("architecture")),
              let samples = Int(try value("samples")), let correlation = Double(try value("correlation")), let width = Int(try value("width")),
              let ratio = Double(try value("sharing-ratio")), let seed = UInt64(try value("seed")), let interval = Int(try value("update-interval")),
              let selection = RoamingSelection(rawValue: try value("selection")) else {
            throw UsageError(description: "the checkpoint's run metadata is malformed: \(metadata.filter { $0.key.hasPrefix("run.") })")
        }
        self.dataset = dataset
        self.architecture = architecture
        sampleCount = samples
        self.correlation = correlation
        options = ArchitectureOptions(width: width, sharingRatio: ratio, updateInterval: interval, selection: selection, seed: seed)
        options.skipsMaskedUnits = true
    }

    var metadata: [String: String] {
        ["run.dataset": dataset.rawValue, "run.architecture": architecture.rawValue, "run.samples": String(sampleCount),
         "run.correlation": String(correlation), "run.width": String(options.width), "run.sharing-ratio": String(options.sharingRatio),
         "run.seed": String(options.seed), "run.update-interval": String(options.updateInterval), "run.selection": options.selection.rawValue]
    }

    func makeData() throws -> DatasetSplits<MultiTaskDataset> {
        try dataset.make(sampleCount: sampleCount, seed: options.seed, correlation: Float(correlation))
    }

    /// Masked architectures need every unit covered by the round-robin init: p ≥ ⌈C/T⌉ / C.
    func validate(taskCount: Int) throws {
        guard architecture == .maximumRoaming || architecture == .fixedPartitioning else { return }
        let units = options.width
        let minimum = Double((units + taskCount - 1) / taskCount) / Double(units)
        guard TaskMask.activeCount(unitCount: units, sharingRatio: options.sharingRatio) >= (units + taskCount - 1) / taskCount else {
            throw UsageError(description: String(format: "--sharing-ratio %.3g is too small for %d tasks over %d units: at least %.3g", options.sharingRatio, taskCount, units, minimum))
        }
    }
}

/// `mtl train`: one architecture on one generated dataset; writes the log, the figures and the
/// checkpoint into the output directory.
func runTrain(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, valueFlags: trainValueFlags, switchFlags: ["resume", "quiet"], command: "train")
    Parallelism.threadCount = try flags.integer("threads", default: Parallelism.threadCount, in: 1...256)
    var settings = try RunSettings(flags: flags)
    let epochs = try flags.integer("epochs", default: 5, in: 1...10_000)
    let batchSize = try flags.integer("batch-size", default: 64, in: 1...65_536)
    let learningRate = try flags.number("learning-rate", default: 1e-3, in: 1e-8...10)
    let modeName = try flags.string("mode", choices: ["summed", "alternating", "groups"])
    let balancing = BalancingMethod(rawValue: try flags.string("balancer", default: "ew", choices: BalancingMethod.allCases.map(\.rawValue))!)!
    let groupSize = try flags.integer("group-size", default: 1, in: 1...1000)
    let logFormat = try flags.string("log-format", default: "csv", choices: ["csv", "jsonl"])!
    let output = URL(fileURLWithPath: try flags.string("output", default: "mtl-run")!)
    let data = try settings.makeData()
    try settings.validate(taskCount: data.train.tasks.count)
    if !settings.updateIntervalGiven { settings.options.updateInterval = max(1, (data.train.count + batchSize - 1) / batchSize / 10) }
    do {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    } catch {
        throw UsageError(description: "cannot create the output directory \(output.path): \(error.localizedDescription)")
    }
    let checkpointURL = output.appendingPathComponent("model.mtlckpt")
    let resume = flags.isSet("resume")
    if resume && !FileManager.default.fileExists(atPath: checkpointURL.path) {
        throw UsageError(description: "--resume: no checkpoint at \(checkpointURL.path)")
    }
    let mode = modeName.map { ["summed": TrainingMode.summed, "alternating": .taskAlternating, "groups": .randomTaskGroups][$0]! }
    if balancing != .equal && (mode ?? defaultTrainingMode(for: settings.architecture)) == .taskAlternating {
        throw UsageError(description: "--balancer \(balancing.rawValue): task-alternating training steps on each task's loss alone; use --mode summed or groups")
    }
    print("training \(settings.architecture.rawValue) (\(balancing.rawValue)) on \(settings.dataset.rawValue): \(data.train.count) train / \(data.validation.count) validation / \(data.test.count) test samples, \(data.train.tasks.count) tasks, \(epochs) epochs")
    let result = try runExperiment(settings.architecture, data: data, options: settings.options, epochs: epochs, batchSize: batchSize,
                                   learningRate: Float(learningRate), mode: mode, balancing: balancing, taskGroupSize: groupSize,
                                   logURL: output.appendingPathComponent("log.\(logFormat)"), checkpointURL: checkpointURL,
                                   diagnosticsURL: output.appendingPathComponent("diagnostics.jsonl"), gradientStatisticsInterval: 20,
                                   printsEpochs: !flags.isSet("quiet"), metadata: settings.metadata, resume: resume)
    let tasks = data.train.tasks.map(\.name)
    if !result.history.isEmpty {
        try LinePlot(title: "Training loss (\(settings.architecture.rawValue))", xLabel: "epoch", yLabel: "mean training loss",
                     series: tasks.indices.map { task in .init(name: tasks[task], values: result.history.map { $0.trainLosses[task] }) },
                     logarithmicY: true).write(to: output.appendingPathComponent("loss.svg"))
        try LinePlot(title: "Validation \(data.train.tasks[0].metrics[0].rawValue)", xLabel: "epoch", yLabel: "main metric",
                     series: tasks.indices.map { task in .init(name: tasks[task], values: result.history.map { $0.validation![task].mainValue }) })
            .write(to: output.appendingPathComponent("validation.svg"))
    }
    print("\n" + comparisonTable([(settings.architecture.rawValue, result)], baseline: nil))
    print("\nwrote \(output.path)/{log.\(logFormat), diagnostics.jsonl, loss.svg, validation.svg, model.mtlckpt}; evaluate with: mtl eval --checkpoint \(checkpointURL.path)")
}

/// `mtl eval`: rebuilds a run from its checkpoint and reports the test split.
func runEval(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, valueFlags: ["checkpoint", "threads"], command: "eval")
    Parallelism.threadCount = try flags.integer("threads", default: Parallelism.threadCount, in: 1...256)
    guard let path = try flags.string("checkpoint") else { throw UsageError(description: "eval: --checkpoint PATH is required") }
    var checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: path))
    let settings = try RunSettings(metadata: checkpoint.metadata)
    let data = try settings.makeData()
    let model = makeNetwork(settings.architecture, tasks: data.test.tasks, inputShape: data.test.inputShape, options: settings.options)
    for key in checkpoint.tensors.keys where key.hasPrefix("trainer.") { checkpoint.tensors[key] = nil }
    try model.load(checkpoint)
    let evaluations = evaluate(model, on: data.test)
    print("\(settings.architecture.rawValue) on \(settings.dataset.rawValue), \(checkpoint.metadata["trainer.completedEpochs"] ?? "?") epochs, test split (\(data.test.count) samples):")
    for evaluation in evaluations {
        let metrics = evaluation.metrics.sorted { $0.key.rawValue < $1.key.rawValue }.map { String(format: "%@ %.4f", $0.key.rawValue, $0.value) }
        print("  \(evaluation.task): loss \(String(format: "%.4f", evaluation.loss)), " + metrics.joined(separator: ", "))
    }
}
