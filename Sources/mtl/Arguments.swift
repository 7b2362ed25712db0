/// A command-line error: printed on standard error with the usage hint, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// The flags of one subcommand: `--name value`, `--name=value` or a bare `--switch`.
/// Every flag must be declared by the subcommand; anything else is a `UsageError`.
struct Arguments {
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    /// Parses `arguments` against the declared value flags and switches.
    init(_ arguments: [String], valueFlags: Set<String>, switchFlags: Set<String> = [], command: String) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError(description: "\(command): unexpected argument '\(argument)'")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if switchFlags.contains(name) {
                guard inlineValue == nil else { throw UsageError(description: "\(command): --\(name) takes no value") }
                switches.insert(name)
            } else if valueFlags.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                        throw UsageError(description: "\(command): --\(name) needs a value")
                    }
                    index += 1
                    values[name] = arguments[index]
                }
            } else {
                let known = (valueFlags.union(switchFlags)).sorted().map { "--\($0)" }.joined(separator: ", ")
                throw UsageError(description: "\(command): unknown flag '--\(name)'" + (known.isEmpty ? "" : " (known: \(known))"))
            }
            index += 1
        }
    }

    /// Whether a value flag was given.
    func has(_ name: String) -> Bool { values[name] != nil }

    /// Whether a switch was given.
    func isSet(_ name: String) -> Bool { switches.contains(name) }

    /// An integer flag within `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(description: "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// A floating-point flag within `range`, or `defaultValue` when absent.
    func number(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = values[name] else { return defaultValue }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw UsageError(description: "--\(name) must be a number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// A string flag, optionally restricted to `choices`.
    func string(_ name: String, default defaultValue: String? = nil, choices: [String]? = nil) throws -> String? {
        guard let text = values[name] else { return defaultValue }
        if let choices, !choices.contains(text) {
            throw UsageError(description: "--\(name) must be one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }
}
