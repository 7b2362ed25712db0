// %% [markdown]
// # 15 — Architectures that learn how to share
//
// The architectures of chapters 06–09 fix what is shared before training: the trunk (multi-head), a
// mask per task (Maximum Roaming), a penalty (soft sharing). The ones here learn it from the data:
//
// - **MMoE, CGC, PLE** (Ma et al., KDD 2018; Tang et al., RecSys 2020): several experts, and a
//   softmax gate per task that mixes them, ŷ_t = h_t(Σ_i g_{t,i}(x) f_i(x)).
// - **MTAN** (Liu, Johns and Davison, CVPR 2019): one shared trunk, and per task a chain of soft
//   attention masks that pick, at every stage, which shared features the task reads.
// - **Learning to Branch** (Guo, Lee and Ulbricht, ICML 2020): a search, by gradient descent on
//   Gumbel-softmax samples, for the tree in which the tasks branch; then that tree trained from scratch.
//
// Each section trains a small model so you can look inside it, then reads the committed study that
// tests the method's claim with the findings protocol (paired seeds, each run at its best
// validation epoch, Δm% with a 95% CI, a noise floor). Run with `swift run -c release
// 15-learning-to-share` (`--quick`: tiny data, one seed, a few epochs — what CI runs).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let results = URL(fileURLWithPath: "Tutorials/results")
let figures = quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures")

// %% [markdown]
// ## Experts and gates, looked inside
// Six regression tasks in two blocks of three (`--dataset blocks`: correlation 0.8 inside a block, 0
// across). An MMoE with four experts, a CGC with one shared and one own expert per task, and a
// two-level PLE, each trained briefly; then the **expert utilization** of every gate: its mean
// softmax weight on each expert over the test set (each gate's weights sum to 1). One seed — an
// illustration of what the numbers look like, not a finding.

// %%
let blocks = try SyntheticDataset.blocks.make(sampleCount: quick ? 600 : 3000, seed: 0, correlation: 0.8)
var expertOptions = ArchitectureOptions(width: 8)
expertOptions.expertCount = 4
for architecture in [Architecture.mixtureOfExperts, .customizedGateControl, .progressiveLayeredExtraction] {
    let model = makeNetwork(architecture, tasks: blocks.train.tasks, inputShape: blocks.train.inputShape,
                            options: expertOptions)
    let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 3e-3),
                          configuration: .init(epochs: quick ? 2 : 40, batchSize: 64, seed: 1, showsProgress: false))
    try trainer.fit(blocks.train, validation: blocks.validation)
    guard let gated = model as? any ExpertGatedNetwork else { fatalError("\(architecture) has no gates") }
    let utilization = ExpertUtilization.measure(gated, on: blocks.test)
    let taskNames = blocks.train.tasks.map(\.name)
    print("\(architecture.rawValue): \(model.parameterCount) parameters")
    print(utilization.jsonObject(taskNames: taskNames) + "\n")
    try utilization.chart(title: "\(architecture.rawValue): mean gate weight per expert", taskNames: taskNames)
        .write(to: figures.appendingPathComponent("15-utilization-\(architecture.rawValue).svg"), width: 820,
               height: 420)
}

// %% [markdown]
// ## MMoE as the task correlation falls
// The MMoE paper's synthetic claim: on two regression tasks with correlation ρ, MMoE's advantage over
// the shared-bottom (multi-head) network grows as ρ falls. The committed study
// (`Tutorials/results/15-mmoe-correlation/`) has one study per ρ ∈ {1, 0.5, 0}, 8 paired seeds, the
// two arms matched in parameters (multi-head of width 32: 4,354; MMoE with four experts of width 8:
// 4,346), Adam 3·10⁻³, patience 30 epochs (at most 300).

// %%
func mmoeStudy(correlation: String, seeds: [UInt64], samples: Int, epochs: Int, resultsURL: URL?) -> Study {
    var mmoeOptions = ArchitectureOptions(width: 8)
    mmoeOptions.expertCount = 4
    let arms = [StudyArm(name: "multi-head@32", architecture: .multiHead, options: ArchitectureOptions(width: 32),
                         learningRate: 3e-3),
                StudyArm(name: "mmoe@8+experts=4", architecture: .mixtureOfExperts, options: mmoeOptions,
                         learningRate: 3e-3)]
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 30, baseline: "multi-head@32",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.regression.make(sampleCount: samples, seed: seed, correlation: Float(correlation)!)
    }.addingNoiseFloor()
}

