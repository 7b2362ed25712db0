import Foundation
import TensorCore

/// A table of numbers read from CSV text: a header row of column names, then one row per sample.
///
/// Accepted: a `,` (or chosen) delimiter, fields optionally in double quotes (`""` inside quotes is
/// a quote), `\n` or `\r\n` line ends, blank lines ignored, a UTF-8 byte-order mark ignored. Every
/// cell must parse as a number (`nan`/`inf` are refused: a user's data should not carry them
/// silently) — except, with `allowsMissing`, a **missing value**: an empty cell or `nan` (any case),
/// stored as NaN (partially labelled data: `MultiTaskDataset.init(csv:tasks:inputColumns:)` turns a
/// missing label into an unlabelled sample). Rows are numbered from 1 = the first row after the
/// header, as a spreadsheet shows them minus one.
public struct CSVTable: Sendable, Equatable {
    /// The header's column names, in file order.
    public let columnNames: [String]
    /// The values, `columns[c][row]`.
    public let columns: [[Float]]

    /// The number of data rows.
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// The largest CSV file read (128 MiB): parsing holds every field as text, about twenty times
    /// the file's size; store larger data as `.npy`.
    public static let maximumFileSize = 128 << 20

    /// Reads the CSV file at `url`. The file's size and its first bytes are checked first: a file
    /// over `maximumFileSize`, or one whose first 64 KiB hold a NUL byte (binary data, not text), is
    /// refused before it is read.
    public init(contentsOf url: URL, delimiter: Character = ",", allowsMissing: Bool = false) throws(DataLoadingError) {
        let data: Data
        do {
            let file = try InputFile(url)
            guard file.size <= Self.maximumFileSize else {
                throw DataLoadingError.malformed(format: "CSV",
                                                 reason: "\(url.path) has \(file.size) bytes, more than the "
                    + "\(Self.maximumFileSize) a CSV table may have (store large data as .npy)")
            }
            guard !(try file.prefix(1 << 16)).contains(0) else {
                throw DataLoadingError.malformed(format: "CSV",
                                                 reason: "\(url.path) holds NUL bytes: it is binary data, not CSV text")
            }
            data = try file.contents()
        } catch let error as FileReadError {
            throw .cannotRead(path: url.path, reason: error.reason)
        } catch let error as DataLoadingError {
            throw error
        } catch {
            throw .cannotRead(path: url.path, reason: "\(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .cannotRead(path: url.path, reason: "the file is not UTF-8 text")
        }
        try self.init(text: text, delimiter: delimiter, allowsMissing: allowsMissing)
    }

    /// Parses CSV text (see the type's documentation for what is accepted; `allowsMissing`: an empty
    /// or `nan` cell is a missing value, NaN).
    public init(text: String, delimiter: Character = ",", allowsMissing: Bool = false) throws(DataLoadingError) {
        guard delimiter != "\"" && delimiter != "\n" && delimiter != "\r" else {
            throw .malformed(format: "CSV", reason: "the delimiter cannot be a quote or a line end")
        }
        let records = try Self.records(of: text, delimiter: delimiter)
        guard let header = records.first else {
            throw .malformed(format: "CSV", reason: "the text is empty (a header row is needed)")
        }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.contains("") else {
            throw .malformed(format: "CSV",
                             reason: "the header has an empty column name: \(excerpt("\(names)", limit: 200))")
        }
        guard Set(names).count == names.count else {
            throw .malformed(format: "CSV",
                             reason: "the header repeats a column name: \(excerpt("\(names)", limit: 200))")
        }
        var columns = Array(repeating: [Float](), count: names.count)
        for (row, record) in records.dropFirst().enumerated() {
            guard record.count == names.count else {
                throw .malformed(format: "CSV",
                                 reason: "row \(row + 1) has \(record.count) fields, the header has \(names.count)")
            }
            for (column, field) in record.enumerated() {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                if allowsMissing && (trimmed.isEmpty || trimmed.lowercased() == "nan") {
                    columns[column].append(.nan)
                    continue
                }
                guard let value = Float(trimmed), value.isFinite else {
                    throw .notANumber(row: row + 1, column: names[column], text: trimmed)
                }
                columns[column].append(value)
            }
        }
        columnNames = names
        self.columns = columns
    }

    /// Splits text into records of fields, honouring double quotes.
    static func records(of text: String, delimiter: Character) throws(DataLoadingError) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false, fieldWasQuoted = false
        var characters = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
        func endRecord() {
            record.append(field)
            if !(record.count == 1 && record[0].trimmingCharacters(in: .whitespaces).isEmpty && !fieldWasQuoted) {
                records.append(record)
            }
            record = []; field = ""; fieldWasQuoted = false
        }
        while let character = characters.popFirst() {
            if inQuotes {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\""); characters.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                guard field.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw .malformed(format: "CSV",
                                     reason: "a quote inside an unquoted field, in record \(records.count + 1)")
                }
                inQuotes = true; fieldWasQuoted = true; field = ""
            } else if character == delimiter {
                record.append(field); field = ""; fieldWasQuoted = false
            } else if character == "\n" || character == "\r\n" || character == "\r" {
                endRecord()
            } else {
                field.append(character)
            }
        }
        guard !inQuotes else {
            throw .malformed(format: "CSV", reason: "a quoted field is not closed before the end of the text")
        }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { endRecord() }
        return records
    }

    /// The values of the column called `name`.
    public func column(named name: String) throws(DataLoadingError) -> [Float] {
        guard let index = columnNames.firstIndex(of: name) else {
            throw .missingColumn(name: name, available: columnNames)
        }
        return columns[index]
    }

    /// The named columns side by side: a `[rowCount, names.count]` tensor.
    public func tensor(columns names: [String]) throws(DataLoadingError) -> Tensor {
        var selected: [[Float]] = []
        for name in names { selected.append(try column(named: name)) }
        var scalars = [Float](repeating: 0, count: rowCount * names.count)
        for (c, values) in selected.enumerated() {
            for (row, value) in values.enumerated() { scalars[row * names.count + c] = value }
        }
        return Tensor(shape: [rowCount, names.count], scalars: scalars)
    }
}

