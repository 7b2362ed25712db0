import Foundation
import MultiTaskKit

// A user's own dataset: the files the flags name, read and checked. Every problem is a
// `UsageError` that names the file and says what is wrong (`mtl` exits with status 2).

/// A user's dataset as the flags name it: a CSV table or `.npy` arrays, the tasks, the split and
/// what is standardized.
struct UserDataSource {
    enum Files {
        /// A CSV table, and its input columns when `--input-columns` names them.
        case table(URL, inputColumns: [String]?)
        /// `.npy` inputs and one `.npy` target file per task, in task order.
        case arrays(inputs: URL, targets: [URL])
    }

    var files: Files
    var tasks: [UserTask]
    var standardized: StandardizedParts
    var validationFraction: Double
    var testFraction: Double

    /// The file the inputs come from (the table, or the `.npy` inputs).
    var inputsURL: URL {
        switch files {
        case .table(let url, _): url
        case .arrays(let url, _): url
        }
    }

    /// Every file the data are read from.
    var allURLs: [URL] {
        switch files {
        case .table(let url, _): [url]
        case .arrays(let inputs, let targets): [inputs] + targets
        }
    }

    /// The data in a few words, for messages: the table's or the inputs' file name.
    var name: String { inputsURL.lastPathComponent }

    /// The tasks as recorded in a checkpoint (`run.tasks`, every kind and count given), without
    /// reading the data.
    func declaredSpecs() throws -> [TaskSpec] {
        try tasks.map { task in
            guard let requested = task.requested, let count = requested.count else {
                throw UsageError(description: "the checkpoint's run.tasks does not give the kind and count of the "
                                 + "task '\(task.name)': was it damaged or edited?")
            }
            let kind: TaskKind = switch requested.name {
            case .classification: .classification(classCount: count)
            case .multiLabel: .multiLabel(labelCount: count)
            case .regression: .regression(outputCount: count)
            }
            return TaskSpec(name: task.name, kind: kind)
        }
    }

    /// Reads and checks the files: every row, every task resolved to a kind (given or inferred) and
    /// its labels checked against it.
    func load() throws -> UserDataset {
        switch files {
        case .table(let url, let inputColumns): try loadTable(url, inputColumns: inputColumns)
        case .arrays(let inputs, let targets): try loadArrays(inputs, targets: targets)
        }
    }

    private func loadTable(_ url: URL, inputColumns: [String]?) throws -> UserDataset {
        let table: CSVTable
        do { table = try CSVTable(contentsOf: url, allowsMissing: true) } catch { throw fileError(url, error) }
        let header = excerpt(table.columnNames.joined(separator: ", "), limit: 200)
        var used: [String: String] = [:]
        for task in tasks {
            for column in task.columns {
                guard table.columnNames.contains(column) else {
                    throw UsageError(description: "\(url.path): no column named '\(excerpt(column))' for the task "
                                     + "'\(task.name)' (the header has: \(header))")
                }
                if let other = used.updateValue(task.name, forKey: column) {
                    throw UsageError(description: "\(url.path): the column '\(excerpt(column))' is the label of two "
                                     + "tasks, '\(other)' and '\(task.name)'")
                }
            }
        }
        let inputs = inputColumns ?? table.columnNames.filter { used[$0] == nil }
        for column in inputs {
            guard table.columnNames.contains(column) else {
                throw UsageError(description: "\(url.path): --input-columns names '\(excerpt(column))', which is not "
                                 + "a column (the header has: \(header))")
            }
            if let task = used[column] {
                throw UsageError(description: "\(url.path): the column '\(excerpt(column))' is both an input and the "
                                 + "label of the task '\(task)'")
            }
        }
        guard !inputs.isEmpty else {
            throw UsageError(description: "\(url.path): no input columns are left after the label columns of --tasks")
        }
        guard table.rowCount > 0 else { throw UsageError(description: "\(url.path): the table has no data rows") }
        var specs: [TaskSpec] = [], targets: [Tensor] = [], inferred: [String] = [], labelled: [[Bool]] = []
        for task in tasks {
            let labels = try table.tensor(columns: task.columns)
            let (spec, target, rows) = try resolvePartial(task, labels: labels, in: url, rowName: { "row \($0 + 1)" })
            specs.append(spec)
            targets.append(target)
            labelled.append(rows)
            if task.requested == nil { inferred.append(task.name) }
        }
        let features = try table.tensor(columns: inputs)
        if let index = features.scalars.firstIndex(where: { $0.isNaN }) {
            throw UsageError(description: "\(url.path): row \(index / inputs.count + 1), column "
                             + "'\(excerpt(inputs[index % inputs.count]))': a missing input (an empty or nan cell); "
                             + "only labels may be missing (an empty or nan label cell marks an unlabelled sample)")
        }
        return UserDataset(dataset: MultiTaskDataset(tasks: specs, inputs: features, targets: targets,
                                                     labelMask: LabelMask(perTask: labelled)),
                           specifications: zip(tasks, specs).map { $0.specification(resolvedAs: $1) },
                           inferredTasks: inferred, inputColumns: inputs)
    }

