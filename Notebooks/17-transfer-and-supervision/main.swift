// %% [markdown]
// # 17 — Transfer, partial labels and consistency
// (Over 300 lines: three studies — fine-tuning, partial labels, consistency — each with its by-hand cells.)
//
// Three ways to get more out of few labels, each with a committed study that tests its claim with the
// findings protocol (paired seeds, each run at its best validation epoch, Δm% with a 95% CI):
//
// - **Fine-tuning**: start a `portraits` network from a trunk pretrained on `shapes` — every parameter,
//   the heads only, gradual unfreezing, discriminative learning rates (Howard & Ruder, ACL 2018).
// - **Partially labelled tasks**: a label mask M, each task's loss over its labelled samples only,
//   and multi-head against single-task networks as task 0's labels thin out.
// - **Cross-task consistency**: depth predictions teach the normals head through the analytic
//   depth → normals map when normals labels are scarce (after Zamir et al., CVPR 2020).
//
// Run with `swift run -c release 17-transfer-and-supervision`: each part re-runs a slice of its
// study, checks it against the committed runs, and prints the committed tables (`--quick`: tiny
// data, one seed, a few epochs, no check — what CI runs). Checkpoints go to a temporary folder.

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let results = URL(fileURLWithPath: "Tutorials/results")
let scratch = FileManager.default.temporaryDirectory
    .appendingPathComponent("mtk-chapter-17-\(ProcessInfo.processInfo.processIdentifier)")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
/// The mean of a task list's main metrics (the mean F-score over the attribute tasks), and of its losses.
func meanMainValue(_ evaluations: [TaskEvaluation]) -> String {
    String(format: "%.3f", evaluations.map(\.mainValue).reduce(0, +) / Double(evaluations.count))
}
func meanLoss(_ evaluations: [TaskEvaluation]) -> String {
    String(format: "%.3f", evaluations.map { Double($0.loss) }.reduce(0, +) / Double(evaluations.count))
}

// %% [markdown]
// ## Part 1 — Fine-tuning, by hand
// Pretrain a multi-head network on `shapes` with the trainer's hooks: a learning-rate schedule (a
// linear warm-up over the first epoch, then a cosine), early stopping on validation, the best
// epoch's checkpoint kept beside the last, and an observer that prints every epoch. One seed: an
// illustration of the API, not a finding.

// %%
let shapes = try SyntheticDataset.shapes.make(sampleCount: quick ? 200 : 600, seed: 0)
let source = makeNetwork(.multiHead, tasks: shapes.train.tasks, inputShape: shapes.train.inputShape,
                         options: ArchitectureOptions(width: 16, seed: 0))
let best = scratch.appendingPathComponent("shapes-best.mtlckpt")
let pretrainEpochs = quick ? 2 : 6, stepsPerEpoch = (shapes.train.count + 63) / 64
let pretraining = Trainer.Configuration(
    epochs: pretrainEpochs, batchSize: 64, seed: 0, showsProgress: false,
    learningRateSchedule: LinearWarmup(warmupSteps: stepsPerEpoch,
                                       then: CosineAnnealing(totalSteps: (pretrainEpochs - 1) * stepsPerEpoch)),
    earlyStoppingPatience: 2, bestCheckpointURL: best)
let pretrainer = Trainer(model: source, optimizer: Adam(parameters: source.parameters(), learningRate: 1e-3),
                         configuration: pretraining)
pretrainer.observers.append(EpochCallback { trainer, record in
    print("epoch \(record.epoch): mean validation F-score \(meanMainValue(record.validation!)), best epoch so far "
          + "\(trainer.validationRecord!.bestEpoch)")
})
try pretrainer.fit(shapes.train, validation: shapes.validation)

// %% [markdown]
// ## Loading the trunk into a new network
// The portraits' tasks are not the shapes' tasks, so only the trunk can transfer. With the identity
// map and strict loading the heads' shapes differ — an error, and the model is left unchanged. A
// prefix map `trunk.=trunk.` loads the trunk and nothing else; non-strict loading reports what was
// loaded, what was skipped (stored, not used) and what is missing (in the model, not stored: the new
// heads, which keep their fresh initialization).

// %%
let portraits = try SyntheticDataset.portraits.make(sampleCount: quick ? 120 : 600, seed: 0)
let target = makeNetwork(.multiHead, tasks: portraits.train.tasks, inputShape: portraits.train.inputShape,
                         options: ArchitectureOptions(width: 16, seed: 1))
