// %% [markdown]
// # 09 — Maximum Roaming: fixed partitioning vs roaming
//
// Pascal et al. ("Maximum Roaming Multi-Task Learning", AAAI 2021) give each task a random subset
// of every shared layer's units — a fraction p, the sharing ratio — by a binary mask m_t after the
// layer (fixed partitioning, "task routing"). Maximum Roaming then *moves* the partitions: every Δ
// training batches, in each layer, each task swaps one active unit for one it has never used, until
// every task has visited every unit. Its progress r(c) is the fraction of units visited — mean over
// tasks of |B_t| / C, B_t the units task t has ever used, averaged over the masked layers — from
// about p at the start to 1 when roaming is complete. The claim: the same per-step interference as
// fixed partitioning, but each parameter learns from many tasks over training — better
// generalization.
//
// On 8 attribute groups of generated shape images we compare, with seeds and as measured:
// fixed partitioning vs roaming across p, the roaming interval Δ, random vs least-aligned unit
// selection, and how progress r(c) grows. Run with `swift run -c release 09-maximum-roaming`
// (`--quick`: a smaller run).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let data = try SyntheticDataset.shapes.make(sampleCount: quick ? 200 : 1200, seed: 1)
let epochs = quick ? 1 : 5
let stepsPerEpoch = (data.train.count + 63) / 64

// %% [markdown]
// ## One run, epoch by epoch
// `makeNetwork(.maximumRoaming, …)` puts a `TaskMask` after each of the three convolutions; the
// network roams in `willTrain(step:)`, which the trainer calls once per batch (so Δ counts
// batches). Training is task-alternating, as the reference: per batch, one forward/backward/Adam
// step per task. `skipsMaskedUnits` computes only each task's active channels (same results, half
// the work at p = 0.5). We keep the validation mean F-score and the roaming progress after every
// epoch.

// %%
func run(_ architecture: Architecture, sharingRatio: Double, interval: Int, selection: RoamingSelection = .random,
         seed: UInt64) throws -> (meanF: [Double], progress: [Double], testF: Double) {
    var options = ArchitectureOptions(width: 16, sharingRatio: sharingRatio, updateInterval: interval,
                                      selection: selection, seed: seed)
    options.skipsMaskedUnits = true
    let model = makeNetwork(architecture, tasks: data.train.tasks, inputShape: data.train.inputShape, options: options)
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                          configuration: .init(epochs: 0, batchSize: 64, seed: seed, mode: .taskAlternating,
                                               showsProgress: false))
    var meanF: [Double] = [], progress: [Double] = []
    for epoch in 1...epochs {
        trainer.configuration.epochs = epoch
        let record = try trainer.fit(data.train, validation: data.validation)[0]
        meanF.append(record.validation!.map(\.mainValue).reduce(0, +) / Double(record.validation!.count))
        progress.append((model as! MaximumRoamingNetwork).progress)
    }
    let test = evaluate(model, on: data.test)
    return (meanF, progress, test.map(\.mainValue).reduce(0, +) / Double(test.count))
}

// %% [markdown]
// ## Fixed partitioning vs roaming across p
// Δ = a fifth of an epoch, rounded down to whole batches (2 of the full run's 14); seeds 1 and 2;
// test mean F-score.

// %%
let seeds: [UInt64] = quick ? [1] : [1, 2]
let ratios = quick ? [0.5] : [0.25, 0.5, 0.75]
let interval = max(1, stepsPerEpoch / 5)
var curves: [(name: String, values: [Double])] = []
print("p      fixed partitioning   roaming   (test mean F, mean over \(seeds.count) seeds)")
for ratio in ratios {
    var fixed: [Double] = [], roaming: [Double] = []
    for seed in seeds {
        fixed.append(try run(.fixedPartitioning, sharingRatio: ratio, interval: interval, seed: seed).testF)
        let roamed = try run(.maximumRoaming, sharingRatio: ratio, interval: interval, seed: seed)
        roaming.append(roamed.testF)
        if seed == seeds[0] { curves.append(("r(c), p = \(ratio)", roamed.progress)) }
    }
    print(String(format: "%.2f   %.3f                %.3f", ratio, fixed.reduce(0, +) / Double(fixed.count),
                 roaming.reduce(0, +) / Double(roaming.count)))
}