    private func loadArrays(_ inputsURL: URL, targets targetURLs: [URL]) throws -> UserDataset {
        var inputs = try readNPY(inputsURL)
        switch inputs.rank {
        case 2: break
        case 3: inputs = inputs.reshaped(to: [inputs.shape[0], 1, inputs.shape[1], inputs.shape[2]])
        case 4: break
        default:
            throw UsageError(description: "\(inputsURL.path): inputs of shape \(inputs.shape); they must be [N, D] "
                             + "vectors, or [N, C, H, W] or [N, H, W] images")
        }
        guard inputs.shape[0] > 0, inputs.count > 0 else {
            throw UsageError(description: "\(inputsURL.path): inputs of shape \(inputs.shape) hold no values")
        }
        if inputs.rank == 4 && min(inputs.shape[2], inputs.shape[3]) < 8 {
            throw UsageError(description: "\(inputsURL.path): images of \(inputs.shape[2])×\(inputs.shape[3]) pixels; "
                             + "the convolutional trunk pools three times and needs at least 8×8")
        }
        try checkFinite(inputs, in: inputsURL, what: "inputs")
        var specs: [TaskSpec] = [], targets: [Tensor] = [], inferred: [String] = [], labelled: [[Bool]] = []
        for (task, url) in zip(tasks, targetURLs) {
            let labels = try readNPY(url)
            guard labels.rank == 1 || labels.rank == 2 else {
                throw UsageError(description: "\(url.path): the labels of the task '\(task.name)' have shape "
                                 + "\(labels.shape); they must be [N] or [N, K]")
            }
            guard labels.shape[0] == inputs.shape[0] else {
                throw UsageError(description: "\(url.path): \(labels.shape[0]) labels for the task '\(task.name)', but "
                                 + "\(inputsURL.path) holds \(inputs.shape[0]) samples")
            }
            // NaN marks a missing label (an unlabelled sample); infinities are refused.
            if let index = labels.scalars.firstIndex(where: { $0.isInfinite }) {
                let perSample = max(1, labels.count / max(1, labels.shape[0]))
                throw UsageError(description: "\(url.path): the labels of sample \(index / perSample) (counting from "
                                 + "0) hold \(labels.scalars[index]): infinities are refused (NaN marks a missing "
                                 + "label)")
            }
            let matrix = labels.reshaped(to: [labels.shape[0], labels.rank == 2 ? labels.shape[1] : 1])
            let (spec, target, rows) = try resolvePartial(task, labels: matrix, in: url, rowName: { "sample \($0)" })
            specs.append(spec)
            targets.append(target)
            labelled.append(rows)
            if task.requested == nil { inferred.append(task.name) }
        }
        return UserDataset(dataset: MultiTaskDataset(tasks: specs, inputs: inputs, targets: targets,
                                                     labelMask: LabelMask(perTask: labelled)),
                           specifications: zip(tasks, specs).map { $0.specification(resolvedAs: $1) },
                           inferredTasks: inferred, inputColumns: nil)
    }

    /// `resolve` for labels with missing values (NaN: partially labelled data): the kind is resolved
    /// from the labelled rows (a row with any NaN is unlabelled); the unlabelled rows' targets are a
    /// placeholder 0. Returns the spec, the targets of every row and which rows are labelled.
    private func resolvePartial(_ task: UserTask, labels: Tensor, in url: URL,
                                rowName: (Int) -> String) throws -> (TaskSpec, Tensor, [Bool]) {
        let count = labels.shape[0], width = labels.shape[1]
        let labelled = (0..<count).map { row in
            !labels.scalars[(row * width)..<((row + 1) * width)].contains(where: \.isNaN)
        }
        if !labelled.contains(false) {
            let (spec, target) = try resolve(task, labels: labels, in: url, rowName: rowName)
            return (spec, target, labelled)
        }
        let rows = labelled.indices.filter { labelled[$0] }
        guard !rows.isEmpty else {
            throw UsageError(description: "\(url.path): the task '\(task.name)' has no labels (every one is missing)")
        }
        let (spec, compact) = try resolve(task, labels: labels.gathering(rows), in: url,
                                          rowName: { rowName(rows[$0]) })
        let perSample = compact.count / rows.count
        var scalars = [Float](repeating: 0, count: count * perSample)
        for (index, row) in rows.enumerated() {
            for k in 0..<perSample { scalars[row * perSample + k] = compact.scalars[index * perSample + k] }
        }
        return (spec, Tensor(shape: [count] + compact.shape.dropFirst(), scalars: scalars), labelled)
    }

