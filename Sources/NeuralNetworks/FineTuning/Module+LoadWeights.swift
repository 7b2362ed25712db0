import TensorCore
import Autodiff

/// What `Module.loadWeights(from:renaming:strict:)` did: which model tensors were set, which stored
/// tensors were not used, and which model tensors were left as they were. Names are sorted.
public struct WeightLoadReport: Equatable, Sendable, CustomStringConvertible {
    /// The model's parameters and buffers set from the stored tensors (model names).
    public var loaded: [String]
    /// The stored tensors not used: no map rule matched them, or the model has no tensor of the name
    /// they map to (stored names).
    public var skipped: [String]
    /// The model's parameters and buffers that no stored tensor maps to: they keep their values
    /// (model names).
    public var missing: [String]

    /// A report of `loaded`, `skipped` and `missing` names.
    public init(loaded: [String], skipped: [String], missing: [String]) {
        self.loaded = loaded
        self.skipped = skipped
        self.missing = missing
    }

    /// `loaded 12, skipped 16 (heads.0.bias, …), missing 4 (heads.0.bias, …)`.
    public var description: String {
        func names(_ list: [String]) -> String {
            list.isEmpty ? "" : " (" + list.prefix(4).joined(separator: ", ") + (list.count > 4 ? ", …" : "") + ")"
        }
        return "loaded \(loaded.count), skipped \(skipped.count)\(names(skipped)), "
            + "missing \(missing.count)\(names(missing))"
    }
}

extension Module {
    /// Sets this model's parameters and buffers from named tensors — the weights of another model,
    /// for **transfer by fine-tuning**: φ starts at the pretrained θ where the two models share a
    /// tensor, and at its fresh initialization elsewhere (a new head, say).
    ///
    /// Each stored name is mapped by `renaming` (`WeightNameMap`: prefix rules; with rules, a name no
    /// rule matches is not loaded), and the result names a parameter or buffer of this model
    /// (`namedParameters()`, `namedBuffers()`).
    /// - Strict: every model tensor must get a value and every stored tensor must be used, else
    ///   `WeightLoadingError.namesDiffer` lists both sides.
    /// - Not strict: the report lists the stored tensors not used (`skipped`) and the model's
    ///   tensors left as they were (`missing`), as PyTorch's `load_state_dict(strict=False)`.
    ///
    /// Either way a shape that differs from the model's, two stored tensors mapped to one name, or a
    /// buffer value its module refuses is a thrown `WeightLoadingError`. Everything is checked before
    /// anything is assigned: when an error is thrown the model is unchanged. Frozen parameters are
    /// loaded like the others.
    @discardableResult
    public func loadWeights(from tensors: [String: Tensor], renaming map: WeightNameMap = .identity,
                            strict: Bool = true) throws -> WeightLoadReport {
        var targets: [String: (shape: [Int], validation: ((Tensor) -> String?)?, assign: (Tensor) -> Void)] = [:]
        for (name, parameter) in namedParameters() {
            targets[name] = (parameter.shape, nil, { parameter.assign($0) })
        }
        for (name, buffer) in namedBuffers() {
            targets[name] = (buffer.value.shape, buffer.validation, { buffer.value = $0 })
        }
        var sources: [String: [String]] = [:]   // model name → stored names mapping onto it
        var skipped: [String] = []
        for storedName in tensors.keys.sorted() {
            guard let name = map.target(of: storedName), targets[name] != nil else {
                skipped.append(storedName)
                continue
            }
            sources[name, default: []].append(storedName)
        }
        let missing = targets.keys.filter { sources[$0] == nil }.sorted()
        if strict && !(missing.isEmpty && skipped.isEmpty) {
            throw WeightLoadingError.namesDiffer(missing: missing, skipped: skipped)
        }
        let loaded = sources.keys.sorted()
        for name in loaded {
            let stored = sources[name]!
            guard stored.count == 1 else { throw WeightLoadingError.duplicateTarget(name: name, storedNames: stored) }
            let tensor = tensors[stored[0]]!, target = targets[name]!
            guard tensor.shape == target.shape else {
                throw WeightLoadingError.shapeMismatch(name: name, storedName: stored[0], expected: target.shape,
                                                       found: tensor.shape)
            }
            if let reason = target.validation?(tensor) ?? Buffer.finiteValues(tensor) {
                throw WeightLoadingError.invalidValue(name: name, reason: reason)
            }
        }
        for name in loaded { targets[name]!.assign(tensors[sources[name]![0]]!) }
        return WeightLoadReport(loaded: loaded, skipped: skipped, missing: missing)
    }

    /// `loadWeights(from:renaming:strict:)` with a training checkpoint's model tensors
    /// (`parameters.<name>` and `buffers.<name>`, the prefixes removed); its optimizer and trainer
    /// state are ignored — a fine-tuning run starts its own.
    @discardableResult
    public func loadWeights(from checkpoint: Checkpoint, renaming map: WeightNameMap = .identity,
                            strict: Bool = true) throws -> WeightLoadReport {
        var tensors: [String: Tensor] = [:]
        for (key, tensor) in checkpoint.tensors {
            for prefix in ["parameters.", "buffers."] where key.hasPrefix(prefix) {
                tensors[String(key.dropFirst(prefix.count))] = tensor
            }
        }
        return try loadWeights(from: tensors, renaming: map, strict: strict)
    }
}
