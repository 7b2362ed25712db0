import TensorCore

/// The state an optimizer keeps for one parameter — Adam's step and moments, SGD's momentum
/// buffer — as a plain struct with named fields.
///
/// The optimizer reads and writes these fields directly; named tensors appear only at the
/// checkpoint boundary: `namedTensors` is what a checkpoint stores (as
/// `optimizer.<parameter>.<key>`), and `init(namedTensors:parameterShape:name:)` reads it back,
/// checking every entry first — a file is untrusted, and the fused kernels write a parameter's
/// worth of values through raw pointers, so a moment of the wrong size must never reach them.
public protocol OptimizerState {
    /// The state before the first update of a parameter of shape `parameterShape`.
    init(parameterShape: [Int])
    /// The state as named tensors (a step counter as a scalar).
    var namedTensors: [String: Tensor] { get }
    /// Reads the state back from `namedTensors`, or throws `CheckpointError` (naming `name` and the
    /// key) for a missing, unknown, wrongly shaped or impossible entry.
    init(namedTensors: [String: Tensor], parameterShape: [Int], name: String) throws
}

/// Reads the entries of a stored optimizer state one by one, with the checks every built-in state
/// needs; `finish()` refuses the keys nobody asked for.
public struct StoredStateReader {
    let tensors: [String: Tensor]
    let parameterShape: [Int]
    let name: String
    var used: Set<String> = []

    /// A reader over the stored `tensors` of the parameter called `name`, of shape `parameterShape`.
    public init(_ tensors: [String: Tensor], parameterShape: [Int], name: String) {
        self.tensors = tensors
        self.parameterShape = parameterShape
        self.name = name
    }

    /// A step counter: one scalar holding a whole number in `minimum`...`largestStoredCounter` (a
    /// state is stored only after its first update, so its step is at least 1: a step of 0 would
    /// leave Adam's bias correction 1/(1 − β⁰) infinite).
    public mutating func counter(_ key: String, atLeast minimum: Int = 0) throws -> Int {
        let value = try validatedCounter(entry(key), name: label(key))
        guard value >= minimum else {
            throw CheckpointError.invalidValue(name: label(key), reason: "\(value) is below \(minimum)")
        }
        return value
    }

    /// A tensor of the parameter's shape with finite values; `nonNegative`: all ≥ 0 (second moments,
    /// sums of squares, whose square roots the update takes).
    public mutating func tensor(_ key: String, nonNegative: Bool = false) throws -> Tensor {
        let tensor = try entry(key)
        let entryName = label(key)
        guard tensor.shape == parameterShape else {
            throw CheckpointError.shapeMismatch(name: entryName, expected: parameterShape, found: tensor.shape)
        }
        guard tensor.scalars.allSatisfy(\.isFinite) else {
            throw CheckpointError.invalidValue(name: entryName, reason: "it holds NaN or infinite values")
        }
        if nonNegative, tensor.scalars.contains(where: { $0 < 0 }) {
            throw CheckpointError.invalidValue(name: entryName,
                                               reason: "it holds negative values, but is a sum of squares")
        }
        return tensor
    }

    /// Whether the stored state has an entry `key` (for optional fields).
    public func contains(_ key: String) -> Bool { tensors[key] != nil }

    /// Throws for the first entry (in key order) that no read asked for.
    public func finish(owner: String) throws {
        if let unknown = tensors.keys.sorted().first(where: { !used.contains($0) }) {
            throw CheckpointError.invalidValue(name: label(excerpt(unknown)),
                                               reason: "\(owner) keeps no state named '\(excerpt(unknown))'")
        }
    }

    /// How errors name an entry: "<name>.<key>", or "<name><key>" after a prefix ending in "/"
    /// (AdaTask's "task<t>/" parts).
    func label(_ key: String) -> String { name.hasSuffix("/") ? name + key : "\(name).\(key)" }

    mutating func entry(_ key: String) throws -> Tensor {
        guard let tensor = tensors[key] else { throw CheckpointError.missingTensor(name: label(key)) }
        used.insert(key)
        return tensor
    }
}

/// An optimizer whose per-parameter state is the struct `State`: the update rule reads and writes
/// its fields, and the state becomes named tensors only in checkpoints.
///
/// A new optimizer subclasses this with its own state type and overrides
/// `update(_:gradient:group:state:)` — see `SGD` for the shortest example.
open class StatefulOptimizer<State: OptimizerState>: Optimizer {
    private var states: [ObjectIdentifier: State] = [:]

    public override init(groups: [ParameterGroup]) {
        super.init(groups: groups)
    }

    /// The state of `parameter`, or nil before its first update.
    public func state(of parameter: Parameter) -> State? { states[ObjectIdentifier(parameter)] }

    /// Replaces the state of `parameter` (nil: as before its first update).
    public func setState(_ state: State?, of parameter: Parameter) { states[ObjectIdentifier(parameter)] = state }

    /// The update rule for one parameter, given its state (fresh zeros on the first update).
    open func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup, state: inout State) {
        fatalError("\(type(of: self)) does not implement update(_:gradient:group:state:)")
    }

    public final override func update(_ parameter: Parameter, gradient: Tensor, group: ParameterGroup) {
        let id = ObjectIdentifier(parameter)
        // Taken out of the dictionary so its tensors are uniquely referenced and update in place.
        var state = states.removeValue(forKey: id) ?? State(parameterShape: parameter.shape)
        update(parameter, gradient: gradient, group: group, state: &state)
        states[id] = state
    }

    /// Reads a stored state (nil for an empty one: the parameter was never updated). Subclasses may
    /// refuse states their settings cannot have produced.
    open func decodeState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws -> State? {
        tensors.isEmpty ? nil : try State(namedTensors: tensors, parameterShape: parameter.shape, name: name)
    }

    public override func checkpointState(of parameter: Parameter) -> [String: Tensor] {
        state(of: parameter)?.namedTensors ?? [:]
    }

    public override func validateState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws {
        _ = try decodeState(tensors, of: parameter, name: name)
    }

    public override func restoreState(_ tensors: [String: Tensor], of parameter: Parameter, name: String) throws {
        setState(try decodeState(tensors, of: parameter, name: name), of: parameter)
    }
}
