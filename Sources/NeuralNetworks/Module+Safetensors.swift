import Foundation
import TensorCore

/// What `Module.load(_:strict:)` did with a safetensors file's tensors.
public struct SafetensorsImportReport: Equatable, Sendable {
    /// The model's parameters and buffers set from the file, by dotted name.
    public var loaded: [String]
    /// The file's tensors the model has no parameter or buffer for (ignored; empty when strict).
    public var skipped: [String]
    /// The model's parameters and buffers the file lacks (left as they were; empty when strict).
    public var missing: [String]

    /// A report of `loaded`, `skipped` and `missing` tensor names.
    public init(loaded: [String], skipped: [String], missing: [String]) {
        self.loaded = loaded
        self.skipped = skipped
        self.missing = missing
    }
}

/// Weights for other frameworks: a model's parameters and buffers as safetensors, keyed by the
/// dotted names of `namedParameters()` and `namedBuffers()` — `trunk.layers.0.layers.0.weight`,
/// `heads.1.bias`, `….runningMean` — as PyTorch's `state_dict()` keys its tensors.
///
/// - Note: Tensors keep this framework's layouts. A `Linear` weight is `[inputCount, outputCount]`,
///   the transpose of PyTorch's `[out, in]`; `Conv2D` weights are `[F, C, K, K]` as PyTorch's.
///   Chapter 14 maps the names and layouts to PyTorch's for the standard architectures.
extension Module {
    /// Every parameter and buffer, by dotted name, with `metadata`.
    public func safetensors(metadata: [String: String] = [:]) -> Safetensors {
        var tensors: [String: Tensor] = [:]
        for (name, parameter) in namedParameters() { tensors[name] = parameter.value }
        for (name, buffer) in namedBuffers() { tensors[name] = buffer.value }
        return Safetensors(tensors: tensors, metadata: metadata)
    }

    /// Writes every parameter and buffer to a safetensors file, atomically.
    public func exportSafetensors(to url: URL, metadata: [String: String] = [:]) throws {
        try safetensors(metadata: metadata).write(to: url)
    }

    /// Reads a safetensors file into this model (see `load(_:strict:)`); errors name the file.
    @discardableResult
    public func importSafetensors(from url: URL, strict: Bool = true) throws -> SafetensorsImportReport {
        let file = try Safetensors(contentsOf: url)
        do { return try load(file, strict: strict) } catch var error as SafetensorsError {
            error.path = url.path
            throw error
        }
    }

    /// Sets parameters and buffers from `weights` by name. Everything is checked before anything
    /// changes: strict (the default), the names must be exactly the model's; not strict, the
    /// model's tensors the file lacks stay as they are and the file's extra tensors are skipped
    /// (the report lists both), as PyTorch's `load_state_dict(strict=False)`. Either way a shape
    /// differing from the model's, or a buffer value its module refuses, is an error.
    @discardableResult
    public func load(_ weights: Safetensors, strict: Bool = true) throws -> SafetensorsImportReport {
        var targets: [(name: String, shape: [Int], assign: (Tensor) -> Void)] = []
        var validations: [String: (Tensor) -> String?] = [:]
        for (name, parameter) in namedParameters() {
            targets.append((name, parameter.shape, { parameter.assign($0) }))
        }
        for (name, buffer) in namedBuffers() {
            targets.append((name, buffer.value.shape, { buffer.value = $0 }))
            validations[name] = buffer.validation
        }
        let known = Set(targets.map(\.name))
        let missing = targets.map(\.name).filter { weights.tensors[$0] == nil }.sorted()
        let skipped = weights.tensors.keys.filter { !known.contains($0) }.sorted()
        if strict && !(missing.isEmpty && skipped.isEmpty) {
            throw SafetensorsError(.namesDiffer(missing: missing, unexpected: skipped))
        }
        var loaded: [String] = []
        for target in targets.sorted(by: { $0.name < $1.name }) {
            guard let tensor = weights.tensors[target.name] else { continue }
            guard tensor.shape == target.shape else {
                throw SafetensorsError(.shapeMismatch(name: target.name, expected: target.shape, found: tensor.shape))
            }
            if let reason = validations[target.name]?(tensor) {
                throw SafetensorsError(.invalidValue(name: target.name, reason: reason))
            }
            loaded.append(target.name)
        }
        for target in targets { weights.tensors[target.name].map(target.assign) }
        return SafetensorsImportReport(loaded: loaded, skipped: skipped, missing: missing)
    }
}
