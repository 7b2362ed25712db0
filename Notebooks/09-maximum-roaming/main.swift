// Over 300 lines: the chapter's two studies (the first regime and the reference's) and the mechanism read
// best in one notebook, top to bottom, as the chapter tells them.
// %% [markdown]
// # 09 — Maximum Roaming: fixed partitioning vs roaming
//
// Pascal et al. ("Maximum Roaming Multi-Task Learning", AAAI 2021) give each task a random subset
// of every shared layer's units — a fraction p, the sharing ratio — by a binary mask m_t after the
// layer (fixed partitioning, "task routing"). Maximum Roaming then *moves* the partitions: every Δ
// training batches, in each layer, each task swaps one active unit for one it has never used, until
// every task has visited every unit. Its progress r(c) is the fraction of those updates done; its
// coverage, the fraction of units visited — mean over tasks of |B_t| / C, B_t the units task t has
// ever used, averaged over the masked layers — goes from about p at the start to 1 when roaming is
// complete. The claim: the same per-step interference as
// fixed partitioning, but each parameter learns from many tasks over training — better
// generalization.
//
// On 8 attribute groups of generated shape images we measure the comparison with the findings
// protocol — the study committed in `Tutorials/results/09-roaming/` (5 paired seeds, each run
// selected on validation) — and re-run a slice of it; then we watch the mechanism: how the
// coverage grows with p, the interval Δ and the selection rule, and the masks over time. Run with
// `swift run -c release 09-maximum-roaming` (`--quick`: a smaller run, no slice check).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let data = try SyntheticDataset.shapes.make(sampleCount: quick ? 200 : 1200, seed: 1)
let epochs = quick ? 1 : 5
let stepsPerEpoch = (data.train.count + 63) / 64

// %% [markdown]
// ## Roaming against fixed partitioning, measured
// The study: 3,000 images, width 16, p = 0.5, Δ = 10 batches (about 0.3 epoch of 33 batches, so
// the 64-unit layer, which needs 32 updates, finishes roaming in epoch 10), Adam 3·10⁻³, batches of
// 64, task-alternating training as the reference; a multi-head network without masks for
// reference. Both masked networks start from the same weights and the same masks on each seed;
// each run trains until 5 epochs bring no better validation score (at most 50) and is reported at
// its best validation epoch. The multi-head network is trained twice: summed (its default, one
// update per batch) and task-alternating (the masked networks' loop, T updates per batch), so that
// masking is not confounded with the number of updates. `makeNetwork(.maximumRoaming, …)` puts a
// `TaskMask` after each of the three convolutions in a `MaskedSequential`; `skipsMaskedUnits`
// computes only each task's channels (same results, about half the work at p = 0.5). The slice
// re-runs seed 0 of both masked arms and must reproduce the committed rows exactly.

// %%
func roamingStudy(seeds: [UInt64], samples: Int, epochs: Int, resultsURL: URL?) -> Study {
    var options = ArchitectureOptions(width: 16, sharingRatio: 0.5, updateInterval: 10)
    options.skipsMaskedUnits = true
    let arms = [Architecture.fixedPartitioning, .maximumRoaming, .multiHead].map { architecture in
        StudyArm(name: "\(architecture.rawValue)@16", architecture: architecture, options: options,
                 learningRate: 3e-3, batchSize: 64)
    } + [StudyArm(name: "multi-head/alternating@16", architecture: .multiHead, options: options, learningRate: 3e-3,
                  batchSize: 64, mode: .taskAlternating)]
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 5, baseline: "fixed-partitioning@16",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.shapes.make(sampleCount: samples, seed: seed)
    }.addingNoiseFloor()
}
let committed = URL(fileURLWithPath: "Tutorials/results/09-roaming/runs.csv")
var slice = roamingStudy(seeds: [0], samples: quick ? 300 : 3000, epochs: quick ? 2 : 50, resultsURL: nil)
slice.arms = slice.arms.filter { $0.name == "fixed-partitioning@16" || $0.name == "roaming@16" }
let sliceResult = try slice.run()
if !quick {
    try sliceResult.checkReproduces(runsAt: committed)
    print("slice re-run: identical to the committed runs of seed 0\n")
}

// %% [markdown]
// The committed study, against fixed partitioning (Δm% over the 8 tasks' mean F-scores, paired by
// seed, with a 95% bootstrap CI), then each arm's test mean F-score and selected epochs.

