import Foundation
import MultiTaskKit

/// `mtl compare`: every balancing method (or those named) on one generated dataset (or the user's
/// own: `--data`, or `--inputs` and `--targets`) with a multi-head network, over several seeds,
/// against single-task networks: each task's main metric (mean ± standard deviation over seeds),
/// Δm% against STL of the same seed, and the wall time per epoch. Writes `compare.csv` and
/// `delta-m.svg` into --output when given.
let compareCommand = CommandSpec(
    name: "compare",
    summary: "Every balancing method (EW, uncertainty, DWA, RLW, GLS, GradNorm, unitary, MGDA-UB, MGDA, PCGrad, "
        + "Nash-MTL, AdaTask) with a multi-head network against single-task networks (the `stl` arm), over paired "
        + "seeds, with the protocol of `mtl study`: per-task metrics, Δm% with its 95% CI, a noise floor. On "
        + "generated data or your own (--data FILE.csv, or --inputs and --targets .npy files; each seed splits it "
        + "anew).",
    flags: [Flag(name: "balancers", kind: .text(default: nil, placeholder: "A,B,…"),
                 help: "the methods to compare (default: all of "
                 + BalancingMethod.allCases.map(\.rawValue).joined(separator: ", ") + ")")]
        + studyFlags(defaultDataset: "scenes", defaultSeeds: 5, defaultEpochs: 12, defaultSamples: 2000,
                     defaultBatchSize: 32))

/// `mtl compare`: a study whose arms are single-task networks and one multi-head network per method.
func runCompare(_ arguments: [String]) throws {
    let (flags, _) = try Arguments(arguments, spec: compareCommand).applyingPreset()
    Parallelism.threadCount = try flags.threadCount()
    var methods = BalancingMethod.allCases
    if let list = flags.string("balancers") {
        let names = list.split(separator: ",",
                               omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        methods = try names.map { name in
            guard let method = BalancingMethod(rawValue: name) else {
                let known = BalancingMethod.allCases.map(\.rawValue).joined(separator: ", ")
                throw UsageError(description: name.isEmpty
                                     ? "--balancers: an empty name in '\(excerpt(list))' (known: \(known))"
                                     : "--balancers: unknown method '\(excerpt(name))' (known: \(known))")
            }
            return method
        }
        guard Set(methods).count == methods.count else {
            throw UsageError(description: "--balancers: a method is named twice")
        }
    }
    let options = ArchitectureOptions(width: flags.integer("width")!, sharingRatio: flags.number("sharing-ratio")!,
                                      updateInterval: flags.integer("update-interval")!)
    let learningRate = Float(flags.number("learning-rate")!), batchSize = flags.integer("batch-size")!
    let arms = [StudyArm(name: "stl", architecture: .singleTask, options: options, learningRate: learningRate,
                         batchSize: batchSize)]
        + methods.map { StudyArm(name: $0.rawValue, architecture: .multiHead, balancing: $0, options: options,
                                 learningRate: learningRate, batchSize: batchSize) }
    try runStudy(arms.map { $0.withTrunk(from: flags) }, flags: flags, title: "compare")
}