do { try target.loadWeights(from: try Checkpoint(contentsOf: best)) } catch { print("identity map, strict:", error) }
let trunkOnly = try WeightNameMap(parsing: "trunk.=trunk.")
let report = try target.loadWeights(from: try Checkpoint(contentsOf: best), renaming: trunkOnly, strict: false)
print(report)

// %% [markdown]
// Fine-tuning on the *same* tasks loads everything (strict: every name must match) — and practice
// often re-initializes the last layer anyway. `reinitialize(random:)` draws a module afresh from its
// layers' default initializers (seeded), so the heads must be trained again on the new data.

// %%
let sameTasks = makeNetwork(.multiHead, tasks: shapes.train.tasks, inputShape: shapes.train.inputShape,
                            options: ArchitectureOptions(width: 16, seed: 2))
try sameTasks.loadWeights(from: try Checkpoint(contentsOf: best))
let trunk = (sameTasks as! MultiHeadNetwork).trunk, pretrainedTrunk = trunk.parameters().map(\.value)
print("all weights loaded: mean test loss", meanLoss(evaluate(sameTasks, on: shapes.test)))
let fresh = RandomSource(seed: 7)
for head in (sameTasks as! MultiHeadNetwork).heads { try head.reinitialize(random: fresh) }
print("heads re-initialized: mean test loss", meanLoss(evaluate(sameTasks, on: shapes.test)),
      "— trunk unchanged:", trunk.parameters().map(\.value) == pretrainedTrunk)

// %% [markdown]
// ## Discriminative rates and gradual unfreezing
// The network's blocks from input to output are the trunk's three stages and then all heads. Block l
// of L trains at η_l = η·ξ^(L−l) (ξ = 1/2.6, ULMFiT's), and gradual unfreezing trains the top
// min(L, 1 + ⌊e/k⌋) blocks in epoch e (from 0). The `GradualUnfreezing` observer sets the frozen
// set before every epoch; the trainer and the layers know nothing of it.

// %%
let blocks = try fineTuningBlocks(of: target)            // the trunk's three stages, then all heads
let groups = discriminativeParameterGroups(blocks: blocks, learningRate: 1e-3, decay: ulmfitLayerDecay)
print("η_l per block, input to heads:", groups.map { String(format: "%.2e", $0.learningRate) })
let schedule = FreezingSchedule(blockCount: blocks.count, unfreezeInterval: 1)
for epoch in 0..<blocks.count {
    print("epoch \(epoch) trains blocks", (0..<blocks.count).filter { !schedule.isFrozen(block: $0, atEpoch: epoch) })
}
let tuner = Trainer(model: target, optimizer: Adam(groups: groups),
                    configuration: .init(epochs: quick ? 2 : 6, batchSize: 32, seed: 1, showsProgress: false))
tuner.observers.append(GradualUnfreezing(blocks: blocks, schedule: schedule))
try tuner.fit(portraits.train, validation: portraits.validation)
print("portraits, mean validation F-score per epoch:", tuner.history.map { meanMainValue($0.validation!) })

// %% [markdown]
// ## The fine-tuning study
// Seed s pretrains a multi-head network on 2,000 `shapes` images (8 epochs, its best validation epoch
// kept — `mtl train --dataset shapes --samples 2000 --epochs 8 --seed s`), then trains on 600
// `portraits` from scratch or from that trunk in five ways, each run selected on validation and
// compared with the scratch run of the same seed (`Tutorials/results/17-fine-tuning/`, 10 seeds).
// The slice: seed 0's pretraining and every arm of seed 0, which must reproduce the committed rows.