// %%
let study = try roamingStudy(seeds: Array(0..<5), samples: 3000, epochs: 50, resultsURL: committed)
    .recordedResult()
print(study.markdownTable() + "\n")
for arm in study.arms {
    let runs = study.runs.filter { $0.arm == arm }
    guard runs.count > 1 else { continue }
    let meanF = runs.map { $0.test.reduce(0, +) / Double($0.test.count) }
    let mean = meanF.reduce(0, +) / Double(meanF.count)
    let deviation = (meanF.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(meanF.count - 1)).squareRoot()
    print(String(format: "%@: test mean F %.3f ± %.3f over %d seeds; epochs trained %@", arm, mean, deviation,
                 runs.count, runs.map { String($0.epochsTrained) }.joined(separator: ", ")))
}

// %% [markdown]
// Where the difference lies: per task, roaming's test F-score minus fixed partitioning's, and the
// epochs each trained before its best validation epoch, paired by seed (95% bootstrap CIs).

// %%
let fixedRuns = study.runs.filter { $0.arm == "fixed-partitioning@16" }.sorted { $0.seed < $1.seed }
let roamingRuns = study.runs.filter { $0.arm == "roaming@16" }.sorted { $0.seed < $1.seed }
if fixedRuns.count == roamingRuns.count, fixedRuns.count >= 2 {
    for (task, spec) in study.tasks.enumerated() {
        let comparison = PairedComparison(roamingRuns.map { $0.test[task] }, minus: fixedRuns.map { $0.test[task] })
        print("\(spec.name): roaming − fixed F \(comparison.formatted(decimals: 3)) — \(comparison.verdict)")
    }
    let epochs = PairedComparison(roamingRuns.map { Double($0.selectedEpochs[0]) },
                                  minus: fixedRuns.map { Double($0.selectedEpochs[0]) })
    print("selected epoch: roaming − fixed \(epochs.formatted(decimals: 1)) — \(epochs.verdict)")
}

// %% [markdown]
// ## In the reference's regime
// `--preset maximum-roaming` on 3,000 `portraits` (40 attributes in 8 tasks): p = 0.8, a residual
// trunk of width 16 with batch normalization (batch statistics) before every mask, Adam 10⁻³,
// batches of 64, task-alternating training. Three committed studies, read here: the headline
// (`09-roaming-reference`, 10 paired seeds, Δ = 4 batches), the Δ sweep with the curves of F against
// r(c) and least-aligned selection (`09-roaming-interval`), and the sharing ratio
// (`09-roaming-ratio`) — the last two with the budget counted after roaming completes. A study still
// running shows the seeds every arm has finished.

// %%
/// The runs committed in `Tutorials/results/<directory>` for the arms named, limited to the seeds
/// every arm has finished (nil if none). The arms' settings are in the directory's
/// `runs.csv.settings`; only their names are needed to read the runs.
func committedStudy(_ directory: String, arms names: [String], baseline: String,
                    seeds: Int = 10, firstSeed: UInt64 = 0) throws -> StudyResult? {
    let url = URL(fileURLWithPath: "Tutorials/results/\(directory)/runs.csv")
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    let arms = names.map { name in
        StudyArm(name: name, architecture: name.hasPrefix("roaming") ? .maximumRoaming : .fixedPartitioning)
    }
    let study = Study(arms: arms, seeds: (firstSeed..<firstSeed + UInt64(seeds)).map { $0 }, maximumEpochs: 40,
                      baseline: baseline,
                      resultsURL: url) { seed in try SyntheticDataset.portraits.make(sampleCount: 300, seed: seed) }
    var result = try study.recordedResult()
    result.seeds = result.seeds.filter { seed in
        names.allSatisfy { arm in result.runs.contains { $0.arm == arm && $0.seed == seed } }
    }
    result.runs = result.runs.filter { result.seeds.contains($0.seed) }
    return result.seeds.isEmpty ? nil : result
}

