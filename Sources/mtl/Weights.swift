import Foundation
import MultiTaskKit

// `mtl export` and `mtl import`: a run's weights as safetensors for other frameworks, and back.

/// `mtl export`: the model of a checkpoint as a safetensors file.
let exportCommand = CommandSpec(
    name: "export",
    summary: "Write the weights of a checkpoint written by `mtl train` as a safetensors file (F32 tensors keyed by "
        + "the dotted parameter names; chapter 14 maps them to PyTorch's).",
    flags: [Flag(name: "checkpoint", kind: .text(default: nil, placeholder: "PATH"), help: "the checkpoint (required)"),
            Flag(name: "output", kind: .text(default: nil, placeholder: "FILE"),
                 help: "the safetensors file to write (required)"),
            Flag(name: "overwrite", kind: .toggle, help: "replace an existing --output file"),
            CommandSpec.threadsFlag])

/// `mtl import`: a safetensors file's weights in a new run directory, for `mtl eval`.
let importCommand = CommandSpec(
    name: "import",
    summary: "Load a safetensors file into the architecture of a checkpoint written by `mtl train` (every tensor "
        + "by name and shape) and write the result as a new checkpoint, DIR/model.mtlckpt, for `mtl eval`.",
    flags: [Flag(name: "checkpoint", kind: .text(default: nil, placeholder: "PATH"),
                 help: "the checkpoint whose settings give the architecture (required)"),
            Flag(name: "weights", kind: .text(default: nil, placeholder: "FILE"),
                 help: "the safetensors file (required)"),
            Flag(name: "output", kind: .text(default: nil, placeholder: "DIR"),
                 help: "the run directory to write model.mtlckpt into (required)"),
            Flag(name: "overwrite", kind: .toggle, help: "replace a model.mtlckpt already in --output"),
            CommandSpec.threadsFlag])

/// A value flag the command cannot do without.
func required(_ flags: Arguments, _ name: String) throws -> String {
    guard let value = flags.string(name) else {
        let placeholder = if case .text(_, let placeholder) = flags.spec.flag(name).kind { placeholder } else { "" }
        throw UsageError(description: "\(flags.spec.name): --\(name) \(placeholder) is required")
    }
    return value
}

func runExport(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, spec: exportCommand)
    Parallelism.threadCount = try flags.threadCount()
    let checkpointPath = try required(flags, "checkpoint")
    let output = URL(fileURLWithPath: try required(flags, "output"))
    var checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpointPath))
    let model = try rebuildModel(checkpoint).model
    for key in checkpoint.tensors.keys where key.hasPrefix("trainer.") { checkpoint.tensors[key] = nil }
    try model.load(checkpoint)
    if FileManager.default.fileExists(atPath: output.path) && !flags.isSet("overwrite") {
        throw UsageError(description: "export: \(output.path) already exists; replace it with --overwrite")
    }
    // The run's settings and, for a user's data, its record (the standardization statistics among it).
    var metadata = checkpoint.metadata.filter { $0.key.hasPrefix("run.") || $0.key.hasPrefix("data.") }
    metadata["producer"] = "MultiTaskKit mtl export"
    metadata["layout"] = "Linear weight [in, out] (PyTorch: [out, in]); Conv2D weight [out, in, kH, kW]"
    try model.exportSafetensors(to: output, metadata: metadata)
    let weights = model.safetensors()
    print("wrote \(weights.tensors.count) tensors (\(model.parameterCount) parameters and "
          + "\(model.namedBuffers().count) buffers) to \(output.path); read it back with: mtl import --checkpoint "
          + "\(checkpointPath) --weights \(output.path) --output DIR")
}

func runImport(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, spec: importCommand)
    Parallelism.threadCount = try flags.threadCount()
    let checkpointPath = try required(flags, "checkpoint")
    let weightsURL = URL(fileURLWithPath: try required(flags, "weights"))
    let output = URL(fileURLWithPath: try required(flags, "output"))
    let checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpointPath))
    let model = try rebuildModel(checkpoint).model
    try model.importSafetensors(from: weightsURL)
    let broken = model.nonFiniteParameters()
    guard broken.isEmpty else {
        throw UsageError(description: "\(weightsURL.path): \(broken.count) tensor(s) hold NaN or infinite values, "
                         + "first '\(excerpt(broken[0], limit: 80))'")
    }
    // Everything that can be refused is checked before the output directory is touched.
    let lock = try makeRunDirectory(output)
    defer { close(lock) }
    let checkpointURL = output.appendingPathComponent("model.mtlckpt")
    if FileManager.default.fileExists(atPath: checkpointURL.path) && !flags.isSet("overwrite") {
        throw UsageError(description: "import: \(output.path) already holds a model.mtlckpt; replace it with "
                         + "--overwrite")
    }
    var metadata = checkpoint.metadata.filter { $0.key.hasPrefix("run.") || $0.key.hasPrefix("data.") }
    metadata["imported.weights"] = weightsURL.path
    // No optimizer or trainer state: the new checkpoint is for evaluation (`--resume` refuses it).
    try model.saveCheckpoint(to: checkpointURL, metadata: metadata)
    print("wrote \(checkpointURL.path) (the weights of \(weightsURL.path) in the architecture of "
          + "\(checkpointPath)); evaluate with: mtl eval --checkpoint \(checkpointURL.path)")
}