// %% [markdown]
// A slice re-run: ρ = 1, seeds 0 and 1 (one short seed with `--quick`). Runs are deterministic for
// their seed, whatever the thread count, so the full run must reproduce the committed rows exactly.

// %%
let mmoeSlice = try mmoeStudy(correlation: "1.0", seeds: quick ? [0] : [0, 1], samples: quick ? 600 : 5000,
                              epochs: quick ? 3 : 300, resultsURL: nil).run()
print(mmoeSlice.markdownTable() + "\n")
if !quick {
    try mmoeSlice.checkReproduces(runsAt: results.appendingPathComponent("15-mmoe-correlation/rho-1.0/runs.csv"))
    print("(identical to the committed runs of these seeds)\n")
}
for correlation in ["1.0", "0.5", "0.0"] {
    let runs = results.appendingPathComponent("15-mmoe-correlation/rho-\(correlation)/runs.csv")
    let result = try mmoeStudy(correlation: correlation, seeds: Array(0..<8), samples: 5000, epochs: 300,
                               resultsURL: runs).recordedResult()
    print("ρ = \(correlation)\n" + result.markdownTable() + "\n")
}

// %% [markdown]
// ## MTAN against multi-head
// MTAN on `shapes` (8 attribute tasks, 1,000 images), the plain trunk of width 8, batches of 16, Adam
// 3·10⁻³, 8 epochs, each run at its best validation epoch, 5 paired seeds — once with Dynamic Weight
// Average (the balancer MTAN's paper trains it with) and once with equal weights
// (`Tutorials/results/15-mtan/`).

// %%
func mtanStudy(_ balancing: BalancingMethod, seeds: [UInt64], samples: Int, epochs: Int, resultsURL: URL?) -> Study {
    let options = ArchitectureOptions(width: 8)
    let arms = [StudyArm(name: "multi-head:\(balancing.rawValue)@8", architecture: .multiHead, balancing: balancing,
                         options: options, learningRate: 3e-3, batchSize: 16),
                StudyArm(name: "mtan:\(balancing.rawValue)@8", architecture: .multiTaskAttention,
                         balancing: balancing, options: options, learningRate: 3e-3, batchSize: 16)]
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, baseline: arms[0].name,
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.shapes.make(sampleCount: samples, seed: seed)
    }.addingNoiseFloor()
}

// %% [markdown]
// The slice: seed 0 with DWA (a tiny one with `--quick`), checked against the committed run; then
// both committed studies.

// %%
let mtanSlice = try mtanStudy(.dynamicWeightAverage, seeds: [0], samples: quick ? 100 : 1000, epochs: quick ? 1 : 8,
                              resultsURL: nil).run()
print(mtanSlice.markdownTable() + "\n")
if !quick {
    try mtanSlice.checkReproduces(runsAt: results.appendingPathComponent("15-mtan/dwa/runs.csv"))
    print("(identical to the committed run of this seed)\n")
}
for balancing in [BalancingMethod.dynamicWeightAverage, .equal] {
    let runs = results.appendingPathComponent("15-mtan/\(balancing.rawValue)/runs.csv")
    let result = try mtanStudy(balancing, seeds: Array(0..<5), samples: 1000, epochs: 8, resultsURL: runs)
        .recordedResult()
    print(result.markdownTable() + "\n")
    try result.deltaMChart(title: "MTAN vs multi-head, \(balancing.rawValue) (shapes, 5 seeds)")
        .write(to: figures.appendingPathComponent("15-mtan-\(balancing.rawValue).svg"), width: 820, height: 420)
}

