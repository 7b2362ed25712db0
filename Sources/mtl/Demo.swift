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

/// The demo's images are 16×16 (the smallest `AttributeShapes` draws): a quarter of the
/// convolution work of 32×32, so every model can be trained long enough for the comparison to be
/// fair — each for the same number of epochs, with each run's epoch selected on the validation split
/// (per task for the single-task networks, which are separate models).
func runDemo(seed: UInt64, quick: Bool) throws {
    let sampleCount = quick ? 400 : 3000, epochs = quick ? 1 : demoEpochs, imageSize = 16
    let mode = quick ? ", quick mode" : ""
    print("MultiTaskKit demo — seed \(seed), \(Parallelism.threadCount) worker thread(s)\(mode)")
    let start = DispatchTime.now().uptimeNanoseconds
    let data = try AttributeShapes(imageSize: imageSize).dataset(sampleCount: sampleCount, seed: seed)
        .split(validationFraction: 0.1, testFraction: 0.2, seed: seed &+ 2)
    print(String(format: "Generated %d attribute-shape images (3×%d×%d) with 8 attribute groups in %.2f s; "
                 + "%d train / %d validation / %d test.", sampleCount, imageSize, imageSize,
                 Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, data.train.count, data.validation.count,
                 data.test.count))
    print("Tasks: "
          + data.train.tasks.map { "\($0.name) (\($0.outputNames.joined(separator: ", ")))" }.joined(separator: "; ")
          + "\n")
    let stepsPerEpoch = (data.train.count + 63) / 64
    var options = ArchitectureOptions(width: 16, sharingRatio: 0.5, updateInterval: max(1, stepsPerEpoch / 5),
                                      seed: seed)
    options.skipsMaskedUnits = true
    let arms = [StudyArm(name: "STL (8 nets)", architecture: .singleTask, options: options,
                         learningRate: demoLearningRate),
                StudyArm(name: "multi-head", architecture: .multiHead, options: options,
                         learningRate: demoLearningRate),
                StudyArm(name: "roaming p=0.5", architecture: .maximumRoaming, options: options,
                         learningRate: demoLearningRate)]
    var runs: [StudyRun] = []
    for arm in arms {
        let run = try Study.train(arm, seed: seed, data: data, maximumEpochs: epochs, patience: nil)
        print(String(format: "  trained %@: %d parameters, %d epochs in %.1f s", arm.name, run.parameterCount,
                     run.epochsTrained,
                     run.seconds))
        runs.append(run)
    }
    let tasks = data.train.tasks
    let result = StudyResult(tasks: tasks, arms: arms.map(\.name), seeds: [seed], baseline: arms[0].name, runs: runs)
    func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ",
                                                                    startingAt: 0) }
    print("\nTest F-score per task at the epoch selected on validation (\(epochs) epochs each; one seed):")
    print(pad("model", 14) + tasks.map { pad(String($0.name.prefix(10)), 11) }.joined() + pad("mean", 8) + "Δm%")
    for (arm, run) in zip(arms, runs) {
        let delta = result.deltaM(of: arm.name).first ?? 0
        print(pad(arm.name, 14) + run.test.map { pad(String(format: "%.3f", $0), 11) }.joined()
              + pad(String(format: "%.3f", run.test.reduce(0, +) / Double(run.test.count)), 8)
              + (arm.name == arms[0].name ? "—" : String(format: "%+.1f", delta)))
    }
    print("\nΔm% > 0: better than single-task on average (against STL, per task). One seed is an illustration, not a "
          + "finding: `mtl study` repeats it over paired seeds with confidence intervals.")
    print(String(format: "Total %.1f s. Next: `mtl train --help`, `mtl study --help`, Tutorials/00-getting-started.md.",
                 Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
}

/// The demo's training budget and learning rate (chosen so that every model learns every task
/// within about a minute on two cores).
let demoEpochs = 10
let demoLearningRate: Float = 3e-3
