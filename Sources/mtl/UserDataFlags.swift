import Foundation
import MultiTaskKit

// The flags that bring a user's own dataset to `mtl train`, `mtl compare` and `mtl study`, and the
// grammar of `--tasks`. Loading and checking the files is in UserData.swift; splitting,
// standardizing and recording the run is in UserData+Record.swift.

/// The flags of a user's dataset: a CSV table (`--data`) or `.npy` arrays (`--inputs`, `--targets`),
/// the tasks, the split and the standardization.
let userDataFlags: [Flag] = [
    Flag(name: "data", kind: .text(default: nil, placeholder: "FILE.csv"),
         help: "your own data instead of --dataset: a CSV table with a header row; --tasks names the label "
            + "columns, and every other column is an input feature"),
    Flag(name: "inputs", kind: .text(default: nil, placeholder: "FILE.npy"),
         help: "your own data as .npy instead of --dataset: inputs [N, D] (an MLP trunk) or images "
            + "[N, C, H, W] or [N, H, W] of at least 8×8 pixels (a convolutional trunk); with --targets"),
    Flag(name: "targets", kind: .text(default: nil, placeholder: "T=FILE.npy,…"),
         help: "with --inputs: one .npy of labels per task T, shaped [N] or [N, K]"),
    Flag(name: "tasks", kind: .text(default: nil, placeholder: "SPEC,…"),
         help: "the tasks, each NAME[=COLUMN+COLUMN…][:KIND[:COUNT]]: KIND is classification (COUNT classes), "
            + "multi-label (COUNT 0/1 labels) or regression (COUNT values); without a kind it is inferred — whole "
            + "numbers in 0…31 classification, columns of 0/1 multi-label, anything else regression. Required "
            + "with --data (a task's labels are the column NAME unless =COLUMNS says otherwise); with --inputs "
            + "it gives the kinds of --targets tasks"),
    Flag(name: "input-columns", kind: .text(default: nil, placeholder: "A,B,…"),
         help: "with --data: the input columns (default: every column no task uses)"),
    Flag(name: "standardize", kind: .choice(default: "inputs", choices: StandardizedParts.allCases.map(\.rawValue)),
         help: "what is standardized with the training split's mean and deviation: the inputs (per column, or "
            + "per channel of images); also the regression targets (their losses and metrics are then on that "
            + "scale, and mtl predict restores their units); or nothing"),
    Flag(name: "validation-fraction", kind: .number(default: 0.1, range: 0.01...0.5),
         help: "with your own data: the share of the rows in the validation split"),
    Flag(name: "test-fraction", kind: .number(default: 0.2, range: 0.01...0.5),
         help: "with your own data: the share of the rows in the test split (the split is seeded by --seed)"),
]

/// What `--standardize` standardizes.
enum StandardizedParts: String, CaseIterable {
    case inputs
    case inputsAndTargets = "inputs-and-targets"
    case none
}

extension UserDataSource {
    /// The flags `--data` / `--inputs` read with; nil when neither is given (generated data). A
    /// setting that only applies to the other kind of data is refused rather than ignored.
    init?(flags: Arguments) throws {
        let hasTable = flags.has("data"), hasArrays = flags.has("inputs")
        guard hasTable || hasArrays else {
            for name in ["targets", "tasks", "input-columns", "standardize", "validation-fraction", "test-fraction"]
            where flags.has(name) {
                throw UsageError(description: "--\(name) applies to your own data: give --data FILE.csv or --inputs "
                                 + "FILE.npy")
            }
            return nil
        }
        for name in ["dataset", "samples", "correlation"] where flags.spec.flags.contains(where: { $0.name == name })
            && flags.has(name) {
            throw UsageError(description: "--\(name) applies to the generated datasets, not to your own data (--"
                             + (hasTable ? "data" : "inputs") + ")")
        }
        if hasTable {
            guard !hasArrays && !flags.has("targets") else {
                throw UsageError(description: "--data (a CSV table) and --inputs/--targets (.npy files) exclude each "
                                 + "other")
            }
            guard let taskList = flags.string("tasks") else {
                throw UsageError(description: "--data: name the label columns with --tasks (e.g. --tasks "
                                 + "species,weight:regression)")
            }
            tasks = try UserTask.parseList(taskList, columnsAllowed: true)
            let inputColumns = try flags.string("input-columns").map { text in
                let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                guard !names.contains("") else {
                    throw UsageError(description: "--input-columns: an empty name in '\(excerpt(text))'")
                }
                if let name = repeatedName(names) {
                    throw UsageError(description: "--input-columns: '\(excerpt(name))' is named twice")
                }
                return names
            }
            files = .table(absoluteURL(flags.string("data")!), inputColumns: inputColumns)
        } else {
            guard !flags.has("input-columns") else {
                throw UsageError(description: "--input-columns applies to a CSV table (--data)")
            }
            guard let targetList = flags.string("targets") else {
                throw UsageError(description: "--inputs: give one .npy of labels per task with --targets "
                                 + "(e.g. --targets digit=y_digit.npy,parity=y_parity.npy)")
            }
            var targets: [(name: String, url: URL)] = []
            for item in targetList.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else {
                    throw UsageError(description: "--targets: '\(excerpt(item))' is not TASK=FILE.npy")
                }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                try UserTask.checkName(name, in: item)
                targets.append((name, absoluteURL(parts[1])))
            }
            if let name = repeatedName(targets.map(\.name)) {
                throw UsageError(description: "--targets: the task '\(excerpt(name))' is named twice")
            }
            let kinds = try flags.string("tasks").map { try UserTask.parseList($0, columnsAllowed: false) } ?? []
            if let unknown = kinds.first(where: { kind in !targets.contains { $0.name == kind.name } }) {
                throw UsageError(description: "--tasks: the task '\(unknown.name)' has no file in --targets (tasks "
                                 + "there: \(targets.map(\.name).joined(separator: ", ")))")
            }
            tasks = targets.map { target in
                UserTask(name: target.name, columns: [], requested: kinds.first { $0.name == target.name }?.requested)
            }
            files = .arrays(inputs: absoluteURL(flags.string("inputs")!), targets: targets.map(\.url))
        }
        standardized = StandardizedParts(rawValue: flags.string("standardize")!)!
        validationFraction = flags.number("validation-fraction")!
        testFraction = flags.number("test-fraction")!
        guard validationFraction + testFraction <= 0.9 else {
            throw UsageError(description: "--validation-fraction \(validationFraction) and --test-fraction "
                             + "\(testFraction) leave less than a tenth of the rows for training")
        }
    }
}