// %%
/// Pretrains seed `seed`'s multi-head network on `shapes` as `mtl train` does (its gradient statistics
/// every 20 steps included), keeping the best validation epoch's checkpoint where the arms look for it.
func pretrain(seed: UInt64, samples: Int, epochs: Int) throws {
    let folder = scratch.appendingPathComponent("pretrain/seed-\(seed)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let training = Trainer.Configuration(epochs: epochs, seed: seed, gradientStatisticsInterval: 20,
                                         showsProgress: false,
                                         bestCheckpointURL: folder.appendingPathComponent("best.mtlckpt"))
    _ = try runExperiment(.multiHead, data: try SyntheticDataset.shapes.make(sampleCount: samples, seed: seed),
                          options: ArchitectureOptions(width: 16, seed: seed), training: training)
}
let checkpoints = scratch.path + "/pretrain/seed-{seed}/best.mtlckpt"
func arm(_ name: String, _ strategy: FineTuningStrategy? = nil, decay: Float? = nil) -> StudyArm {
    var arm = StudyArm(name: name, architecture: .multiHead, options: ArchitectureOptions(width: 16),
                       learningRate: 1e-3, batchSize: 32)
    arm.fineTuning = strategy.map {
        FineTuningPlan(checkpointPath: checkpoints, map: trunkOnly, strategy: $0, discriminativeDecay: decay)
    }
    return arm
}
let fineTuningArms = [
    arm("multi-head"),
    arm("multi-head+full", .full),
    arm("multi-head+head-only", .headOnly),
    arm("multi-head+gradual=1", .gradualUnfreezing(every: 1)),
    arm("multi-head+gradual=1+decay=0.385", .gradualUnfreezing(every: 1), decay: 0.385),
    arm("multi-head+full+decay=0.385", .full, decay: 0.385),
]
/// The study against `baseline`: with the noise floor (scratch re-initialized) when that is scratch.
func fineTuningStudy(seeds: [UInt64], samples: Int, epochs: Int, baseline: String = "multi-head",
                     resultsURL: URL?) -> Study {
    let study = Study(arms: fineTuningArms, seeds: seeds, maximumEpochs: epochs, baseline: baseline,
                      resultsURL: resultsURL) { seed in
        try SyntheticDataset.portraits.make(sampleCount: samples, seed: seed)
    }
    return baseline == "multi-head" ? study.addingNoiseFloor() : study
}

// %%
try pretrain(seed: 0, samples: quick ? 200 : 2000, epochs: quick ? 1 : 8)
let tuningSlice = try fineTuningStudy(seeds: [0], samples: quick ? 120 : 600, epochs: quick ? 2 : 12,
                                      resultsURL: nil).run()
print(tuningSlice.markdownTable() + "\n")
let tuningRuns = results.appendingPathComponent("17-fine-tuning/runs.csv")
if !quick {
    try tuningSlice.checkReproduces(runsAt: tuningRuns)
    print("(identical to the committed runs of seed 0)\n")
}

// %% [markdown]
// The committed study: every arm against scratch (with the per-task terms), then the direct paired
// comparisons against full fine-tuning and against gradual unfreezing (the same runs, another baseline).

// %%
let tuning = try fineTuningStudy(seeds: Array(0..<10), samples: 600, epochs: 12, resultsURL: tuningRuns)
    .recordedResult()
print(tuning.markdownTable() + "\n\n" + tuning.taskTermTable() + "\n")
for baseline in ["multi-head+full", "multi-head+gradual=1"] {
    let direct = try fineTuningStudy(seeds: Array(0..<10), samples: 600, epochs: 12, baseline: baseline,
                                     resultsURL: tuningRuns).recordedResult()
    print("Δm% against \(baseline), 10 paired seeds:")
    for other in direct.arms where other != baseline && other != "multi-head" {
        let comparison = direct.comparison(of: other)!
        print("  \(other): \(comparison.formatted()) — \(comparison.verdict)")
    }
    print("\n" + direct.taskTermTable() + "\n")
}

// %% [markdown]
// ## Part 2 — Partially labelled tasks
// A label mask M ∈ {0, 1}^{N×T} says which sample has a label for which task, and travels with the
// samples (`subset`, `split`, `batches`). `withLabelledFractions` keeps a seeded draw of round(f·N)
// labels of each task. Task t's loss averages its labelled samples only,
// L_t = Σ_n M_{n,t} ℓ_{n,t} / max(1, Σ_n M_{n,t}); a batch without a label of the task gives no loss
// at all (nil), not 0/0.

// %%
let data = try RelatedRegression(correlation: 0.8, seed: 0).dataset(sampleCount: 3000, seed: 1)
var splits = data.split(seed: 2)
splits.train = splits.train.withLabelledFractions([0.05, 1], seed: 3)   // task 0 keeps 5% of its labels
print(splits.train.labelMask.labelledCount(task: 0))                      // 105 of 2,100

// %%
let kept = splits.train.labelMask.labelledSamples(task: 0)
let batch = splits.train.subset(Array(kept.prefix(3)) + (0..<5).filter { !kept.contains($0) })
let network = makeNetwork(.multiHead, tasks: batch.tasks, inputShape: batch.inputShape,
                          options: ArchitectureOptions(width: 16))
let output = network(Variable(batch.inputs), task: 0)                                // [B, 1]
let masked = maskedTaskLoss(batch.tasks[0], output: output, target: batch.targets[0],
                            labelled: batch.labelMask.labelledSamples(task: 0))!