// %% [markdown]
// ## Learning to Branch: searching for the tree
// Learning to Branch (Guo, Lee and Ulbricht, ICML 2020) searches for *where* the tasks part ways. The
// search space: two inner layers of six nodes (copies of the trunk's two blocks), then the six heads.
// Every child node j holds logits θ_j over the layer above and reads Σ_i d_{j,i} Y_i, d_j a hard
// Gumbel-softmax sample of θ_j (`BranchingSearchNetwork`, `gumbelSoftmax`); τ follows LibMTL's schedule
// (`BranchingTemperatureSchedule`). After the search each node keeps its argmax parent: that is the tree
// (`BranchingTree`), built as a `BranchedNetwork` and trained from scratch. One seed (3) on `blocks` — an
// illustration of the steps, not a finding (the committed study below is the finding).

// %%
let branchData = try SyntheticDataset.blocks.make(sampleCount: quick ? 600 : 3000, seed: 3, correlation: 0.8)
var branchOptions = ArchitectureOptions(width: 16, seed: 3)
branchOptions.searchEpochs = quick ? 2 : 20
let search = try searchBranching(data: branchData, options: branchOptions,
                                 training: Trainer.Configuration(epochs: 0, batchSize: 64, seed: 3))
let branchTaskNames = branchData.train.tasks.map(\.name)
print(search.tree.describe(taskNames: branchTaskNames))

// %% [markdown]
// The search, epoch by epoch: τ (or the warm-up, where every child reads the plain sum of its parents),
// and for each head the probability softmax(θ)_i of the parent it finally chose.

// %%
for (epoch, temperature) in search.temperatures.enumerated() {
    let heads = search.probabilities[epoch][search.tree.layerCount - 1]   // [task][parent]
    let chosen = search.tree.parents[search.tree.layerCount - 1]
    let tau = temperature.map { String(format: "τ = %.3f", $0) } ?? "warm-up"
    print("epoch \(epoch + 1) (\(tau)): P(chosen parent) of each head "
          + chosen.indices.map { String(format: "%.2f", heads[$0][chosen[$0]]) }.joined(separator: " "))
}

// %% [markdown]
// How well does a tree follow the blocks? The **depth gap**: the mean number of inner layers a pair of
// tasks of one block shares (0, 1 or 2), minus the same over pairs from different blocks. A tree blind
// to the blocks has an expected gap of 0; the two blocks under one shared root give +1.

// %%
/// The depth gap of `tree` on `blocks` (tasks 0–2 and 3–5): within-block pairs' mean shared depth minus
/// across-block pairs'.
func depthGap(_ tree: BranchingTree, blockSize: Int = 3) -> Double {
    var within: [Double] = [], across: [Double] = []
    for a in 0..<tree.taskCount {
        for b in (a + 1)..<tree.taskCount {
            let depth = Double(tree.sharedDepth(a, b))
            if a / blockSize == b / blockSize { within.append(depth) } else { across.append(depth) }
        }
    }
    return within.reduce(0, +) / Double(within.count) - across.reduce(0, +) / Double(across.count)
}
print(String(format: "depth gap of this tree: %+.3f layers", depthGap(search.tree)))
try ArchitectureDiagram(branchingTree: search.tree, taskNames: branchTaskNames,
                        title: "Learning to Branch on blocks: the searched tree (seed 3, 20 search epochs)")
    .write(to: figures.appendingPathComponent("15-ltb-tree.svg"))
if !quick {
    let committed = try String(contentsOf: results.appendingPathComponent("15-ltb-blocks/trees.csv"), encoding: .utf8)
    guard committed.contains("20,3,\"\(search.tree.encoded)\"") else {
        fatalError("seed 3's tree \(search.tree.encoded) is not the committed one (trees.csv)")
    }
    print("(identical to the committed tree of seed 3, `mtl train --architecture ltb --seed 3`)")
}

// %% [markdown]
// The retraining: the tree's network, built with fresh weights — only the nodes some task reaches — and
// trained from scratch like any other `MultiTaskNetwork`.

// %%
branchOptions.branchingTree = search.tree
let branched = makeNetwork(.learningToBranch, tasks: branchData.train.tasks, inputShape: branchData.train.inputShape,
                           options: branchOptions)   // a BranchedNetwork
let retrainer = Trainer(model: branched, optimizer: Adam(parameters: branched.parameters(), learningRate: 1e-3),
                        configuration: .init(epochs: quick ? 1 : 30, batchSize: 64, seed: 3, showsProgress: false))