if let headline = try committedStudy("09-roaming-reference", arms: ["fixed-partitioning@16", "roaming@16",
                                                                    "fixed-partitioning@16 re-init"],
                                     baseline: "fixed-partitioning@16") {
    print("Roaming against fixed partitioning (p = 0.8, Δ = 4 batches):\n\n" + headline.markdownTable() + "\n\n"
          + headline.taskTermTable() + "\n")
}
for ratio in ["0.25", "0.5"] {
    let arms = ["fixed-partitioning@16+p=\(ratio)", "roaming@16+p=\(ratio)"]
    if let study = try committedStudy("09-roaming-ratio", arms: arms, baseline: arms[0]) {
        print("At p = \(ratio) (budget after roaming):\n\n" + study.markdownTable() + "\n")
    }
}

// %% [markdown]
// The Δ sweep, against the paper's floor Δ = 0.05 epoch (2 batches here): does a longer interval
// help once it is above the floor?

// %%
let intervalArms = ["roaming@16+interval=2", "roaming@16+interval=1", "roaming@16+interval=4",
                    "roaming@16+interval=7", "roaming@16+interval=17"]
if let sweep = try committedStudy("09-roaming-interval", arms: intervalArms, baseline: "roaming@16+interval=2",
                                  seeds: 5) {
    print("Δ = 1, 4, 7 and 17 batches against Δ = 2 (budget after roaming):\n\n" + sweep.markdownTable() + "\n")
}

// %% [markdown]
// F against r(c), from the learning curves (`curves.csv`: every epoch of every run). With Δ = 17
// batches (half an epoch) roaming takes about 7 epochs, so r(c) is seen at seven points. Any network
// improves over its first epochs, so the paper's claim — F rises as the updates progress — is read
// against fixed partitioning over the same epochs: the rise of roaming's test mean F from epoch 1 to
// the epoch in which r(c) reaches 1, minus fixed partitioning's rise over those epochs. Then random
// against least-aligned selection, early (the first epoch with r(c) ≥ 0.5) and late (the selected
// epochs, after roaming).

// %%
let curvesURL = URL(fileURLWithPath: "Tutorials/results/09-roaming-interval/curves.csv")
let allCurves = try StudyCurves.read(from: curvesURL)
func curve(_ arm: String, seed: UInt64) -> [StudyCurvePoint] {
    allCurves.filter { $0.arm == arm && $0.seed == seed }.sorted { $0.epoch < $1.epoch }
}
let randomArm = "roaming@16+interval=17", alignedArm = "roaming@16+interval=17+least-aligned"
let fixedArm = "fixed-partitioning@16"
var roamingRise: [Double] = [], fixedRise: [Double] = [], earlyGap: [Double] = []
var gapAtStart: [Double] = [], gapAtComplete: [Double] = []  // roaming − fixed partitioning, same epoch
var plotted: [(arm: String, curves: [[StudyCurvePoint]])] = [(randomArm, []), (alignedArm, []), (fixedArm, [])]
for seed in UInt64(0)..<5 {
    let roaming = curve(randomArm, seed: seed), aligned = curve(alignedArm, seed: seed)
    let fixed = curve(fixedArm, seed: seed)
    guard let complete = roaming.firstIndex(where: { $0.progress! >= 1 }), fixed.count > complete,
          aligned.count > complete else { continue }
    roamingRise.append(roaming[complete].meanTest - roaming[0].meanTest)
    fixedRise.append(fixed[complete].meanTest - fixed[0].meanTest)
    gapAtStart.append(roaming[0].meanTest - fixed[0].meanTest)
    gapAtComplete.append(roaming[complete].meanTest - fixed[complete].meanTest)
    let half = roaming.firstIndex { $0.progress! >= 0.5 }!
    earlyGap.append(roaming[half].meanTest - aligned[half].meanTest)
    plotted[0].curves.append(Array(roaming[...complete]))
    plotted[1].curves.append(Array(aligned[...complete]))
    plotted[2].curves.append(Array(fixed[...complete]))
}
if !roamingRise.isEmpty {
    let rise = PairedComparison(differences: roamingRise), control = PairedComparison(differences: fixedRise)
    let difference = PairedComparison(roamingRise, minus: fixedRise)
    print("\(roamingRise.count) seeds. Test mean F, epoch 1 → r(c) = 1 (Δ = 17): roaming rises "
          + "\(rise.formatted(decimals: 3)) — \(rise.verdict); fixed partitioning over the same epochs "
          + "\(control.formatted(decimals: 3)) — \(control.verdict); roaming's rise minus fixed partitioning's "
          + "\(difference.formatted(decimals: 3)) — \(difference.verdict)")
    // Where the excess rise comes from: the two networks' levels at epoch 1 and at r(c) = 1.
    let start = PairedComparison(differences: gapAtStart), end = PairedComparison(differences: gapAtComplete)
    print("Roaming − fixed partitioning, test mean F at epoch 1: \(start.formatted(decimals: 3)) — "
          + "\(start.verdict); at the epoch r(c) reaches 1: \(end.formatted(decimals: 3)) — \(end.verdict)")
    let early = PairedComparison(differences: earlyGap)
    print("Random − least-aligned test mean F at the first epoch with r(c) ≥ 0.5: \(early.formatted(decimals: 3)) "
          + "— \(early.verdict)")
    // The figure: test mean F against r(c), mean over seeds; fixed partitioning at roaming's r(c) of
    // the same epoch.
    let xs = plotted[0].curves[0].map { $0.progress! }
    let figure = LinePlot(title: "Test mean F against the roaming progress r(c) (Δ = 0.5 epoch, p = 0.8)",
                          xLabel: "r(c), fraction of the roaming updates done (at each epoch's end)",
                          yLabel: "test mean F, mean over \(roamingRise.count) seeds",
                          series: plotted.map { arm, curves in
                              let count = curves.map(\.count).min()!
                              let means = (0..<count).map { epoch in
                                  curves.map { $0[epoch].meanTest }.reduce(0, +) / Double(curves.count)
                              }
                              let name = arm == fixedArm ? "fixed partitioning, same epochs"
                                  : arm == randomArm ? "Maximum Roaming, random" : "Maximum Roaming, least-aligned"
                              return LinePlot.Series(name: name, points: Array(zip(xs.prefix(count), means)))
                          })
    let url = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("09-roaming-f-against-r.svg")
                    : URL(fileURLWithPath: "Tutorials/figures/09-roaming-f-against-r.svg")
    try figure.write(to: url)
    print("figure: \(url.path)")
}
let selectionArms = [alignedArm, randomArm]
if let selection = try committedStudy("09-roaming-interval", arms: selectionArms, baseline: alignedArm, seeds: 5) {
    print("\nRandom against least-aligned at the selected epochs (late):\n\n" + selection.markdownTable() + "\n")
}

