import Foundation
import MultiTaskKit

/// `mtl eval`: rebuilds a run from its checkpoint and reports the test split.
let evalCommand = CommandSpec(
    name: "eval",
    summary: "Evaluate a checkpoint written by `mtl train` on its test split (a run on your own data reads its files "
        + "again, and refuses them if they changed since).",
    flags: [Flag(name: "checkpoint", kind: .text(default: nil, placeholder: "PATH"), help: "the checkpoint (required)"),
            CommandSpec.threadsFlag])

func runEval(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, spec: evalCommand)
    Parallelism.threadCount = try flags.threadCount()
    guard let path = flags.string("checkpoint") else {
        throw UsageError(description: "eval: --checkpoint PATH is required")
    }
    var checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: path))
    let (settings, data, model) = try rebuildRun(checkpoint)
    for key in checkpoint.tensors.keys where key.hasPrefix("trainer.") { checkpoint.tensors[key] = nil }
    try model.load(checkpoint)
    let broken = model.nonFiniteParameters()
    guard broken.isEmpty else {
        throw UsageError(description: "the checkpoint's weights hold NaN or infinite values (\(broken.count) "
                         + "parameter(s), first "
                         + "\(broken[0])): the run diverged; train again with a lower --learning-rate")
    }
    // A checkpoint written by `mtl import` records where its weights came from instead of epochs.
    let origin = checkpoint.metadata["imported.weights"].map { "weights imported from \(excerpt($0, limit: 200))" }
        ?? "\(checkpoint.metadata["trainer.completedEpochs"].map { excerpt($0) } ?? "?") epochs"
    let evaluations = evaluate(model, on: data.test)
    print("\(settings.architecture.rawValue) on \(settings.dataName), \(origin), test split "
          + "(\(data.test.count) samples):")
    for evaluation in evaluations {
        let metrics = evaluation.metrics.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { String(format: "%@ %.4f", $0.key.rawValue, $0.value) }
        print("  \(evaluation.task): loss \(String(format: "%.4f", evaluation.loss)), "
              + metrics.joined(separator: ", "))
    }
    if settings.userData?.standardized == .inputsAndTargets {
        print("(regression losses and metrics are on the standardized targets: --standardize inputs-and-targets)")
    }
}