let mask = batch.labelMask.column(task: 0).scalars                                     // M_{n,0}
let perSample = zip(output.value.scalars, batch.targets[0].scalars).map { ($0 - $1) * ($0 - $1) }   // ℓ_{n,0}
let formula = zip(mask, perSample).map(*).reduce(0, +) / max(1, mask.reduce(0, +))
print("\(batch.count) rows, \(Int(mask.reduce(0, +))) labelled: masked loss \(masked.value.scalars[0]), "
      + "Σ M ℓ / max(1, Σ M) = \(formula)")
print("no label in the batch:", maskedTaskLoss(batch.tasks[0], output: output, target: batch.targets[0],
                                               labelled: []) as Any)

// %% [markdown]
// ## Does sharing help a label-starved task?
// `regression` (two tasks whose linear parts have correlation ρ), task 0 keeping a fraction f of its
// training labels, task 1 all; single-task networks (`stl`, the baseline) against a multi-head
// network, width 16, 20 paired seeds (`Tutorials/results/17-partial-labels/`). The labels are drawn
// as `mtl study --labelled-fractions` draws them. The slice: ρ = 0.8, at most 150 epochs with patience
// 15, f = 1 and 0.05, seeds 0–3.

// %%
func labelStudy(correlation: Float, fraction: Double, seeds: [UInt64], samples: Int, epochs: Int, patience: Int?,
                resultsURL: URL?) -> Study {
    let arms = [StudyArm(name: "stl", architecture: .singleTask, options: ArchitectureOptions(width: 16)),
                StudyArm(name: "multi-head", architecture: .multiHead, options: ArchitectureOptions(width: 16))]
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: patience, baseline: "stl",
                 resultsURL: resultsURL) { seed in
        var data = try SyntheticDataset.regression.make(sampleCount: samples, seed: seed, correlation: correlation)
        data.train = data.train.withLabelledFractions([fraction, 1], seed: seed &+ 0x1ABE_11ED)
        return data
    }
}
let partial = results.appendingPathComponent("17-partial-labels")
for fraction in quick ? [0.05] : [1.0, 0.05] {
    let slice = try labelStudy(correlation: 0.8, fraction: fraction, seeds: quick ? [0] : Array(0..<4),
                               samples: quick ? 300 : 3000, epochs: quick ? 3 : 150, patience: 15,
                               resultsURL: nil).run()
    print("f = \(fraction)\n" + slice.markdownTable() + "\n")
    if !quick {
        try slice.checkReproduces(runsAt: partial.appendingPathComponent("long-rho-0.8/fraction-\(fraction)/runs.csv"))
        print("(identical to the committed runs of these seeds)\n")
    }
}

// %% [markdown]
// The committed curves: for each budget and ρ, task 0's term of Δm% (multi-head against STL, paired by
// seed, positive: multi-head better) at each fraction, then the long budget's curve tables.

// %%
var curves: [String: LabelledFractionCurve] = [:]
for (folder, correlation, epochs, patience) in [("long-rho-0.8", Float(0.8), 150, 15), ("long-rho-0", 0, 150, 15),
                                                ("rho-0.8", 0.8, 30, nil), ("rho-0", 0, 30, nil)] as
        [(String, Float, Int, Int?)] {
    let points = try [1.0, 0.3, 0.1, 0.05].map { fraction in
        let runs = partial.appendingPathComponent("\(folder)/fraction-\(fraction)/runs.csv")
        return (fraction: fraction,
                result: try labelStudy(correlation: correlation, fraction: fraction, seeds: Array(0..<20),
                                       samples: 3000, epochs: epochs, patience: patience, resultsURL: runs)
                    .recordedResult())
    }
    curves[folder] = LabelledFractionCurve(points: points)
    print("\(folder) (ρ = \(correlation), ≤ \(epochs) epochs): task 0's term, f = 1, 0.3, 0.1, 0.05:",
          points.map { $0.result.taskTermComparison(of: "multi-head", task: 0)!.formatted() }
              .joined(separator: "; "))
}
print("\n" + curves["long-rho-0.8"]!.markdownTable() + "\n" + curves["long-rho-0"]!.markdownTable())

// %% [markdown]
// ## Part 3 — Cross-task consistency
// `DepthToNormals` maps a depth map to unit normals by forward differences (a pinhole camera of focal
// length f: n ∝ (f z_x, f z_y, −(z + x z_x + y z_y))). First, how far that map is from the scenes' own
// normals: the angle between g(true depth) and the true normals, over all pixels and over those away
// from depth edges (both forward neighbours within 5% of the pixel's depth).