// %% [markdown]
// Two later studies, read from their committed runs. `09-roaming-slow`: the Δ sweep's largest
// comparison, roaming at Δ = 17 against fixed partitioning, tested again on fresh seeds 5–14 with its
// reading fixed before any run. `09-roaming-ablations`: two ablations at Δ = 17 against the Δ sweep's
// own roaming runs of seeds 0–4 — resetting the Adam moments of the units a swap activates, and
// swapping without the "visited" constraint (random re-partitioning).

// %%
if let slow = try committedStudy("09-roaming-slow", arms: [fixedArm, randomArm], baseline: fixedArm,
                                 seeds: 10, firstSeed: 5) {
    print("Slow roaming against fixed partitioning, fresh seeds:\n\n" + slow.markdownTable() + "\n")
}
let ablationArms = [randomArm, randomArm + "+reset-moments", randomArm + "+unconstrained"]
if let ablations = try committedStudy("09-roaming-ablations", arms: ablationArms, baseline: randomArm, seeds: 5) {
    print("Ablations at Δ = 17:\n\n" + ablations.markdownTable() + "\n")
}

// %% [markdown]
// The controls (`09-roaming-controls`): what drives the result — channel dropout on fixed partitioning
// at roaming's turnover (a quarter of a task's units change over roaming), summed against
// task-alternating training, and full sharing with and without that dropout. Five comparisons, fixed
// before any run, each with its own baseline.

