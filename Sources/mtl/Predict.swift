import Foundation
import MultiTaskKit

// `mtl predict`: a trained run's predictions for new inputs.
//
// The inputs are treated as the run's training inputs were: a CSV table's input columns are read
// by name (other columns, the labels say, are ignored), `.npy` inputs must have the run's input
// shape, and the run's recorded standardization is applied. Per task it writes
//
//   classification (K classes)  the class index, and the K softmax probabilities
//   multi-label (L labels)      per label 0 or 1 (probability ≥ 0.5), and the sigmoid probability
//   regression (D values)       the values, in the targets' units (de-standardized when the run
//                               standardized its targets)
//
// as a CSV table, one row per input in order, with the columns
//
//   TASK, TASK.p0 … TASK.p{K−1}          classification
//   TASK.LABEL, TASK.LABEL.p             multi-label (LABEL: the label's column, or its index;
//                                        TASK, TASK.p for a single label)
//   TASK (D = 1), or TASK.OUTPUT         regression (OUTPUT: the output's column, or its index)
//
// or as `.npy` files beside `--output P.npy`, one per task: P.TASK.npy holds the probabilities
// [N, K] (classification, with the class indices [N] in P.TASK.class.npy), [N, L] (multi-label),
// or the values [N] (D = 1) or [N, D] (regression).

/// The flags of `mtl predict`.
let predictCommand = CommandSpec(
    name: "predict",
    summary: "Predict with a run trained by `mtl train`: new inputs (a CSV table with the run's input columns, or "
        + ".npy of the run's input shape) are standardized as the training inputs were, and each task's class with "
        + "its probabilities, its labels' probabilities or its values (in the targets' units) are written as CSV or "
        + ".npy.",
    flags: [Flag(name: "checkpoint", kind: .text(default: nil, placeholder: "PATH"), help: "the checkpoint (required)"),
            Flag(name: "inputs", kind: .text(default: nil, placeholder: "FILE"),
                 help: "the new inputs, FILE.csv or FILE.npy (required)"),
            Flag(name: "output", kind: .text(default: nil, placeholder: "FILE"),
                 help: "FILE.csv (one column per class probability, label or value), or FILE.npy (one file "
                    + "FILE.TASK.npy per task) (required)"),
            Flag(name: "overwrite", kind: .toggle, help: "replace existing output files"),
            CommandSpec.threadsFlag])

/// The samples a forward pass takes at once — `evaluate`'s batch, so that a network with batch
/// normalization (batch statistics in evaluation too) predicts the test split as `mtl eval` scores it.
private let predictionBatchSize = 256

func runPredict(_ arguments: [String]) throws {
    let flags = try Arguments(arguments, spec: predictCommand)
    Parallelism.threadCount = try flags.threadCount()
    let checkpointPath = try required(flags, "checkpoint")
    let inputsURL = URL(fileURLWithPath: try required(flags, "inputs"))
    let outputURL = URL(fileURLWithPath: try required(flags, "output"))
    let format = outputURL.pathExtension.lowercased()
    guard format == "csv" || format == "npy" else {
        throw UsageError(description: "predict: --output must end in .csv or .npy, got '\(excerpt(outputURL.path))'")
    }
    var checkpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpointPath))
    let (settings, tasks, inputShape, model) = try rebuildModel(checkpoint)
    for key in checkpoint.tensors.keys where key.hasPrefix("trainer.") { checkpoint.tensors[key] = nil }
    try model.load(checkpoint)
    let broken = model.nonFiniteParameters()
    guard broken.isEmpty else {
        throw UsageError(description: "the checkpoint's weights hold NaN or infinite values (\(broken.count) "
                         + "parameter(s), first \(broken[0])): the run diverged")
    }
    let recorded = settings.userData == nil ? nil
        : try RecordedUserData(metadata: checkpoint.metadata, tasks: tasks)
    let trainedOn = settings.userData == nil ? "the generated \(settings.dataset.rawValue) data" : settings.dataName
    var inputs = try predictionInputs(inputsURL, inputShape: inputShape, columns: recorded?.inputColumns,
                                      trainedOn: trainedOn)
    if let statistics = recorded?.inputStandardization { inputs = statistics.applied(to: inputs) }
    // Names of a task's outputs: its label columns for a CSV run, else their indices.
    let outputNames = tasks.indices.map { task -> [String] in
        let columns = settings.userData?.tasks[task].columns ?? []
        return columns.count == tasks[task].outputCount && columns.count > 1 ? columns
            : (0..<tasks[task].outputCount).map(String.init)
    }
    var outputs = predictions(of: model, for: inputs, taskCount: tasks.count)
    for (task, spec) in tasks.enumerated() {
        guard let statistics = recorded?.targetStandardizations[spec.name] else { continue }
        outputs[task] = statistics.restored(outputs[task])
    }
    let written = format == "csv"
        ? try writePredictionTable(outputs, tasks: tasks, outputNames: outputNames, to: outputURL,
                                   overwrite: flags.isSet("overwrite"))
        : try writePredictionArrays(outputs, tasks: tasks, besides: outputURL, overwrite: flags.isSet("overwrite"))
    print("predicted \(inputs.shape[0]) samples of \(inputsURL.lastPathComponent) with "
          + "\(settings.architecture.rawValue) trained on \(trainedOn); wrote \(written.joined(separator: ", "))")
}