// %%
func mappedNormalsAgreement(sampleCount: Int) throws {
    let data = try DenseScenes().dataset(sampleCount: sampleCount, seed: 1)
    let depth = data.targets[1], truth = data.targets[2]                  // [N, 1, S, S], [N, 3, S, S]
    let mapped = DepthToNormals()(Variable(depth)).value                   // [N, 3, S−1, S−1]
    let size = depth.shape[2], inner = size - 1
    var all: [Double] = [], interior: [Double] = []
    for n in 0..<sampleCount {
        for row in 0..<inner {
            for column in 0..<inner {
                var dot = 0.0
                for axis in 0..<3 {
                    dot += Double(mapped.scalars[((n * 3 + axis) * inner + row) * inner + column])
                        * Double(truth.scalars[((n * 3 + axis) * size + row) * size + column])
                }
                let angle = acos(min(1, max(-1, dot))) * 180 / .pi
                all.append(angle)
                let z = depth.scalars[(n * size + row) * size + column]
                let right = depth.scalars[(n * size + row) * size + column + 1]
                let below = depth.scalars[(n * size + row + 1) * size + column]
                if abs(right - z) < 0.05 * z && abs(below - z) < 0.05 * z { interior.append(angle) }
            }
        }
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    print(String(format: "g(true depth) vs true normals, %d scenes: median %.1f°, mean %.1f° over all pixels; "
                 + "median %.1f°, mean %.1f° over the %.0f%% away from depth edges", sampleCount,
                 median(all), mean(all), median(interior), mean(interior),
                 100 * Double(interior.count) / Double(all.count)))
}
try mappedNormalsAgreement(sampleCount: quick ? 20 : 200)

// %% [markdown]
// ## Does the term help the scarce normals?
// `scenes` (segmentation, depth, normals; 1,000 scenes), normals keeping 10% of their training labels,
// a multi-head network of width 16 with equal weights, batches of 32, without the term (λ = 0) and with
// L = Σ_t w_t L_t + λ·mean(1 − cos(g(D̂), N̂)); at most 20 epochs, patience 5, 5 paired seeds
// (`Tutorials/results/17-consistency/`). The slice: seed 0 at λ = 0 and λ = 1.

// %%
func consistencyStudy(_ weights: [(name: String, lambda: Float)], seeds: [UInt64], samples: Int, epochs: Int,
                      resultsURL: URL?) -> Study {
    let arms = weights.map { weight in
        var arm = StudyArm(name: weight.name, architecture: .multiHead, options: ArchitectureOptions(width: 16),
                           batchSize: 32)
        arm.consistencyWeight = weight.lambda
        return arm
    }
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 5, baseline: "multi-head",
                 resultsURL: resultsURL) { seed in
        var data = try SyntheticDataset.scenes.make(sampleCount: samples, seed: seed)
        data.train = data.train.withLabelledFractions([1, 1, 0.1], seed: seed &+ 0x1ABE_11ED)
        return data
    }
}
let lambdas: [(name: String, lambda: Float)] = [("multi-head", 0), ("multi-head+consistency=1", 1),
                                                 ("multi-head+consistency=0.1", 0.1)]
let consistency = results.appendingPathComponent("17-consistency")
let consistencySlice = try consistencyStudy(Array(lambdas.prefix(2)), seeds: [0], samples: quick ? 60 : 1000,
                                            epochs: quick ? 1 : 20, resultsURL: nil).run()
print(consistencySlice.markdownTable() + "\n")
if !quick {
    try consistencySlice.checkReproduces(runsAt: consistency.appendingPathComponent("runs.csv"))
    print("(identical to the committed runs of seed 0)\n")
}

// %% [markdown]
// The committed study (λ = 0, 1 and 0.1, at most 20 epochs), with each task's term, then λ = 0 and 1
// with at most 40 epochs (`long/`).

// %%
let committedConsistency = try consistencyStudy(lambdas, seeds: Array(0..<5), samples: 1000, epochs: 20,
                                                resultsURL: consistency.appendingPathComponent("runs.csv"))
    .recordedResult()
print(committedConsistency.markdownTable() + "\n\n" + committedConsistency.taskTermTable() + "\n")
let longConsistency = try consistencyStudy(Array(lambdas.prefix(2)), seeds: Array(0..<5), samples: 1000,
                                           epochs: 40, resultsURL: consistency.appendingPathComponent("long/runs.csv"))
    .recordedResult()
print("≤ 40 epochs\n" + longConsistency.markdownTable() + "\n\n" + longConsistency.taskTermTable())
try? FileManager.default.removeItem(at: scratch)