// %% [markdown]
// ## The roaming interval Δ and the selection rule
// p = 0.5, seed 1: roaming every batch and every half epoch (against Δ = a fifth of an epoch above);
// and the least-aligned rule (the unvisited unit whose filter is least aligned with the active ones).

// %%
for (name, steps, selection) in [("Δ = 1 batch", 1, RoamingSelection.random), ("Δ = 0.5 epoch", max(1,
    stepsPerEpoch / 2), .random),
                                 ("Δ = 0.2 epoch, least-aligned", interval, .leastAligned)] {
    let result = try run(.maximumRoaming, sharingRatio: 0.5, interval: steps, selection: selection, seed: 1)
    print(String(format: "%@: test mean F %.3f, progress r after each epoch %@", name, result.testF,
                 result.progress.map { String(format: "%.2f", $0) }.joined(separator: " ")))
}

// %% [markdown]
// ## The figure
// Roaming progress r(c) per epoch for each p (seed 1, Δ = 0.2 epoch). Written to
// `Tutorials/figures/09-roaming-progress.svg` in a full run.

// %%
let figure = LinePlot(title: "Roaming progress r(c) per epoch (Δ = 0.2 epoch)", xLabel: "epoch",
                      yLabel: "r(c), fraction of units visited",
                      series: curves.map { .init(name: $0.name, values: $0.values) })
let figureURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("09-roaming-progress.svg")
                      : URL(fileURLWithPath: "Tutorials/figures/09-roaming-progress.svg")
try figure.write(to: figureURL)
print("figure: \(figureURL.path)")

// %% [markdown]
// ## The architectures, drawn
// One shared layer, a unit mask per task: fixed, or roaming over training. Written to
// `Tutorials/figures/architecture-<name>.svg` (a `--quick` run
// writes to the temporary directory).

// %%
for architecture in [Architecture.maximumRoaming, .fixedPartitioning] {
    let folder = quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures")
    let url = folder.appendingPathComponent("architecture-\(architecture.rawValue).svg")
    try ArchitectureDiagram(architecture, taskCount: 2).write(to: url)
    print("diagram: \(url.path)")
}

// %% [markdown]
// ## The masks over time
// The first masked layer's masks after each epoch of one roaming run (p = 0.5, Δ = a fifth of an
// epoch, seed 1): dark cells are active, pale ones visited earlier, white ones never used. Written to
// `Tutorials/figures/09-roaming-masks.svg`.

// %%
do {
    var options = ArchitectureOptions(width: 16, sharingRatio: 0.5, updateInterval: max(1, stepsPerEpoch / 5), seed: 1)
    options.skipsMaskedUnits = true
    let model = makeNetwork(.maximumRoaming, tasks: data.train.tasks, inputShape: data.train.inputShape,
                            options: options)
    let mask = model.namedModules().compactMap { $0.module as? TaskMask }[0]
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                          configuration: .init(epochs: 0, batchSize: 64, seed: 1, mode: .taskAlternating,
                                               showsProgress: false))
    var snapshots = [MaskTimeline.Snapshot(caption: "start", masks: mask.masks.value, visited: mask.visited.value)]
    for epoch in 1...epochs {
        trainer.configuration.epochs = epoch
        try trainer.fit(data.train)
        snapshots.append(.init(caption: "epoch \(epoch)", masks: mask.masks.value, visited: mask.visited.value))
    }
    let url = (quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures"))
        .appendingPathComponent("09-roaming-masks.svg")
    try MaskTimeline(title: "Maximum Roaming: task masks of the first layer, epoch by epoch",
                     snapshots: snapshots).write(to: url)
    print("masks: \(url.path)")
}