/// The new inputs, `[N, …]` in the run's input shape, checked: a CSV table's input columns by name
/// (or, for a run without named columns, all of its columns in order), a `.npy` file of the run's
/// shape (`[N, H, W]` for one-channel images too). Non-finite values are refused.
func predictionInputs(_ url: URL, inputShape: [Int], columns: [String]?, trainedOn: String) throws -> Tensor {
    let expected = "[N, " + inputShape.map(String.init).joined(separator: ", ") + "]"
    switch url.pathExtension.lowercased() {
    case "csv":
        guard inputShape.count == 1 else {
            throw UsageError(description: "\(url.path): the run takes images \(expected) (trained on \(trainedOn)); "
                             + "give them as .npy")
        }
        let table: CSVTable
        do { table = try CSVTable(contentsOf: url) } catch { throw fileError(url, error) }
        guard table.rowCount > 0 else { throw UsageError(description: "\(url.path): the table has no data rows") }
        if let columns {
            if let missing = columns.first(where: { !table.columnNames.contains($0) }) {
                throw UsageError(description: "\(url.path): no column named '\(excerpt(missing))', an input of the "
                                 + "run (its inputs: \(excerpt(columns.joined(separator: ", "), limit: 200)); the "
                                 + "header has: \(excerpt(table.columnNames.joined(separator: ", "), limit: 200)))")
            }
            return try table.tensor(columns: columns)
        }
        guard table.columnNames.count == inputShape[0] else {
            throw UsageError(description: "\(url.path): \(table.columnNames.count) columns, but the run (trained on "
                             + "\(trainedOn)) takes \(inputShape[0]) input features, read from every column in order")
        }
        return try table.tensor(columns: table.columnNames)
    case "npy":
        var inputs = try readNPY(url)
        if inputShape.count == 3 && inputShape[0] == 1 && inputs.rank == 3 {
            inputs = inputs.reshaped(to: [inputs.shape[0], 1, inputs.shape[1], inputs.shape[2]])
        }
        guard inputs.rank == inputShape.count + 1, Array(inputs.shape.dropFirst()) == inputShape else {
            throw UsageError(description: "\(url.path): inputs of shape \(inputs.shape), but the run (trained on "
                             + "\(trainedOn)) takes \(expected)")
        }
        guard inputs.shape[0] > 0 else {
            throw UsageError(description: "\(url.path): no samples (shape \(inputs.shape))")
        }
        try checkFinite(inputs, in: url, what: "inputs")
        return inputs
    default:
        throw UsageError(description: "predict: --inputs must be a .csv or .npy file, got '\(excerpt(url.path))'")
    }
}

/// Each task's raw outputs for `inputs` (logits or values, `[N, K]`; dense tasks `[N, K, H, W]`), in
/// evaluation mode without recording a graph, in batches of `predictionBatchSize`.
func predictions(of model: MultiTaskNetwork, for inputs: Tensor, taskCount: Int) -> [Tensor] {
    model.eval()
    var parts = [[Tensor]](repeating: [], count: taskCount)
    withoutGradients {
        for start in stride(from: 0, to: inputs.shape[0], by: predictionBatchSize) {
            let batch = inputs.sliced(start..<min(inputs.shape[0], start + predictionBatchSize))
            for (task, output) in model.outputs(Variable(batch)).outputs.enumerated() {
                parts[task].append(output.value)
            }
        }
    }
    return parts.map { Tensor(concatenating: $0) }
}