try retrainer.fit(branchData.train, validation: branchData.validation)
let trunkOnly = makeNetwork(.multiHead, tasks: branchData.train.tasks, inputShape: branchData.train.inputShape,
                            options: ArchitectureOptions(width: 16))
print("the tree: \(branched.parameterCount) parameters (the multi-head network of width 16: "
      + "\(trunkOnly.parameterCount)); test MSE per task after \(quick ? "1 epoch" : "30 epochs"): "
      + evaluate(branched, on: branchData.test).map { String(format: "%.3f", $0.mainValue) }.joined(separator: " "))

// %% [markdown]
// ## The committed study: does the search group related tasks?
// `Tutorials/results/15-ltb-blocks/`: 30 seeds, each a search of 20 (the default) and of 100 epochs
// (`trees.csv`, one tree per row). The depth gap over the seeds with its 95% t-interval, and how often
// the two blocks came out exactly as the groups of the last inner layer; then the committed summary of
// `analyze.py`, which adds the paired control — a uniformly random tree of the same search space per
// seed (drawn with Python's generator, so it is read here, not redrawn).

// %%
let ltbResults = results.appendingPathComponent("15-ltb-blocks")
let treeRows = try String(contentsOf: ltbResults.appendingPathComponent("trees.csv"), encoding: .utf8)
    .split(separator: "\n").dropFirst()
for searchEpochs in [20, 100] {
    let trees = treeRows.compactMap { row -> BranchingTree? in
        let fields = row.split(separator: ",", maxSplits: 2).map(String.init)
        guard fields.count == 3, Int(fields[0]) == searchEpochs else { return nil }
        let encoded = fields[2].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return BranchingTree(encoded: encoded, nodeCounts: [6, 6])
    }
    guard let gap = meanWithConfidenceInterval(trees.map { depthGap($0) }) else { continue }
    let recovered = trees.filter { $0.taskGroups(atLayer: 1) == [[0, 1, 2], [3, 4, 5]] }.count
    print(String(format: "%d search epochs, %d seeds: depth gap %+.3f [%+.3f, %+.3f]; ", searchEpochs, trees.count,
                 gap.mean, gap.lower, gap.upper) + "blocks recovered exactly: \(recovered) of \(trees.count)")
}
let treesSummary = try String(contentsOf: ltbResults.appendingPathComponent("trees-summary.md"), encoding: .utf8)
// (Without its long lists of the trees per seed, and the blank line after each.)
let summaryLines = treesSummary.split(separator: "\n", omittingEmptySubsequences: false)
print("\n" + summaryLines.indices.filter { index in
    !summaryLines[index].hasPrefix("Trees per seed") && !(index > 0 && summaryLines[index - 1].hasPrefix("Trees per"))
}.map { summaryLines[$0] }.joined(separator: "\n"))

// %% [markdown]
// And the retrained trees' test error (`mtl study`, 20 paired seeds, at most 50 epochs, patience 10;
// run without a noise floor): ltb against the multi-head network of the trunk's width (16), then — the
// capacity control — against one of ltb's mean parameter budget (width 29).

// %%
func ltbStudy(baselineWidth: Int, resultsURL: URL?) -> Study {
    var arms = [StudyArm(name: "multi-head", architecture: .multiHead, options: ArchitectureOptions(width: 16)),
                StudyArm(name: "ltb", architecture: .learningToBranch, options: ArchitectureOptions(width: 16))]
    if baselineWidth != 16 {
        arms.insert(StudyArm(name: "multi-head@\(baselineWidth)", architecture: .multiHead,
                             options: ArchitectureOptions(width: baselineWidth)), at: 0)
    }
    return Study(arms: arms, seeds: Array(0..<20), maximumEpochs: 50, patience: 10, baseline: arms[0].name,
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.blocks.make(sampleCount: 3000, seed: seed, correlation: 0.8)
    }
}
for (baselineWidth, folder) in [(16, "study"), (29, "study-capacity")] {
    let runs = ltbResults.appendingPathComponent("\(folder)/runs.csv")
    print(try ltbStudy(baselineWidth: baselineWidth, resultsURL: runs).recordedResult().markdownTable() + "\n")
}
