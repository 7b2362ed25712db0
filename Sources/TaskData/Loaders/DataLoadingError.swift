import TensorCore

/// Why a data file a user brought could not be loaded. Every loader throws these (never crashes)
/// and the description says where the problem is.
public enum DataLoadingError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case cannotRead(path: String, reason: String)
    /// The bytes or text are not in the expected format (`format` names it: "CSV", "IDX").
    case malformed(format: String, reason: String)
    /// A column named in the request is not in the CSV header.
    case missingColumn(name: String, available: [String])
    /// A CSV cell is not a number, or not a finite one.
    case notANumber(row: Int, column: String, text: String)
    /// A label does not fit its task (a class index out of range, a multi-label value not 0/1).
    case invalidLabel(task: String, row: Int, value: Float, expected: String)

    /// The problem in plain words with where it is (path, row, column or task), as a CLI prints it.
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .malformed(let format, let reason): return "malformed \(format) data: \(reason)"
        case .missingColumn(let name, let available):
            return "no column named '\(excerpt(name))' (the header has: "
                + "\(excerpt(available.joined(separator: ", "), limit: 200)))"
        case .notANumber(let row, let column, let text):
            // "nan" and "inf" parse, but a model cannot learn from them: say so rather than "not a number".
            let what = Float(text) == nil ? "not a number" : "not a finite number (NaN and infinities are refused)"
            return "row \(row), column '\(excerpt(column))': '\(excerpt(text))' is \(what)"
        case .invalidLabel(let task, let row, let value, let expected):
            return "task \(task), row \(row): label \(value) is not \(expected)"
        }
    }
}

