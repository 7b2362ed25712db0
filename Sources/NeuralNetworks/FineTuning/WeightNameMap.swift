import TensorCore

/// How the names of stored tensors map onto a model's parameter and buffer names when weights move
/// from one model to another (`Module.loadWeights(from:renaming:strict:)`): a list of prefix rules
/// `old → new`.
///
/// A stored name that starts with a rule's `old` prefix becomes `new` followed by the rest of the
/// name; when several rules match, the longest `old` wins. With no rules (`identity`) every name is
/// kept as it is. With rules, **a name no rule matches is not loaded** (the report lists it as
/// skipped): the map both selects and renames. So `trunk.=trunk.` loads a multi-head network's trunk
/// and leaves its heads to their fresh initialization, and `trunk.layers.=encoder.` moves a trunk into
/// a model that calls it `encoder`.
///
/// Text form (`mtl train --init-map`): `old=new,old=new`, e.g. `trunk.=trunk.,heads.0.=heads.2.`.
public struct WeightNameMap: Equatable, Sendable, CustomStringConvertible {
    /// The rules, in the order given: each stored prefix and the model prefix it becomes.
    public let rules: [(old: String, new: String)]

    /// A map of `rules` (`old` prefixes must differ).
    public init(_ rules: [(old: String, new: String)]) throws {
        var seen = Set<String>()
        for rule in rules where !seen.insert(rule.old).inserted {
            throw WeightLoadingError.invalidMap("the prefix '\(excerpt(rule.old))' is mapped twice")
        }
        self.rules = rules
    }

    /// Every name kept as it is.
    public static let identity = try! WeightNameMap([])

    /// Parses `old=new,old=new` (an empty `old` matches every name; `new` may be empty, stripping the prefix).
    public init(parsing text: String) throws {
        var rules: [(old: String, new: String)] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].contains("=") else {
                throw WeightLoadingError.invalidMap("'\(excerpt(String(piece)))' is not OLD=NEW")
            }
            rules.append((String(parts[0]), String(parts[1])))
        }
        try self.init(rules)
    }

    /// The model name a stored tensor `name` is loaded into, or nil when rules exist and none matches.
    public func target(of name: String) -> String? {
        guard !rules.isEmpty else { return name }
        guard let rule = rules.filter({ name.hasPrefix($0.old) }).max(by: { $0.old.count < $1.old.count }) else {
            return nil
        }
        return rule.new + name.dropFirst(rule.old.count)
    }

    /// `old=new,…`, or `identity`.
    public var description: String {
        rules.isEmpty ? "identity" : rules.map { "\($0.old)=\($0.new)" }.joined(separator: ",")
    }

    /// Whether two maps have the same rules in the same order.
    public static func == (lhs: WeightNameMap, rhs: WeightNameMap) -> Bool {
        lhs.rules.map(\.old) == rhs.rules.map(\.old) && lhs.rules.map(\.new) == rhs.rules.map(\.new)
    }
}
