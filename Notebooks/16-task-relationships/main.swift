// %% [markdown]
// # 16 — Which tasks should learn together?
//
// Three estimators of how much one task helps another, and a problem whose answer we know. Six
// regression tasks in two blocks of three (`RelatedRegression` with a block correlation matrix R:
// ρ = 0.8 between the task weights of a block, 0 across — the data of `mtl relations --dataset
// blocks`). Each estimator gives a task × task affinity matrix; we score it by Spearman's rank
// correlation of its off-diagonal entries with R, over ten seeds, then pick sources under a budget
// and split the tasks into two groups. Run with `swift run -c release 16-task-relationships`
// (`--quick`: two seeds, less data); `--output DIR` writes `lab.csv` (one row per seed and
// estimator, resumable) and the heat maps there (default `Tutorials/figures`); `--correlation X`
// sets ρ within the blocks (default 0.8).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let outputIndex = CommandLine.arguments.firstIndex(of: "--output")
let output = URL(fileURLWithPath: outputIndex.map { CommandLine.arguments[$0 + 1] } ?? "Tutorials/figures",
                 isDirectory: true)
try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
let seeds: [UInt64] = quick ? [0, 1] : Array(0..<10)
let correlationIndex = CommandLine.arguments.firstIndex(of: "--correlation")
let within = correlationIndex.flatMap { Float(CommandLine.arguments[$0 + 1]) } ?? 0.8
let rhoText = String(format: "%.1f", within)

// %% [markdown]
// ## AHP on a tournament we can solve by hand
// If transfer i beats transfer j on a fraction w_i / (w_i + w_j) of the samples, then
// W′ = W ⊘ Wᵀ has entries w_i / w_j, and its principal eigenvector is w itself.

// %%
let strengths = [0.5, 0.3, 0.2]
let tournament = strengths.map { wi in strengths.map { wj in wi / (wi + wj) } }
let eigenvector = AHPNormalization.principalEigenvector(AHPNormalization.ratios(tournament: tournament))
print("AHP of a consistent tournament:", eigenvector.map { String(format: "%.3f", $0) }, "— the strengths", strengths)

// %% [markdown]
// ## The ground truth and one seed's estimates

// %%
let truthValues = RelatedRegression.blockCorrelations(blockSizes: [3, 3], within: within)
func blocks(seed: UInt64) throws -> DatasetSplits<MultiTaskDataset> {
    try SyntheticDataset.blocks.make(sampleCount: quick ? 600 : 2000, seed: seed, correlation: within)
}
let names = (0..<6).map { "task\($0)" }
let truth = TaskAffinity(taskNames: names, values: truthValues.map { $0.map(Double.init) }, method: "truth")
func settings(seed: UInt64) -> RelationSettings {
    RelationSettings(taskonomy: TaskonomySettings(options: ArchitectureOptions(width: 16, seed: seed),
                                                  sourceEpochs: quick ? 3 : 20, readoutEpochs: quick ? 2 : 10,
                                                  readoutWidth: 8),
                     trainingEpochs: quick ? 3 : 20)
}
try truth.heatMap(title: "ground truth R: two blocks, ρ = \(rhoText) within, 0 across")
    .write(to: output.appendingPathComponent("16-truth.svg"))
var firstEstimates: [RelationMethod: TaskAffinity] = [:]
for method in RelationMethod.allCases {
    let estimate = try estimateAffinity(method, data: try blocks(seed: seeds[0]), settings: settings(seed: seeds[0]))
    firstEstimates[method] = estimate
    print("\n\(method.rawValue), seed \(seeds[0]): Spearman with R",
          String(format: "%.3f", recoveryScore(estimate: estimate, truth: truth) ?? .nan))
    print(estimate.table)
    try estimate.heatMap(title: "\(method.rawValue) affinity, blocks ρ = \(rhoText), seed \(seeds[0])")
        .write(to: output.appendingPathComponent("16-\(method.rawValue).svg"))
}

