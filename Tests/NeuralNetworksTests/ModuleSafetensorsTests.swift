import Testing
import Foundation
import TensorCore
import NeuralNetworks

/// A model's weights through safetensors: keyed by dotted names, restored bit for bit, and refused
/// (leaving the model unchanged) when names or shapes do not match.
@Suite("Safetensors: models")
struct ModuleSafetensorsTests {
    typealias Model = CheckpointTests.Model

    /// Every parameter and buffer value of `model`, as bit patterns by name.
    static func bits(_ model: Module) -> [String: [UInt32]] {
        var result: [String: [UInt32]] = [:]
        for (name, parameter) in model.namedParameters() { result[name] = parameter.value.scalars.map(\.bitPattern) }
        for (name, buffer) in model.namedBuffers() { result[name] = buffer.value.scalars.map(\.bitPattern) }
        return result
    }

    @Test("export then import restores every parameter and buffer bit for bit, under the dotted names")
    func roundTrip() throws {
        let directory = try SafetensorsTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let (model, _) = CheckpointTests.trained()
        model.head.weight.assign(Tensor(shape: [4, 2], scalars: [-0.0, .nan, .leastNonzeroMagnitude, 1, 2, 3, 4, 5]))
        try model.exportSafetensors(to: url, metadata: ["producer": "tests"])
        let file = try Safetensors(contentsOf: url)
        #expect(file.metadata == ["producer": "tests"])
        #expect(file.tensors.keys.sorted() == [
            "body.layers.0.bias", "body.layers.0.weight", "body.layers.1.offset", "body.layers.1.runningMean",
            "body.layers.1.runningVariance", "body.layers.1.scale", "head.bias", "head.weight",
        ])
        // Linear's weight is stored [in, out], as the model holds it.
        #expect(file.tensors["body.layers.0.weight"]?.shape == [3, 4])

        let restored = Model()
        let report = try restored.importSafetensors(from: url)
        #expect(Self.bits(restored) == Self.bits(model))
        #expect(report == SafetensorsImportReport(loaded: file.tensors.keys.sorted(), skipped: [], missing: []))
    }

    @Test("strict import refuses missing and unknown names and wrong shapes, naming them; the model is unchanged")
    func refusals() throws {
        let (model, _) = CheckpointTests.trained()
        let weights = model.safetensors()
        let target = Model()
        let before = Self.bits(target)

        var missing = weights
        missing.tensors["head.bias"] = nil
        #expect(throws: SafetensorsError(.namesDiffer(missing: ["head.bias"], unexpected: []))) {
            try target.load(missing)
        }
        var renamed = weights
        renamed.tensors["head.0.weight"] = renamed.tensors.removeValue(forKey: "head.weight")
        #expect(throws: SafetensorsError(.namesDiffer(missing: ["head.weight"], unexpected: ["head.0.weight"]))) {
            try target.load(renamed)
        }
        // PyTorch's layout for Linear, [out, in], is the classic mistake.
        var transposed = weights
        transposed.tensors["head.weight"] = weights.tensors["head.weight"]!.transposed()
        #expect(throws: SafetensorsError(.shapeMismatch(name: "head.weight", expected: [4, 2], found: [2, 4]))) {
            try target.load(transposed)
        }
        var badBuffer = weights
        badBuffer.tensors["body.layers.1.runningMean"] = Tensor([0, .nan, 0, 0])
        #expect(throws: SafetensorsError(.invalidValue(name: "body.layers.1.runningMean",
                                                       reason: "it holds NaN or infinite values"))) {
            try target.load(badBuffer)
        }
        #expect(Self.bits(target) == before, "a refused import must not change the model")

        // From a file, the error names the file.
        let directory = try SafetensorsTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("renamed.safetensors")
        try renamed.write(to: url)
        do {
            try target.importSafetensors(from: url)
            Issue.record("a file with a renamed tensor was imported")
        } catch let error as SafetensorsError {
            #expect(error.path == url.path && error.description.contains("'head.0.weight'"), "\(error)")
        }
    }

    @Test("non-strict import loads what matches, skips what the model lacks, reports what the file lacks")
    func nonStrict() throws {
        let (model, _) = CheckpointTests.trained()
        var weights = model.safetensors()
        weights.tensors["head.bias"] = nil
        weights.tensors["tail.weight"] = Tensor([1])
        let target = Model()
        let untouched = target.head.bias!.value
        let report = try target.load(weights, strict: false)
        #expect(report.missing == ["head.bias"] && report.skipped == ["tail.weight"] && report.loaded.count == 7)
        #expect(target.head.bias!.value == untouched && target.head.weight.value == model.head.weight.value)
        // A shape mismatch is an error even so.
        weights.tensors["head.weight"] = Tensor.zeros([2, 4])
        #expect(throws: SafetensorsError.self) { try target.load(weights, strict: false) }
    }
}
