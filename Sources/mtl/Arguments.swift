import Foundation
import MultiTaskKit

/// A command-line error: printed on standard error with the usage hint, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// `--help` (or `-h`) was given to a command: print `usage` and exit with status 0.
struct HelpRequest: Error {
    var usage: String
}

/// One flag of a command: its name, what its value is (with the default and the allowed values or
/// range), and a line of help. The table of a command's flags produces both its usage text and the
/// rules its values are parsed with — one place for each flag.
struct Flag {
    enum Kind {
        /// A whole number in `range`.
        case integer(default: Int?, range: ClosedRange<Int>)
        /// A finite number in `range`.
        case number(default: Double?, range: ClosedRange<Double>)
        /// One of `choices`.
        case choice(default: String?, choices: [String])
        /// Any non-empty text (a path, a list).
        case text(default: String?, placeholder: String)
        /// A bare switch, without a value.
        case toggle
    }

    var name: String
    var kind: Kind
    var help: String

    /// The usage line: `--name VALUE  help (range or choices, default …)`, wrapped.
    var usageLine: String {
        let value: String, note: String
        switch kind {
        case .integer(let defaultValue, let range):
            value = "N"
            note = "\(range.lowerBound)…\(range.upperBound)" + (defaultValue.map { ", default \($0)" } ?? "")
        case .number(let defaultValue, let range):
            value = "X"
            note = "\(range.lowerBound.formatted)…\(range.upperBound.formatted)"
                + (defaultValue.map { ", default \($0.formatted)" } ?? "")
        case .choice(let defaultValue, let choices):
            value = "NAME"
            note = "one of " + choices.joined(separator: ", ") + (defaultValue.map { "; default \($0)" } ?? "")
        case .text(let defaultValue, let placeholder):
            value = placeholder
            note = defaultValue.map { "default \($0)" } ?? ""
        case .toggle:
            value = ""
            note = ""
        }
        let head = "  --\(name)" + (value.isEmpty ? "" : " \(value)")
        let padded = head.count >= 24 ? head + "  " : head.padding(toLength: 24, withPad: " ", startingAt: 0)
        return wrapped(help + (note.isEmpty ? "" : " (\(note))"), after: padded)
    }
}

extension Double {
    /// The shortest text that reads back as this number (1e-08 → "1e-08", 0.5 → "0.5").
    fileprivate var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}

/// A subcommand: its name, a summary and its flag table.
struct CommandSpec {
    var name: String
    var summary: String
    var flags: [Flag]

    /// `--threads N`, shared by every command.
    static let threadsFlag = Flag(name: "threads", kind: .integer(default: nil,
                                                                  range: 1...Parallelism.maximumThreadCount),
                                  help: "worker threads for the kernels (default: MTL_NUM_THREADS, else "
                                  + "the processor count)")

    var usage: String {
        (["mtl \(name)", wrapped(summary, after: "  "), "", "USAGE", "  mtl \(name) [flags]", "", "FLAGS"]
            + flags.map(\.usageLine) + ["  --help                this text"]).joined(separator: "\n")
    }

    func flag(_ name: String) -> Flag {
        guard let flag = flags.first(where: { $0.name == name }) else {
            preconditionFailure("mtl \(self.name): no flag --\(name)")
        }
        return flag
    }
}

/// The flags given to one subcommand: `--name value`, `--name=value` or a bare `--switch`, each
/// declared in the command's `CommandSpec`; anything else — an unknown or repeated flag, a missing
/// or empty value — is a `UsageError`. `--help` anywhere is a `HelpRequest`.
struct Arguments {
    let spec: CommandSpec
    private(set) var values: [String: String] = [:]
    private(set) var switches: Set<String> = []