// %%
let dropoutArm = fixedArm + "+dropout=0.25", summedArm = "roaming/summed@16+interval=17"
let controlArms = [randomArm, fixedArm, dropoutArm, summedArm, "multi-head@16", "multi-head@16+dropout=0.25"]
if var controls = try committedStudy("09-roaming-controls", arms: controlArms, baseline: fixedArm, seeds: 5) {
    for (arm, baseline) in [(randomArm, dropoutArm), (dropoutArm, fixedArm), (summedArm, randomArm),
                            ("multi-head@16+dropout=0.25", "multi-head@16"), (fixedArm, "multi-head@16")] {
        controls.baseline = baseline
        guard let comparison = controls.comparison(of: arm) else { continue }
        print("\(arm) against \(baseline): Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}

// %% [markdown]
// The paper's table (`09-roaming-table`): single-task networks, hard sharing with equal weights,
// GradNorm, MGDA-UB, SE-MTL, fixed partitioning and Maximum Roaming, all of width 16 in the same regime,
// against the single-task networks; then every arm against roaming (the paper: roaming beats them all).
// A study still running shows the seeds every arm has finished.

// %%
let tableArms = ["stl@16", "multi-head@16", "multi-head:gradnorm@16", "multi-head:mgda-ub@16", "se-mtl@16",
                 fixedArm, randomArm]
if var table = try committedStudy("09-roaming-table", arms: tableArms, baseline: "stl@16", seeds: 5) {
    print("The paper's table on portraits, against single-task networks:\n\n" + table.markdownTable() + "\n")
    table.baseline = randomArm
    for arm in tableArms where arm != randomArm {
        guard let comparison = table.comparison(of: arm) else { continue }
        print("\(arm) against roaming: Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}

// %% [markdown]
// What a swap costs (`09-roaming-swaps`). Each roaming run records, per task, the step-to-step change
// of its training loss at the swaps and at the other steps while roaming lasts (`swaps.csv`); the
// excess is a swap's spike. Then the ablation: the head weights of never-used channels zeroed before
// training (`+zero-heads`), so that a channel enters a task's head from zero rather than from its
// random initial weights — against the same roaming runs.

// %%
let swapsURL = URL(fileURLWithPath: "Tutorials/results/09-roaming-swaps/swaps.csv")
let swapRows = try StudySwapSpikes.read(from: swapsURL)
/// Per seed, the mean over tasks of the swap's excess change, for the seeds in `seeds`.
func meanExcess(_ arm: String, seeds: [UInt64]) -> [Double] {
    seeds.map { seed in
        let excesses = swapRows.filter { $0.arm == arm && $0.seed == seed }.compactMap(\.excess)
        return excesses.reduce(0, +) / Double(excesses.count)
    }
}
let zeroArm = randomArm + "+zero-heads"
let swapSeeds = (UInt64(0)..<5).filter { seed in
    [randomArm, zeroArm].allSatisfy { arm in
        swapRows.contains { $0.arm == arm && $0.seed == seed && $0.excess != nil }
    }
}
/// Where an interval of a loss change lies (here a positive change is a spike, not an improvement).
func side(_ comparison: PairedComparison) -> String {
    guard comparison.differences.count >= PairedComparison.minimumSeedsForVerdict else { return comparison.verdict }
    return comparison.confidenceInterval.lower > 0 ? "above 0"
        : comparison.confidenceInterval.upper < 0 ? "below 0" : "the interval contains 0"
}
if !swapSeeds.isEmpty {
    let spike = PairedComparison(differences: meanExcess(randomArm, seeds: swapSeeds))
    let zeroed = PairedComparison(differences: meanExcess(zeroArm, seeds: swapSeeds))
    let change = PairedComparison(meanExcess(zeroArm, seeds: swapSeeds), minus: meanExcess(randomArm, seeds: swapSeeds))
    print("\(swapSeeds.count) seeds. Loss change at a swap beyond an ordinary step, mean over tasks: roaming "
          + "\(spike.formatted(decimals: 4)) — \(side(spike)); with zeroed heads \(zeroed.formatted(decimals: 4)) "
          + "— \(side(zeroed)); zeroed minus plain \(change.formatted(decimals: 4)) — \(side(change))")
}
if let swaps = try committedStudy("09-roaming-swaps", arms: [randomArm, zeroArm], baseline: randomArm, seeds: 5) {
    print("\nZeroed heads against roaming (Δm%):\n\n" + swaps.markdownTable() + "\n")
}

// %% [markdown]
// The slice (full mode): the first two epochs of seed 0's Δ = 17 run, trained again here with the
// arm the study's command builds, must give exactly the committed curve's test F-scores.

// %%
if !quick, let committed = Optional(curve(randomArm, seed: 0)), committed.count >= 2 {
    var options = ArchitectureOptions(width: 16, sharingRatio: 0.8, updateInterval: 17)
    options.skipsMaskedUnits = true
    options.backbone = .residual
    options.batchNormalization = true
    let arm = StudyArm(name: randomArm, architecture: .maximumRoaming, options: options, learningRate: 1e-3,
                       batchSize: 64)
    let data = try SyntheticDataset.portraits.make(sampleCount: 3000, seed: 0)
    let again = try Study.trainRecordingCurve(arm, seed: 0, data: data, maximumEpochs: 2, patience: nil).curve
    let same = zip(again, committed).allSatisfy { $0.test == $1.test && $0.progress == $1.progress }
    print("slice: epochs 1–2 of \(randomArm), seed 0 — " + (same ? "identical to the committed curve"
          : "DIFFERENT from the committed curve"))
    if !same { fatalError("the slice does not reproduce the committed curve") }
}

// %% [markdown]
// ## How roaming progresses
// The mechanism, on a smaller run (1,200 images, 5 epochs of 14 batches, seed 1): the coverage
// after each epoch for p = 0.25, 0.5, 0.75 at Δ = a fifth of an epoch (2 batches), then at p = 0.5
// for Δ = 1 batch, Δ = half an epoch, and the least-aligned selection rule (the unvisited unit whose
// filter is least aligned with the active ones). These runs show how fast roaming completes; they
// compare no accuracies.

// %%
func coverage(sharingRatio: Double, interval: Int, selection: RoamingSelection = .random,
              seed: UInt64) throws -> [Double] {
    var options = ArchitectureOptions(width: 16, sharingRatio: sharingRatio, updateInterval: interval,
                                      selection: selection, seed: seed)
    options.skipsMaskedUnits = true
    let model = makeNetwork(.maximumRoaming, tasks: data.train.tasks, inputShape: data.train.inputShape,
                            options: options)
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                          configuration: .init(epochs: epochs, batchSize: 64, seed: seed, mode: .taskAlternating,
                                               showsProgress: false))
    var values: [Double] = []
    trainer.observers.append(EpochCallback { _, _ in values.append((model as! MaximumRoamingNetwork).coverage) })
    try trainer.fit(data.train)
    return values
}
let interval = max(1, stepsPerEpoch / 5)
var curves: [(name: String, values: [Double])] = []
for ratio in quick ? [0.5] : [0.25, 0.5, 0.75] {
    let values = try coverage(sharingRatio: ratio, interval: interval, seed: 1)
    curves.append(("p = \(ratio)", values))
    print("p = \(ratio), Δ = 0.2 epoch: coverage after each epoch "
          + values.map { String(format: "%.2f", $0) }.joined(separator: " "))
}
let variants: [(String, Int, RoamingSelection)] = [
    ("Δ = 1 batch", 1, .random), ("Δ = 0.5 epoch", max(1, stepsPerEpoch / 2), .random),
    ("Δ = 0.2 epoch, least-aligned", interval, .leastAligned),
]
for (name, steps, selection) in variants {
    let values = try coverage(sharingRatio: 0.5, interval: steps, selection: selection, seed: 1)
    print("p = 0.5, \(name): coverage after each epoch "
          + values.map { String(format: "%.2f", $0) }.joined(separator: " "))
}

// %% [markdown]
// ## The figure
// Coverage (mean |B_t| / C) per epoch for each p (seed 1, Δ = 0.2 epoch). Written to
// `Tutorials/figures/09-roaming-progress.svg` in a full run.

// %%
let figure = LinePlot(title: "Roaming coverage per epoch (Δ = 0.2 epoch)", xLabel: "epoch",
                      yLabel: "coverage, fraction of units visited",
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
    let mask = (model as! MaximumRoamingNetwork).masks[0]
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                          configuration: .init(epochs: epochs, batchSize: 64, seed: 1, mode: .taskAlternating,
                                               showsProgress: false))
    var snapshots = [MaskTimeline.Snapshot(caption: "start", masks: mask.masks.value, visited: mask.visited.value)]
    trainer.observers.append(EpochCallback { _, record in
        snapshots.append(.init(caption: "epoch \(record.epoch)", masks: mask.masks.value, visited: mask.visited.value))
    })
    try trainer.fit(data.train)
    let url = (quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures"))
        .appendingPathComponent("09-roaming-masks.svg")
    try MaskTimeline(title: "Maximum Roaming: task masks of the first layer, epoch by epoch",
                     snapshots: snapshots).write(to: url)
    print("masks: \(url.path)")
}
