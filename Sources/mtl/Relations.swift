import Foundation
import MultiTaskKit

/// `mtl relations`: which tasks should learn together — a task × task affinity matrix by Taskonomy's
/// transfer modelling with AHP, the gradient cosine or the lookahead affinity; the sources a budget
/// buys (exact subset selection) and, with --groups, the best partition into groups. Writes the
/// matrix (`affinity.csv`) and its heat map (`affinity.svg`) into --output when given.
let relationsCommand = CommandSpec(
    name: "relations",
    summary: "Which tasks should learn together: the task affinity matrix (Taskonomy transfers with AHP, gradient "
        + "cosine, or lookahead affinity), the best sources under a budget (exact), and with --groups the best "
        + "partition of the tasks into groups (exact). On generated data or your own (--data FILE.csv, or --inputs "
        + "and --targets .npy files).",
    flags: [
        Flag(name: "dataset", kind: .choice(default: "regression", choices: SyntheticDataset.allCases.map(\.rawValue)),
             help: "the generated data"),
        Flag(name: "samples", kind: .integer(default: 2000, range: 20...1_000_000),
             help: "generated samples, split 70/10/20 into train/validation/test"),
        Flag(name: "correlation", kind: .number(default: 0.5, range: -1...1),
             help: "ρ between the regression tasks (within a block for blocks)"),
    ] + userDataFlags + [
        Flag(name: "method", kind: .choice(default: "taskonomy", choices: RelationMethod.allCases.map(\.rawValue)),
             help: "the affinity estimator"),
        Flag(name: "budget", kind: .integer(default: 2, range: 1...64),
             help: "the most source tasks the selection may supervise"),
        Flag(name: "groups", kind: .integer(default: nil, range: 1...12),
             help: "also partition the tasks into this many groups (exact; at most 12 tasks)"),
        Flag(name: "order", kind: .integer(default: 1, range: 1...4),
             help: "taskonomy: the highest transfer order (k > 1 adds each target's top 2…k sources concatenated)"),
        Flag(name: "epochs", kind: .integer(default: 10, range: 1...10_000),
             help: "epochs of each source network (taskonomy) or of the measured multi-head run"),
        Flag(name: "readout-epochs", kind: .integer(default: 5, range: 1...10_000),
             help: "taskonomy: epochs of each transfer readout"),
        Flag(name: "width", kind: .integer(default: 16, range: 1...1024), help: "channels or units of the backbone"),
        Flag(name: "batch-size", kind: .integer(default: 64, range: 1...65_536), help: "samples per batch"),
        Flag(name: "learning-rate", kind: .number(default: 1e-3, range: 1e-8...10), help: "Adam's step size"),
        Flag(name: "seed", kind: .integer(default: 0, range: 0...1_000_000), help: "seeds the data and the networks"),
        Flag(name: "output", kind: .text(default: nil, placeholder: "DIR"),
             help: "write affinity.csv and the heat map affinity.svg"),
        CommandSpec.threadsFlag,
    ])

/// Runs `mtl relations`.
func runRelations(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, spec: relationsCommand)
    Parallelism.threadCount = try flags.threadCount()
    let seed = UInt64(flags.integer("seed")!)
    let data: DatasetSplits<MultiTaskDataset>
    let dataName: String
    if let userData = try UserDataSource(flags: flags) {
        data = try userData.prepare(try userData.load(), seed: seed).splits
        dataName = userData.name
    } else {
        let dataset = SyntheticDataset(rawValue: flags.string("dataset")!)!
        let sampleCount = flags.integer("samples")!
        try checkDatasetSize(sampleCount, of: dataset)
        data = try dataset.make(sampleCount: sampleCount, seed: seed, correlation: Float(flags.number("correlation")!))
        dataName = dataset.rawValue
    }
    let tasks = data.train.tasks
    let budget = flags.integer("budget")!
    guard budget <= tasks.count else {
        throw UsageError(description: "--budget \(budget): the data have only \(tasks.count) tasks")
    }
    let groupCount = flags.integer("groups")
    if let groupCount, groupCount > tasks.count || tasks.count > 12 {
        throw UsageError(description: "--groups \(groupCount): needs at most \(min(tasks.count, 12)) groups and at "
                         + "most 12 tasks (the data have \(tasks.count))")
    }
    let method = RelationMethod(rawValue: flags.string("method")!)!
    var options = ArchitectureOptions(width: flags.integer("width")!, seed: seed)
    options.seed = seed
    let taskonomy = TaskonomySettings(options: options, sourceEpochs: flags.integer("epochs")!,
                                      readoutEpochs: flags.integer("readout-epochs")!, readoutWidth: options.width,
                                      maximumOrder: flags.integer("order")!, batchSize: flags.integer("batch-size")!,
                                      learningRate: Float(flags.number("learning-rate")!))
    var transfers: [Transfer]
    let affinity: TaskAffinity
    if method == .taskonomy {
        let result = try taskonomyAffinities(data: data, settings: taskonomy)
        affinity = result.affinity
        transfers = result.transfers
    } else {
        affinity = try estimateAffinity(method, data: data, settings: RelationSettings(
            taskonomy: taskonomy, trainingEpochs: flags.integer("epochs")!))
        transfers = affinity.firstOrderTransfers
    }
    print("\(method.rawValue) affinity on \(dataName) (row: source s, column: target t)")
    print(affinity.table)
    if let selection = selectSources(transfers: transfers, taskCount: tasks.count, budget: .sourceCount(budget)) {
        print("\nbest sources for a budget of \(budget): " + selection.sources.map { tasks[$0].name }
            .joined(separator: ", ") + String(format: " (total affinity %.3f)", selection.totalAffinity))
        for transfer in selection.transfers {
            let from = transfer.sources.map { tasks[$0].name }.joined(separator: "+")
            print("  \(tasks[transfer.target].name) ← \(transfer.sources == [transfer.target] ? "itself" : from)")
        }
    }
    if let groupCount {
        let grouping = bestTaskGrouping(affinity: affinity.values, groupCount: groupCount)
        print("\nbest \(groupCount) groups: " + grouping.description(names: tasks.map(\.name))
            + String(format: " (within-group affinity %.3f)", grouping.score))
    }
    if let output = flags.string("output") {
        let directory = URL(fileURLWithPath: output, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var csv = "source," + tasks.map(\.name).joined(separator: ",") + "\n"
            for (s, row) in affinity.values.enumerated() {
                csv += tasks[s].name + "," + row.map { String($0) }.joined(separator: ",") + "\n"
            }
            try writeAtomically(Data(csv.utf8), to: directory.appendingPathComponent("affinity.csv"))
            try affinity.heatMap(title: "\(method.rawValue) affinity, \(dataName), seed \(seed)")
                .write(to: directory.appendingPathComponent("affinity.svg"))
        } catch {
            throw UsageError(description: "--output \(excerpt(output)): cannot write: \(error.localizedDescription)")
        }
        print("\nwrote \(directory.path)/affinity.csv and affinity.svg")
    }
}