    /// Parses command-line arguments against `spec`.
    init(_ arguments: [String], spec: CommandSpec) throws {
        self.spec = spec
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) { throw HelpRequest(usage: spec.usage) }
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError(description: "\(spec.name): unexpected argument '\(excerpt(argument))'")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let flag = spec.flags.first(where: { $0.name == name }) else {
                let known = spec.flags.map { "--\($0.name)" }.joined(separator: ", ")
                throw UsageError(description: "\(spec.name): unknown flag '--\(excerpt(name))'"
                                 + (known.isEmpty ? "" : " (known: \(known))"))
            }
            guard values[name] == nil && !switches.contains(name) else {
                throw UsageError(description: "\(spec.name): --\(name) is given twice")
            }
            if case .toggle = flag.kind {
                guard inlineValue == nil else {
                    throw UsageError(description: "\(spec.name): --\(name) takes no value")
                }
                switches.insert(name)
            } else {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                        throw UsageError(description: "\(spec.name): --\(name) needs a value")
                    }
                    index += 1
                    value = arguments[index]
                }
                try values[name] = Self.checked(value, for: flag)
            }
            index += 1
        }
    }

    /// Values given directly (a run's settings read back from a checkpoint), checked by the same
    /// rules as on the command line; `source` names where they came from in error messages.
    init(values given: [String: String], spec: CommandSpec, source: String) throws {
        self.spec = spec
        for (name, value) in given {
            guard let flag = spec.flags.first(where: { $0.name == name }) else { continue }
            do { values[name] = try Self.checked(value, for: flag) } catch let error as UsageError {
                throw UsageError(description: "\(source): \(error.description)")
            }
        }
    }

    /// Checks one value against its flag's kind; returns it unchanged.
    static func checked(_ text: String, for flag: Flag) throws -> String {
        let quoted = "'\(excerpt(text))'"
        switch flag.kind {
        case .integer(_, let range):
            guard let value = Int(text), range.contains(value) else {
                throw UsageError(description: "--\(flag.name) must be an integer in "
                                 + "\(range.lowerBound)...\(range.upperBound), got \(quoted)")
            }
        case .number(_, let range):
            guard let value = Double(text), value.isFinite, range.contains(value) else {
                throw UsageError(description: "--\(flag.name) must be a number in "
                                 + "\(range.lowerBound)...\(range.upperBound), got \(quoted)")
            }
        case .choice(_, let choices):
            guard choices.contains(text) else {
                let list = choices.joined(separator: ", ")
                throw UsageError(description: "--\(flag.name) must be one of \(list), got \(quoted)")
            }
        case .text:
            guard !text.isEmpty else { throw UsageError(description: "--\(flag.name) needs a non-empty value") }
        case .toggle:
            break
        }
        return text
    }

    /// Whether a value flag was given.
    func has(_ name: String) -> Bool { values[name] != nil }

    /// Sets a value flag as if it had been given (a preset's), checked by the flag's rule.
    mutating func setValue(_ value: String, for name: String) throws {
        values[name] = try Self.checked(value, for: spec.flag(name))
    }

    /// Whether a switch was given.
    func isSet(_ name: String) -> Bool { switches.contains(name) }

    /// An integer flag, or its default (`override` when given, else the table's).
    func integer(_ name: String, default override: Int? = nil) -> Int? {
        guard case .integer(let defaultValue,
                            _) = spec.flag(name).kind else { preconditionFailure("--\(name) is not an integer flag") }
        return values[name].flatMap { Int($0) } ?? override ?? defaultValue
    }

    /// A number flag, or its default.
    func number(_ name: String, default override: Double? = nil) -> Double? {
        guard case .number(let defaultValue,
                           _) = spec.flag(name).kind else { preconditionFailure("--\(name) is not a number flag") }
        return values[name].flatMap { Double($0) } ?? override ?? defaultValue
    }

    /// A choice or text flag, or its default.
    func string(_ name: String) -> String? {
        switch spec.flag(name).kind {
        case .choice(let defaultValue, _): return values[name] ?? defaultValue
        case .text(let defaultValue, _): return values[name] ?? defaultValue
        default: preconditionFailure("--\(name) is not a text flag")
        }
    }

    /// The worker-thread count: `--threads`, else `MTL_NUM_THREADS` (checked by the same rule —
    /// an invalid value is an error, not silently ignored), else the processor count.
    func threadCount() throws -> Int {
        if let given = integer("threads") { return given }
        if let text = ProcessInfo.processInfo.environment["MTL_NUM_THREADS"] {
            do { _ = try Self.checked(text.trimmingCharacters(in: .whitespaces), for: CommandSpec.threadsFlag) } catch {
                throw UsageError(description: "the environment variable MTL_NUM_THREADS must be an integer in "
                                 + "1...\(Parallelism.maximumThreadCount), got '\(excerpt(text))'")
            }
        }
        return Parallelism.defaultThreadCount
    }
}

/// `prefix` followed by `text` broken into lines of at most `width` columns at spaces; the lines
/// after the first are indented to the prefix's width.
func wrapped(_ text: String, after prefix: String = "", width: Int = 100) -> String {
    var lines: [String] = []
    var line = prefix
    let indent = String(repeating: " ", count: prefix.count)
    for word in text.split(separator: " ") {
        if line.count > prefix.count && line.count + 1 + word.count > width {
            lines.append(line)
            line = indent + word
        } else {
            line += (line.count > prefix.count ? " " : "") + word
        }
    }
    lines.append(line)
    return lines.joined(separator: "\n")
}