/// Writes the predictions as one CSV table (see the top of this file); returns the file's path.
func writePredictionTable(_ outputs: [Tensor], tasks: [TaskSpec], outputNames: [[String]], to url: URL,
                          overwrite: Bool) throws -> [String] {
    try checkWritable([url], overwrite: overwrite)
    var header: [String] = [], columns: [[String]] = []
    for (task, spec) in tasks.enumerated() {
        let output = outputs[task]
        let rows = output.shape[0], width = output.count / max(1, rows)
        func column(_ index: Int, _ value: (Float) -> String) -> [String] {
            (0..<rows).map { value(output.scalars[$0 * width + index]) }
        }
        switch spec.kind {
        case .classification(let classCount):
            let probabilities = output.softmax(alongAxis: 1)
            header.append(spec.name)
            columns.append(classIndices(probabilities).scalars.map { String(Int($0)) })
            for k in 0..<classCount {
                header.append("\(spec.name).p\(k)")
                columns.append((0..<rows).map { probabilities.scalars[$0 * classCount + k].description })
            }
        case .multiLabel:
            let probabilities = output.sigmoid()
            for (index, label) in outputNames[task].enumerated() {
                let name = width == 1 ? spec.name : "\(spec.name).\(label)"
                header += [name, "\(name).p"]
                columns.append((0..<rows).map { probabilities.scalars[$0 * width + index] >= 0.5 ? "1" : "0" })
                columns.append((0..<rows).map { probabilities.scalars[$0 * width + index].description })
            }
        case .regression:
            for (index, name) in outputNames[task].enumerated() {
                header.append(width == 1 ? spec.name : "\(spec.name).\(name)")
                columns.append(column(index) { $0.description })
            }
        case .denseSegmentation, .denseRegression:
            throw UsageError(description: "predict: the task '\(spec.name)' predicts per pixel; write .npy "
                             + "(--output FILE.npy)")
        }
    }
    let rowCount = outputs.first?.shape[0] ?? 0
    var text = header.map(csvField).joined(separator: ",") + "\n"
    for row in 0..<rowCount { text += columns.map { $0[row] }.joined(separator: ",") + "\n" }
    try writeAtomically(Data(text.utf8), to: url)
    return [url.path]
}

/// Writes one `.npy` file per task beside `url` (P.npy → P.TASK.npy, and P.TASK.class.npy for
/// classification); returns their paths.
func writePredictionArrays(_ outputs: [Tensor], tasks: [TaskSpec], besides url: URL,
                           overwrite: Bool) throws -> [String] {
    let stem = url.deletingPathExtension().path
    var files: [(URL, Tensor)] = []
    for (task, spec) in tasks.enumerated() {
        let output = outputs[task], file = URL(fileURLWithPath: "\(stem).\(spec.name).npy")
        switch spec.kind {
        case .classification, .denseSegmentation:
            let probabilities = output.softmax(alongAxis: 1)
            files.append((file, probabilities))
            files.append((URL(fileURLWithPath: "\(stem).\(spec.name).class.npy"), classIndices(probabilities)))
        case .multiLabel:
            files.append((file, output.sigmoid()))
        case .regression(let count):
            files.append((file, count == 1 ? output.reshaped(to: [output.shape[0]]) : output))
        case .denseRegression:
            files.append((file, output))
        }
    }
    try checkWritable(files.map(\.0), overwrite: overwrite)
    for (file, tensor) in files { try tensor.writeNPY(to: file) }
    return files.map(\.0.path)
}

/// The index of the largest value along axis 1 of `[N, K, …]` probabilities: `[N, …]`.
func classIndices(_ probabilities: Tensor) -> Tensor {
    let classes = probabilities.shape[1], inner = probabilities.count / max(1, probabilities.shape[0] * classes)
    var shape = probabilities.shape
    shape.remove(at: 1)
    var indices = [Float](repeating: 0, count: probabilities.shape[0] * inner)
    for n in 0..<probabilities.shape[0] {
        for position in 0..<inner {
            var best = 0
            for k in 1..<classes where probabilities.scalars[(n * classes + k) * inner + position]
                > probabilities.scalars[(n * classes + best) * inner + position] {
                best = k
            }
            indices[n * inner + position] = Float(best)
        }
    }
    return Tensor(shape: shape, scalars: indices)
}

/// Refuses to replace existing files without `--overwrite`.
private func checkWritable(_ urls: [URL], overwrite: Bool) throws {
    guard !overwrite, let existing = urls.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
        return
    }
    throw UsageError(description: "predict: \(existing.path) already exists; replace it with --overwrite")
}

/// A CSV field: quoted when it holds a comma, a quote or a line end.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
