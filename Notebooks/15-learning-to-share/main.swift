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