// %% [markdown]
// ## Sources under a budget, and two groups
// With a budget of two sources, which tasks should get labels, and which source serves each target?
// And which split into two groups keeps the most affinity inside the groups?

// %%
for method in RelationMethod.allCases {
    let estimate = firstEstimates[method]!
    let selection = selectSources(transfers: estimate.firstOrderTransfers, taskCount: 6, budget: .sourceCount(2))!
    let grouping = bestTaskGrouping(affinity: estimate.values, groupCount: 2)
    print("\(method.rawValue): sources", selection.sources, "serving",
          selection.transfers.map { "\($0.target)←\($0.sources[0])" }.joined(separator: " "),
          "| groups", grouping.description())
}

// %% [markdown]
// ## The lab: every estimator over the seeds
// One row per seed and estimator in `lab.csv` (a rerun skips the rows already there); then the
// mean Spearman correlation with its 95% t-interval.

// %%
/// Runs the three estimators over `seeds`, appending one row per (seed, estimator) to `csv` at once (a
/// rerun skips the rows already there): Spearman with `truth`, and whether the best split into
/// `expected.count` groups is `expected`. Returns every row; `didEstimate` sees each new estimate.
func runLab(csv: URL, seeds: [UInt64], recoveredColumn: String, truth: TaskAffinity, expected: [[Int]],
            data: (UInt64) throws -> DatasetSplits<MultiTaskDataset>, settings: (UInt64) -> RelationSettings,
            didEstimate: (UInt64, RelationMethod, TaskAffinity) throws -> Void = { _, _, _ in }) throws -> [String] {
    var rows: [String] = FileManager.default.fileExists(atPath: csv.path)
        ? try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init) : []
    for seed in seeds {
        let pending = RelationMethod.allCases.filter { method in
            !rows.contains { $0.hasPrefix("\(seed),\(method.rawValue),") }
        }
        guard !pending.isEmpty else { continue }
        let splits = try data(seed)
        for method in pending {
            let start = Date()
            let estimate = try estimateAffinity(method, data: splits, settings: settings(seed))
            let score = recoveryScore(estimate: estimate, truth: truth) ?? .nan
            let grouping = bestTaskGrouping(affinity: estimate.values, groupCount: expected.count)
            rows.append("\(seed),\(method.rawValue),\(score),\(grouping.groups == expected),"
                        + String(format: "%.1f", Date().timeIntervalSince(start)))
            let text = "seed,method,spearman,\(recoveredColumn),seconds\n" + rows.joined(separator: "\n") + "\n"
            try writeAtomically(Data(text.utf8), to: csv)
            try didEstimate(seed, method, estimate)
        }
    }
    return rows
}

// (Quick runs keep their own file, so that a smoke run never stands in for a full one.)
let rows = try runLab(csv: output.appendingPathComponent(quick ? "lab-quick.csv" : "lab.csv"), seeds: seeds,
                      recoveredColumn: "blocks_recovered", truth: truth, expected: [[0, 1, 2], [3, 4, 5]],
                      data: blocks(seed:), settings: settings(seed:))
print("\nSpearman correlation with R (ρ = \(rhoText)) over \(seeds.count) seeds (ρ_s ≤ 0.85: R has two values off "
      + "the diagonal)")
for method in RelationMethod.allCases {
    let fields = rows.map { $0.split(separator: ",").map(String.init) }
        .filter { $0[1] == method.rawValue && seeds.contains(UInt64($0[0])!) }
    let scores = fields.compactMap { Double($0[2]) }
    let recovered = fields.filter { $0[3] == "true" }.count
    if let interval = meanWithConfidenceInterval(scores) {
        print(method.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
              + String(format: " %.3f [%.3f, %.3f]   blocks recovered by the best 2 groups: %d of %d",
                       interval.mean, interval.lower, interval.upper, recovered, fields.count))
    }
}

