import Foundation
import MultiTaskKit

/// `mtl demo`: a small multi-task experiment on generated attribute-shape images — eight tasks
/// (attribute groups) learned by single-task networks (STL), a multi-head network (hard
/// sharing) and Maximum Roaming (p = 0.5), compared on each task's F-score with Δm% against STL.
/// About a minute on two cores; `--quick` is a smoke run of the same code path.
let demoCommand = CommandSpec(
    name: "demo",
    summary: "A small multi-task experiment on generated attribute-shape images: single-task networks, "
        + "a multi-head network and Maximum Roaming, compared per task (F-score) and by Δm% against "
        + "single-task. About a minute on two cores.",
    flags: [CommandSpec.threadsFlag,
            Flag(name: "seed", kind: .integer(default: 0, range: 0...Int.max), help: "seed of the data and the models"),
            Flag(name: "quick", kind: .toggle, help: "a smaller smoke run of the same code path")])

func runDemo(seed: UInt64, quick: Bool) throws {
    let sampleCount = quick ? 400 : 3000, epochs = quick ? 1 : 4
    print("MultiTaskKit demo — seed \(seed), \(Parallelism.threadCount) worker thread(s)\(quick ? ", quick mode" : "")")
    let start = DispatchTime.now().uptimeNanoseconds
    let data = try SyntheticDataset.shapes.make(sampleCount: sampleCount, seed: seed)
    print(String(format: "Generated %d attribute-shape images (3×32×32) with 8 attribute groups in %.2f s; %d train / %d validation / %d test.",
                 sampleCount, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, data.train.count, data.validation.count, data.test.count))
    print("Tasks: " + data.train.tasks.map { "\($0.name) (\($0.outputNames.joined(separator: ", ")))" }.joined(separator: "; ") + "\n")
    let stepsPerEpoch = (data.train.count + 63) / 64
    let options = ArchitectureOptions(width: 16, sharingRatio: 0.5, updateInterval: max(1, stepsPerEpoch / 5), seed: seed)
    var results: [(name: String, result: ExperimentResult)] = []
    for (name, architecture) in [("STL (8 nets)", Architecture.singleTask), ("multi-head", .multiHead), ("roaming p=0.5", .maximumRoaming)] {
        let result = try runExperiment(architecture, data: data, options: options, epochs: epochs, learningRate: 3e-3)
        print(String(format: "  trained %@: %d parameters, %.1f s per epoch", name, result.parameterCount, result.secondsPerEpoch))
        results.append((name, result))
    }
    print("\n" + comparisonTable(results, baseline: results[0].result))
    print("(Δm% against STL on the F-scores; a task whose STL F-score is 0 has no relative change and is left out.)")
    print(String(format: "\nΔm%% > 0: better than single-task on average. Total %.1f s. Next: `mtl train --help`, Tutorials/00-getting-started.md.",
                 Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
}