/// A kind named in `--tasks`, with its count when given (classes, labels or values).
struct RequestedKind: Equatable {
    enum Name: String { case classification, multiLabel = "multi-label", regression }
    var name: Name
    var count: Int?
}

/// One task of a user's dataset as `--tasks` (or `--targets`) names it: its name, the CSV columns
/// that hold its labels, and its kind when given.
struct UserTask: Equatable {
    var name: String
    /// The label columns of a CSV table (`[name]` unless `NAME=COLUMN+COLUMN…` says otherwise); empty
    /// for `.npy` targets.
    var columns: [String]
    /// The kind `--tasks` names; nil: inferred from the labels.
    var requested: RequestedKind?

    /// The characters a task name may hold: it names output files and CSV columns of `mtl predict`.
    static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")

    /// Parses `--tasks`: `NAME[=COLUMN+COLUMN…][:KIND[:COUNT]]`, separated by commas. `columnsAllowed`
    /// is false for `.npy` data, whose labels are files.
    static func parseList(_ text: String, columnsAllowed: Bool) throws -> [UserTask] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let tasks = try items.map { try parse($0, in: text, columnsAllowed: columnsAllowed) }
        if let name = repeatedName(tasks.map(\.name)) {
            throw UsageError(description: "--tasks: the task '\(excerpt(name))' is named twice")
        }
        return tasks
    }

    /// One item of `--tasks`.
    static func parse(_ item: String, in list: String, columnsAllowed: Bool) throws -> UserTask {
        guard !item.isEmpty else {
            throw UsageError(description: "--tasks: an empty task in '\(excerpt(list))'")
        }
        let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 3 else {
            throw UsageError(description: "--tasks: '\(excerpt(item))' is not NAME[=COLUMNS][:KIND[:COUNT]]")
        }
        let head = parts[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = head[0].trimmingCharacters(in: .whitespaces)
        try checkName(name, in: item)
        var columns = [name]
        if head.count == 2 {
            guard columnsAllowed else {
                throw UsageError(description: "--tasks: '\(excerpt(item))': =COLUMNS names CSV columns; with "
                                 + "--inputs a task's labels are its --targets file")
            }
            columns = head[1].split(separator: "+", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard !columns.contains("") else {
                throw UsageError(description: "--tasks: '\(excerpt(item))' has an empty column name")
            }
        }
        var requested: RequestedKind?
        if parts.count >= 2 {
            guard let kindName = RequestedKind.Name(rawValue: parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw UsageError(description: "--tasks: '\(excerpt(item))': the kind must be classification, "
                                 + "multi-label or regression, got '\(excerpt(parts[1]))'")
            }
            requested = RequestedKind(name: kindName)
            if parts.count == 3 {
                guard let count = Int(parts[2].trimmingCharacters(in: .whitespaces)), (1...100_000).contains(count)
                else {
                    throw UsageError(description: "--tasks: '\(excerpt(item))': the count must be an integer in "
                                     + "1...100000, got '\(excerpt(parts[2]))'")
                }
                guard kindName != .classification || count >= 2 else {
                    throw UsageError(description: "--tasks: '\(excerpt(item))': a classification task needs at "
                                     + "least 2 classes")
                }
                requested?.count = count
            }
        }
        return UserTask(name: name, columns: columnsAllowed ? columns : [], requested: requested)
    }

    /// A task name: letters, digits, `_` and `-` (it names output files and columns).
    static func checkName(_ name: String, in item: String) throws {
        guard !name.isEmpty, name.count <= 100, name.allSatisfy({ nameCharacters.contains($0) }) else {
            throw UsageError(description: "--tasks: '\(excerpt(item))': a task name is 1 to 100 letters, digits, _ "
                             + "or - (name a task whose column has other characters with NAME=COLUMN)")
        }
    }

    /// The task `spec` (resolved from this one) as `--tasks` writes it, kind and count included: what
    /// a checkpoint records (`run.tasks`), so that reading it back infers nothing.
    func specification(resolvedAs spec: TaskSpec) -> String {
        var text = name
        if columns != [name] && !columns.isEmpty { text += "=" + columns.joined(separator: "+") }
        switch spec.kind {
        case .classification(let count): text += ":classification:\(count)"
        case .multiLabel(let count): text += ":multi-label:\(count)"
        case .regression(let count): text += ":regression:\(count)"
        case .denseSegmentation, .denseRegression: break
        }
        return text
    }
}

/// The first name that occurs twice in `names`.
func repeatedName(_ names: [String]) -> String? {
    var seen: Set<String> = []
    for name in names where !seen.insert(name).inserted { return name }
    return nil
}