// %% [markdown]
// ## Random groups of the same sizes
// The control of the grouping study (`Tutorials/results/16-grouping/`): a seeded random split into
// two groups of three, to train beside the chosen groups.

// %%
print("random groups of sizes 3 and 3 (seed 16):", TaskGrouping.random(sizes: [3, 3], seed: 16))

// %% [markdown]
// ## The lab on images: `shapes`, whose related pairs are known by construction
// `AttributeShapes` ties three pairs of its eight tasks by how it draws: a pair of shapes is always
// small (`size` and `count`), the frame repeats the shape's colour (`colour` and `frame`), and
// `shape` and `texture` read the same edges; `position` and `background` depend on nothing else.
// The ground truth is 1 for those three pairs and 0 for every other pair — coarser than R above, so
// Spearman's correlation has many ties. The settings were chosen before the lab's first run: 2,000 images,
// a plain trunk of width 8, ten epochs per source network and per measured run, five per readout.
// Recovered: the best split into four groups is exactly the three pairs plus {position, background}.
// (Skipped with `--correlation`: nothing here depends on ρ.)

// %%
let shapeNames = AttributeShapes.groups.map(\.name)
let relatedPairs = [(0, 4), (1, 7), (2, 5)]  // (shape, texture), (colour, frame), (size, count)
let shapeTruthValues = (0..<8).map { s in
    (0..<8).map { t in s == t || relatedPairs.contains { $0 == (s, t) || $0 == (t, s) } ? 1.0 : 0.0 }
}
let shapeTruth = TaskAffinity(taskNames: shapeNames, values: shapeTruthValues, method: "truth")
let shapePartition = [[0, 4], [1, 7], [2, 5], [3, 6]]
func shapeSettings(seed: UInt64) -> RelationSettings {
    RelationSettings(taskonomy: TaskonomySettings(options: ArchitectureOptions(width: 8, seed: seed),
                                                  sourceEpochs: quick ? 1 : 10, readoutEpochs: quick ? 1 : 5,
                                                  readoutWidth: 8),
                     trainingEpochs: quick ? 1 : 10)
}
let shapeSeeds: [UInt64] = correlationIndex != nil ? [] : quick ? [0] : Array(0..<10)
let shapeRows = try runLab(
    csv: output.appendingPathComponent(quick ? "shapes-lab-quick.csv" : "shapes-lab.csv"), seeds: shapeSeeds,
    recoveredColumn: "pairs_recovered", truth: shapeTruth, expected: shapePartition,
    data: { try SyntheticDataset.shapes.make(sampleCount: quick ? 300 : 2000, seed: $0) },
    settings: shapeSettings(seed:)
) { seed, method, estimate in
    if seed == shapeSeeds[0] {
        try estimate.heatMap(title: "\(method.rawValue) affinity, shapes, seed \(seed)")
            .write(to: output.appendingPathComponent("16-shapes-\(method.rawValue).svg"))
    }
}
if !shapeSeeds.isEmpty {
    print("\nshapes: Spearman correlation with the pairs known by construction over \(shapeSeeds.count) seed(s), "
          + "mean [95% t-interval]")
}
for method in shapeSeeds.isEmpty ? [] : RelationMethod.allCases {
    let fields = shapeRows.map { $0.split(separator: ",").map(String.init) }
        .filter { $0[1] == method.rawValue && shapeSeeds.contains(UInt64($0[0])!) }
    let scores = fields.compactMap { Double($0[2]) }
    let recovered = fields.filter { $0[3] == "true" }.count
    if let interval = meanWithConfidenceInterval(scores) {
        print(method.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
              + String(format: " %.3f [%.3f, %.3f]   the three pairs as the best 4 groups: %d of %d",
                       interval.mean, interval.lower, interval.upper, recovered, fields.count))
    } else if let score = scores.first {
        print(method.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
              + String(format: " %.3f (one seed)   the three pairs as the best 4 groups: %d of 1", score, recovered))
    }
}