extension MultiTaskDataset {
    /// A single-input dataset from a CSV table: each task takes its label columns by name (one
    /// column for a classification task, holding class indices 0..<K; one column per output for
    /// regression and multi-label tasks), and the inputs are `inputColumns` — by default every
    /// column no task uses. Labels are checked against their task's kind.
    ///
    /// Missing labels (a table read with `allowsMissing`): a row whose label columns of a task hold
    /// a missing value (NaN) is **unlabelled** for that task in `labelMask`, and its target is a
    /// placeholder 0 that losses and metrics never read. A missing input is refused.
    ///
    /// Shapes: inputs `[rows, inputColumns.count]`; targets as `TaskSpec` documents.
    public init(csv table: CSVTable, tasks: [(spec: TaskSpec, labelColumns: [String])],
                inputColumns: [String]? = nil) throws(DataLoadingError) {
        let used = Set(tasks.flatMap(\.labelColumns))
        let inputNames = inputColumns ?? table.columnNames.filter { !used.contains($0) }
        guard !inputNames.isEmpty else {
            throw .malformed(format: "CSV", reason: "no input columns are left after the label columns")
        }
        var targets: [Tensor] = [], labelledColumns: [[Bool]] = []
        let inputs = try table.tensor(columns: inputNames)
        if let index = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            throw .notANumber(row: index / inputNames.count + 1, column: inputNames[index % inputNames.count],
                              text: "\(inputs.scalars[index]) (a missing input)")
        }
        for (spec, labelColumns) in tasks {
            var labels = try table.tensor(columns: labelColumns)
            let width = max(1, labelColumns.count)
            let labelled = (0..<table.rowCount).map { row in
                !labels.scalars[(row * width)..<((row + 1) * width)].contains { $0.isNaN }
            }
            labels = Tensor(shape: labels.shape, scalars: labels.scalars.map { $0.isNaN ? 0 : $0 })
            labelledColumns.append(labelled)
            switch spec.kind {
            case .classification(let classCount):
                guard labelColumns.count == 1 else {
                    throw .malformed(format: "CSV", reason: "classification task \(spec.name) needs one label column, "
                                     + "got \(labelColumns)")
                }
                for (row, value) in labels.scalars.enumerated()
                    where value.rounded() != value || value < 0 || value >= Float(classCount) {
                    throw .invalidLabel(task: spec.name, row: row + 1, value: value,
                                        expected: "a class index in 0..<\(classCount)")
                }
                targets.append(labels.reshaped(to: [table.rowCount]))
            case .multiLabel(let count), .regression(let count):
                guard labelColumns.count == count else {
                    throw .malformed(format: "CSV", reason: "task \(spec.name) has \(count) outputs but "
                                     + "\(labelColumns.count) label columns")
                }
                if case .multiLabel = spec.kind {
                    for (index, value) in labels.scalars.enumerated() where value != 0 && value != 1 {
                        throw .invalidLabel(task: spec.name, row: index / count + 1, value: value, expected: "0 or 1")
                    }
                }
                targets.append(labels)
            case .denseSegmentation, .denseRegression:
                throw .malformed(format: "CSV", reason: "dense task \(spec.name) cannot be read from a CSV table")
            }
        }
        self.init(tasks: tasks.map(\.spec), inputs: inputs, targets: targets,
                  labelMask: LabelMask(perTask: labelledColumns))
    }
}
