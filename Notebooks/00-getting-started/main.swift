// %% [markdown]
// # 00 — Getting started: what multi-task learning is, in one experiment
//
// One network, several tasks. Eight tasks here — the attribute groups of generated shape images
// (shape, colour, size, position, texture, count, background, frame) — learned three ways:
// single-task networks (STL: one per task, nothing shared), **hard sharing** (one trunk, a head per
// task) and **soft sharing** (one network per task, pulled together by a penalty on their
// differences). Run with `swift run -c release 00-getting-started` (`--quick`: a smaller run).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let sampleCount = quick ? 300 : 3000
let epochs = quick ? 1 : 4

// %% [markdown]
// ## The data
// `SyntheticDataset.shapes` generates the images in code (seeded, nothing downloaded) and splits
// them 70/10/20 into train, validation and test. Each task is a group of binary attributes,
// scored by the F-score of the Maximum Roaming paper.

// %%
let data = try SyntheticDataset.shapes.make(sampleCount: sampleCount, seed: 1)
print("\(data.train.count) training images of shape \(data.train.inputShape); tasks:")
for task in data.train.tasks { print("  \(task.name): \(task.outputNames.joined(separator: ", "))") }

// %% [markdown]
// ## Three ways to learn eight tasks
// The same backbone (three convolution blocks of width 16) for all; `runExperiment` trains each
// with Adam and evaluates the test split. Soft sharing adds λ Σ ‖θ_t − θ_t'‖² to the objective.

// %%
let options = ArchitectureOptions(width: 16, couplingStrength: 1e-3, seed: 1)
var results: [(name: String, result: ExperimentResult)] = []
for (name, architecture) in [("STL", Architecture.singleTask), ("hard sharing", .multiHead), ("soft sharing",
    .softSharing)] {
    let result = try runExperiment(architecture, data: data, options: options, learningRate: 3e-3,
                                   training: .init(epochs: epochs, seed: options.seed, showsProgress: false))
    results.append((name, result))
    print(String(format: "%@: %d parameters, %.1f s per epoch", name, result.parameterCount, result.secondsPerEpoch))
}

// %% [markdown]
// ## The comparison
// Each task's test F-score, their mean, and Δm% against STL: the mean relative change over tasks,
// positive when the multi-task model is better. A negative Δm% on a task is **negative transfer**.

// %%
print("\n" + comparisonTable(results, baseline: results[0].result))

// %% [markdown]
// ## The same comparison, as a finding
// One seed is an anecdote. `Tutorials/results/00-getting-started/` holds this comparison with the
// findings protocol (chapter 06): 5 paired seeds, each run trained until 5 epochs bring no better
// validation score (at most 30) and reported at its best validation epoch, Δm% with a 95% CI and a
// noise floor. Training it takes about an hour on two cores (`run.sh`), so this cell only reads it.

// %%
func gettingStartedStudy(resultsURL: URL) -> Study {
    let arms = [StudyArm(name: "stl@16", architecture: .singleTask, options: ArchitectureOptions(width: 16),
                         learningRate: 3e-3),
                StudyArm(name: "multi-head@16", architecture: .multiHead, options: ArchitectureOptions(width: 16),
                         learningRate: 3e-3),
                StudyArm(name: "soft-sharing@16~0.001", architecture: .softSharing,
                         options: ArchitectureOptions(width: 16, couplingStrength: 1e-3), learningRate: 3e-3)]
    return Study(arms: arms, seeds: Array(0..<5), maximumEpochs: 30, patience: 5, baseline: "stl@16",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.shapes.make(sampleCount: 3000, seed: seed)
    }.addingNoiseFloor()
}
let committedRuns = URL(fileURLWithPath: "Tutorials/results/00-getting-started/runs.csv")
let recorded = try gettingStartedStudy(resultsURL: committedRuns)
    .recordedResult()
print("\n" + recorded.markdownTable())