    /// The task's kind (given, or inferred from `labels`, `[N, K]`) and its targets in the layout of
    /// `TaskSpec`; throws when a label does not fit the kind. `rowName` names a sample in messages.
    private func resolve(_ task: UserTask, labels: Tensor, in url: URL,
                         rowName: (Int) -> String) throws -> (TaskSpec, Tensor) {
        let perSample = labels.shape[1]
        let described = "the task '\(task.name)'"
        let kind: TaskKind
        if let requested = task.requested {
            switch requested.name {
            case .classification:
                guard perSample == 1 else {
                    throw UsageError(description: "\(url.path): \(described) is named a classification task, which "
                                     + "takes one class index per sample, but has \(perSample) labels per sample "
                                     + "(a multi-label or regression task?)")
                }
                kind = .classification(classCount: try requested.count ?? classCount(of: labels, task: task,
                                                                                    in: url, rowName: rowName))
            case .multiLabel, .regression:
                if let count = requested.count, count != perSample {
                    throw UsageError(description: "\(url.path): \(described) is named \(requested.name.rawValue) "
                                     + "with \(count) outputs, but has \(perSample) label\(perSample == 1 ? "" : "s") "
                                     + "per sample")
                }
                kind = requested.name == .regression ? .regression(outputCount: perSample)
                    : .multiLabel(labelCount: perSample)
            }
        } else {
            kind = TaskKind.inferred(fromLabels: perSample == 1 ? labels.reshaped(to: [labels.shape[0]]) : labels)
        }
        let target = if case .classification = kind { labels.reshaped(to: [labels.shape[0]]) } else { labels }
        if let misfit = kind.firstMisfit(in: target) {
            var hint = ""
            if case .classification = kind, misfit.value.rounded() != misfit.value {
                hint = ": a classification task takes whole class indices; are they values to regress "
                    + "(\(task.name):regression)?"
            } else if case .multiLabel = kind {
                hint = ": a multi-label task takes 0 or 1 per label"
            }
            throw UsageError(description: "\(url.path): \(described), \(rowName(misfit.sample)): the label "
                             + "\(misfit.value) is not \(misfit.expected)\(hint)")
        }
        if let first = target.scalars.first, target.scalars.allSatisfy({ $0 == first }) {
            throw UsageError(description: "\(url.path): \(described) has the label \(first) for every sample: there "
                             + "is nothing to learn")
        }
        return (TaskSpec(name: task.name, kind: kind), target)
    }

    /// A classification task's class count from its labels: the largest class index + 1 (at least 2).
    private func classCount(of labels: Tensor, task: UserTask, in url: URL,
                            rowName: (Int) -> String) throws -> Int {
        let limit = 100_000
        if let sample = labels.scalars.firstIndex(where: { !($0 >= 0 && $0 < Float(limit) && $0.rounded() == $0) }) {
            throw UsageError(description: "\(url.path): the task '\(task.name)', \(rowName(sample)): the label "
                             + "\(labels.scalars[sample]) is not a class index (a whole number in 0..<\(limit))"
                             + (labels.scalars[sample].rounded() == labels.scalars[sample] ? ""
                                : "; are they values to regress (\(task.name):regression)?"))
        }
        return max(2, Int(labels.scalars.max() ?? 0) + 1)
    }
}

/// The rows of a user's dataset, read and checked, before any split.
struct UserDataset {
    /// Every row: inputs as read, targets in the layout of their tasks' kinds.
    var dataset: MultiTaskDataset
    /// Each task as `--tasks` writes it with its resolved kind (`UserTask.specification(resolvedAs:)`).
    var specifications: [String]
    /// The tasks whose kind was inferred.
    var inferredTasks: [String]
    /// The input columns of a CSV table, in order; nil for `.npy` inputs.
    var inputColumns: [String]?
}

/// `path` made absolute against the current directory (a checkpoint records where its data are, for
/// `mtl eval` run from anywhere).
func absoluteURL(_ path: String) -> URL {
    URL(fileURLWithPath: path).standardizedFileURL
}

/// A `.npy` file's tensor; a file that cannot be read is a `UsageError` naming it.
func readNPY(_ url: URL) throws -> Tensor {
    do { return try Tensor(contentsOfNPY: url) } catch { throw fileError(url, error) }
}

/// A loader's error as a `UsageError` that names the file (once).
func fileError(_ url: URL, _ error: any Error) -> UsageError {
    let text = "\(error)"
    return UsageError(description: text.contains(url.path) ? text : "\(url.path): \(text)")
}

/// Throws when `values` (the sample on the first axis) hold a NaN or an infinity, naming the sample.
func checkFinite(_ values: Tensor, in url: URL, what: String) throws {
    guard let index = values.scalars.firstIndex(where: { !$0.isFinite }) else { return }
    let perSample = max(1, values.count / max(1, values.shape[0]))
    throw UsageError(description: "\(url.path): the \(what) of sample \(index / perSample) (counting from 0) hold "
                     + "\(values.scalars[index]): non-finite values are refused")
}
