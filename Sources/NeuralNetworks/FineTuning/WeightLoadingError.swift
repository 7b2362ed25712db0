import TensorCore

/// Why weights could not be moved into a model (`Module.loadWeights(from:renaming:strict:)`) or a
/// module re-initialized (`Module.reinitialize(random:)`); each case names the tensors concerned.
/// Nothing is changed in the model when one is thrown.
public enum WeightLoadingError: Error, CustomStringConvertible, Equatable {
    /// A stored tensor's shape differs from the model's tensor it maps to.
    case shapeMismatch(name: String, storedName: String, expected: [Int], found: [Int])
    /// Strict loading: the stored names (after the map) are not exactly the model's.
    case namesDiffer(missing: [String], skipped: [String])
    /// Two stored tensors map onto one model name.
    case duplicateTarget(name: String, storedNames: [String])
    /// A stored buffer value its module refuses (a mask without an active unit, a NaN).
    case invalidValue(name: String, reason: String)
    /// A name map that cannot be used (`WeightNameMap`).
    case invalidMap(String)
    /// A module holds parameters but does not say how to draw them afresh (`Module.resetParameters`).
    case cannotReinitialize(module: String, type: String)

    /// The error in words, naming the tensors concerned (at most five of a list).
    public var description: String {
        func list(_ names: [String]) -> String {
            names.prefix(5).map { "'\(excerpt($0))'" }.joined(separator: ", ")
                + (names.count > 5 ? " and \(names.count - 5) more" : "")
        }
        switch self {
        case .shapeMismatch(let name, let storedName, let expected, let found):
            let source = storedName == name ? "" : " (stored as '\(excerpt(storedName))')"
            return "the stored tensor for '\(excerpt(name))'\(source) has shape \(found), the model's is \(expected)"
        case .namesDiffer(let missing, let skipped):
            var parts: [String] = []
            if !missing.isEmpty { parts.append("the model's \(list(missing)) are not in the weights") }
            if !skipped.isEmpty { parts.append("the weights' \(list(skipped)) are not in the model") }
            return "strict loading: " + parts.joined(separator: "; ")
                + " (load non-strictly, or map the names with old=new prefixes)"
        case .duplicateTarget(let name, let storedNames):
            return "the stored tensors \(list(storedNames)) all map onto '\(excerpt(name))'"
        case .invalidValue(let name, let reason): return "the stored value of '\(excerpt(name))' is invalid: \(reason)"
        case .invalidMap(let reason): return "invalid weight name map: \(reason)"
        case .cannotReinitialize(let module, let type):
            return "cannot re-initialize '\(excerpt(module))': \(type) holds parameters but has no default "
                + "initializer (override resetParameters(using:))"
        }
    }
}
