import Testing
import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Checkpoints: round trips, atomic writes, and every kind of bad file.
@Suite("Checkpoints")
struct CheckpointTests {
    final class Model: Module {
        let body = Sequential(Linear(inputCount: 3, outputCount: 4, random: RandomSource(seed: 1)),
                              BatchNorm1D(featureCount: 4), ReLU())
        let head = Linear(inputCount: 4, outputCount: 2, random: RandomSource(seed: 2))
        override func callAsFunction(_ input: Variable) -> Variable { head(body(input)) }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mtl-ckpt-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A model trained a few Adam steps, so parameters, buffers and optimizer state are all non-trivial.
    static func trained() -> (Model, Adam) {
        let model = Model()
        let optimizer = Adam(parameters: model.parameters(), learningRate: 0.01)
        let x = Tensor.normal([8, 3], seed: 3), y = Tensor.normal([8, 2], seed: 4)
        for _ in 0..<3 {
            let loss = meanSquaredError(prediction: model(Variable(x)), target: y)
            optimizer.zeroGradients()
            loss.backward()
            optimizer.step()
        }
        return (model, optimizer)
    }

    @Test("save and load restore parameters, buffers, optimizer state and metadata; training resumes identically")
    func roundTrip() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.mtlckpt")
        let (model, optimizer) = Self.trained()
        try model.saveCheckpoint(to: url, optimizer: optimizer, metadata: ["epoch": "3", "note": "δ test"])

        let restored = Model()
        let restoredOptimizer = Adam(parameters: restored.parameters(), learningRate: 0.01)
        let metadata = try restored.loadCheckpoint(from: url, optimizer: restoredOptimizer)
        #expect(metadata == ["epoch": "3", "note": "δ test"])
        #expect(restored.parameters().map(\.value) == model.parameters().map(\.value))
        #expect(restored.namedBuffers().map(\.buffer.value) == model.namedBuffers().map(\.buffer.value))
        #expect(restoredOptimizer.stepCount == 3)
        // One more identical step on both gives identical parameters (the Adam moments were restored).
        let x = Tensor.normal([8, 3], seed: 5), y = Tensor.normal([8, 2], seed: 6)
        for (m, o) in [(model, optimizer), (restored, restoredOptimizer)] as [(Model, Adam)] {
            let loss = meanSquaredError(prediction: m(Variable(x)), target: y)
            o.zeroGradients()
            loss.backward()
            o.step()
        }
        #expect(restored.parameters().map(\.value) == model.parameters().map(\.value))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers.isEmpty)
        // Weights alone (for evaluation): the optimizer entries are ignored.
        let weightsOnly = Model()
        try weightsOnly.loadCheckpoint(from: url)
        #expect(weightsOnly.parameters().map(\.value) != Model().parameters().map(\.value))
        #expect(weightsOnly.head.weight.value == (try Checkpoint(contentsOf: url)).tensors["parameters.head.weight"])
    }

    @Test("errors say which and where; a failed load changes nothing")
    func errors() throws {
        let (model, _) = Self.trained()
        let data = model.checkpoint(metadata: ["a": "b"]).serialized()
        func error(_ bytes: Data) -> CheckpointError? {
            do {
                _ = try Checkpoint(data: bytes); return nil
            } catch let error as CheckpointError {
                return error
            } catch {
                return nil
            }
        }
        #expect(error(Data("definitely not".utf8)) == .notACheckpoint)
        var version = data
        version[8] = 2
        #expect(error(version) == .unsupportedVersion(found: 2, supported: 1))
        #expect(error(data.prefix(data.count - 10)) == .checksumMismatch(part: "the file"))
        var flipped = data
        flipped[data.count / 2] ^= 0x10
        #expect(error(flipped) == .checksumMismatch(part: "the file"))
        #expect(error(data.prefix(12)) == .truncated(offset: 12, reading: "the checksum"))

        // Shape mismatch and missing tensors: the target model is left untouched.
        let other = Model()
        let before = other.parameters().map(\.value)
        var wrongShape = model.checkpoint()
        wrongShape.tensors["parameters.head.weight"] = Tensor.zeros([5, 2])
        #expect(throws: CheckpointError.shapeMismatch(name: "parameters.head.weight", expected: [4, 2],
                                                      found: [5, 2])) {
            try other.load(wrongShape)
        }
        var missing = model.checkpoint()
        missing.tensors["parameters.head.bias"] = nil
        #expect(throws: CheckpointError.missingTensor(name: "parameters.head.bias")) { try other.load(missing) }
        var extra = model.checkpoint()
        extra.tensors["parameters.tail.weight"] = Tensor.zeros([1])
        #expect(throws: CheckpointError.unexpectedTensor(name: "parameters.tail.weight")) { try other.load(extra) }
        #expect(other.parameters().map(\.value) == before, "a failed load must not change the model")
        #expect(throws: CheckpointError.self) {
            try other.loadCheckpoint(from: URL(fileURLWithPath: "/nonexistent/x.mtlckpt"))
        }
        #expect(CheckpointError.shapeMismatch(name: "w", expected: [1], found: [2]).description.contains("'w'"))
    }

    @Test("fuzz: 10,000 random byte strings, truncations and bit flips throw or load, never crash")
    func fuzz() {
        var generator = SeededGenerator(seed: 123)
        let (model, optimizer) = Self.trained()
        let valid = [UInt8](model.checkpoint(optimizer: optimizer, metadata: ["k": "v"]).serialized())
        var outcomes = (loaded: 0, threw: 0)
        func attempt(_ bytes: [UInt8]) {
            do { _ = try Checkpoint(data: Data(bytes)); outcomes.loaded += 1 } catch { outcomes.threw += 1 }
        }
        /// Recomputes the trailing checksum so the mutation reaches the parser itself.
        func resealed(_ bytes: [UInt8]) -> [UInt8] {
            guard bytes.count >= 16 else { return bytes }
            var result = Array(bytes.dropLast(4))
            withUnsafeBytes(of: crc32(result).littleEndian) { result.append(contentsOf: $0) }
            return result
        }
        for trial in 0..<10_000 {
            var bytes: [UInt8]
            switch trial % 3 {
            case 0:
                bytes = (0..<generator.nextInt(below: 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if trial % 2 == 0 { bytes = Array(valid.prefix(12)) + bytes }
            case 1:
                bytes = Array(valid.prefix(generator.nextInt(below: valid.count)))
            default:
                bytes = valid
                for _ in 0...generator.nextInt(below: 4) {
                    bytes[generator.nextInt(below: bytes.count)] ^= 1 << UInt8(generator.nextInt(below: 8))
                }
            }
            attempt(bytes)
            if trial % 2 == 1 { attempt(resealed(bytes)) }
        }
        #expect(outcomes.loaded + outcomes.threw == 15_000)
        #expect(outcomes.threw > 10_000, "corruptions should be detected: \(outcomes)")
    }
}

/// CRC-32 (IEEE), bit by bit — an independent twin of the library's table-driven one.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}
