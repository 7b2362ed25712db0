import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import MultiTask

/// Checkpoints crafted by a hostile or careless user: semantic edits whose checksums are recomputed
/// (`Checkpoint.serialized()` reseals every edit), so that only validation stands between the file
/// and the kernels. Each variant must load and train, or throw — never trap.
@Suite("Crafted checkpoints")
struct CraftedCheckpointTests {
    /// A run to attack: an architecture, a balancing method, a training mode and (optionally) an
    /// optimizer other than the method's own.
    struct Setup: Sendable {
        var architecture: Architecture
        var method: BalancingMethod
        var mode: TrainingMode = .summed
        var optimizer: (@Sendable (MultiTaskNetwork) -> Optimizer)?
    }

    static let setups: [Setup] = [
        Setup(architecture: .multiHead, method: .gradNorm),
        Setup(architecture: .multiHead, method: .dynamicWeightAverage),
        Setup(architecture: .multiHead, method: .uncertainty),
        Setup(architecture: .multiHead, method: .adaTask),
        Setup(architecture: .maximumRoaming, method: .equal, mode: .taskAlternating),
        Setup(architecture: .multiHead, method: .equal,
              optimizer: { SGD(parameters: $0.parameters(), learningRate: 0.01, momentum: 0.9) }),
        Setup(architecture: .multiHead, method: .equal, optimizer: { RMSProp(parameters: $0.parameters()) }),
        Setup(architecture: .multiHead, method: .equal, optimizer: { AdaGrad(parameters: $0.parameters()) }),
    ]

    static let data: DatasetSplits<MultiTaskDataset> = try! SyntheticDataset.regression.make(sampleCount: 80, seed: 3)

    static func trainer(_ setup: Setup, epochs: Int) -> Trainer {
        var options = ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 1, seed: 4)
        options.skipsMaskedUnits = true
        let model = makeNetwork(setup.architecture, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                options: options)
        var (balancer, optimizer) = setup.method.make(for: model, learningRate: 1e-2, seed: 5)
        if let make = setup.optimizer { optimizer = make(model) }
        return Trainer(model: model, optimizer: optimizer, balancer: balancer,
                       configuration: .init(epochs: epochs, batchSize: 16, seed: 6, mode: setup.mode,
                                            showsProgress: false))
    }

    /// The edits of one tensor: wrong shapes, then bad values in the right shape, then removal.
    static func tensorVariants(_ tensor: Tensor) -> [Tensor?] {
        var shapes: [[Int]] = [[], [1], [0], [tensor.count + 1], [2, 2]]
        if tensor.rank >= 1 { shapes.append([tensor.shape[0] + 1] + tensor.shape.dropFirst()) }
        if tensor.rank >= 2 { shapes.append([tensor.count]); shapes.append(tensor.shape.reversed()) }
        var variants: [Tensor?] = shapes.filter { $0 != tensor.shape }.map { Tensor(repeating: 1, shape: $0) }
        for value: Float in [.nan, .infinity, -.infinity, -1, 1e30, 0.5, -0.5, 0, 2] {
            variants.append(Tensor(repeating: value, shape: tensor.shape))
        }
        if tensor.count > 1 {
            var mixed = tensor
            mixed[flat: tensor.count - 1] = .nan
            variants.append(mixed)
        }
        variants.append(nil)
        return variants
    }

    static let metadataValues = ["nan", "-1", "-3", "1e30", "99999999999999999999", "", "abc", "0.5", "2", "16777217"]

    /// Every variant of `checkpoint`: each tensor edited, each trainer setting edited or removed,
    /// unexpected entries added.
    static func variants(of checkpoint: Checkpoint) -> [(String, Checkpoint)] {
        var result: [(String, Checkpoint)] = []
        for name in checkpoint.tensors.keys.sorted() {
            for (index, variant) in tensorVariants(checkpoint.tensors[name]!).enumerated() {
                var edited = checkpoint
                edited.tensors[name] = variant
                result.append(("\(name) #\(index)", edited))
            }
        }
        for key in checkpoint.metadata.keys.sorted() where key.hasPrefix("trainer.") {
            for value in metadataValues + [nil] {
                var edited = checkpoint
                edited.metadata[key] = value
                result.append(("\(key) = \(value ?? "removed")", edited))
            }
        }
        for extra in ["optimizer.bogus.step", "trainer.balancer.bogus", "buffers.bogus", "parameters.bogus"] {
            var edited = checkpoint
            edited.tensors[extra] = Tensor([1])
            result.append((extra, edited))
        }
        return result
    }

    @Test("""
        thousands of resealed semantic edits: each resume trains or throws, none traps; bad optimizer state always \
        throws
        """)
    func craftedResumes() throws {
        var loaded = 0, refused = 0, variantCount = 0
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-crafted-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for setup in Self.setups {
            let original = Self.trainer(setup, epochs: 2)
            try original.fit(Self.data.train)
            let url = directory.appendingPathComponent("original.mtlckpt")
            try original.saveCheckpoint(to: url)
            let checkpoint = try Checkpoint(contentsOf: url)
            #expect(checkpoint.tensors.keys.contains { $0.hasPrefix("optimizer.") })
            for (index, (label, variant)) in Self.variants(of: checkpoint).enumerated() {
                variantCount += 1
                let trainer = Self.trainer(setup, epochs: 0)
                do {
                    // The bytes on disk, resealed; every 25th variant goes through a file.
                    let resealed = try Checkpoint(data: variant.serialized())
                    if index % 25 == 0 {
                        try variant.write(to: url)
                        try trainer.resume(from: url)
                    } else {
                        try trainer.resume(from: resealed)
                    }
                    trainer.configuration.epochs = trainer.completedEpochs + 1
                    _ = try trainer.fit(Self.data.train, validation: Self.data.validation)
                    loaded += 1
                    // A wrong-shaped or non-finite optimizer moment must never be accepted.
                    let edited = label.split(separator: " ").first.map(String.init) ?? ""
                    // (the model's optimizer, and the balancers' own: trainer.balancer.<name>.optimizer.<key>)
                    if edited.hasPrefix("optimizer.") || edited.contains(".optimizer."), !edited.hasSuffix("step"),
                       edited != "optimizer.stepCount",
                       let tensor = variant.tensors[edited], let good = checkpoint.tensors[edited] {
                        #expect(tensor.shape == good.shape && tensor.scalars.allSatisfy(\.isFinite), """
                            \(setup.architecture) \(setup.method): \(label) was accepted \(tensor.shape) \(good.shape)
                            """)
                    }
                } catch {
                    refused += 1
                }
            }
        }
        #expect(variantCount >= 2000, "only \(variantCount) variants")
        // The untouched entries (e.g. a removed metadata note) load; the harmful ones are refused.
        #expect(loaded > 100 && refused > 1000, "\(loaded) loaded, \(refused) refused")
    }

    @Test("named edits are refused with a clear error")
    func namedEdits() throws {
        let setup = Self.setups[0]
        let original = Self.trainer(setup, epochs: 1)
        try original.fit(Self.data.train)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-named-\(UUID()).mtlckpt")
        defer { try? FileManager.default.removeItem(at: url) }
        try original.saveCheckpoint(to: url)
        let base = try Checkpoint(contentsOf: url)
        func refusal(_ edit: (inout Checkpoint) -> Void) -> String? {
            var edited = base
            edit(&edited)
            do { try Self.trainer(setup, epochs: 1).resume(from: edited); return nil } catch { return "\(error)" }
        }
        #expect(refusal { _ in } == nil)
        let moment = base.tensors.keys.sorted().first { $0.hasSuffix(".secondMoment") }!
        #expect(refusal { $0.tensors[moment] = Tensor(repeating: 1, shape: [7]) }?.contains(moment) == true,
                "\(moment)")
        #expect(refusal { $0.tensors[moment] = Tensor(repeating: -1,
                                                      shape: $0.tensors[moment]!.shape) }?.contains("negative") == true)
        let step = base.tensors.keys.sorted().first { $0.hasSuffix(".step") }!
        #expect(refusal { $0.tensors[step] = Tensor(Float.nan) }?.contains("not a count") == true)
        #expect(refusal { $0.tensors["optimizer.stepCount"] = Tensor(1e30) }?.contains("not a count") == true)
        #expect(refusal { $0.metadata["trainer.completedEpochs"] = "-1" }?.contains("trainer.completedEpochs") == true)
        #expect(refusal { $0.metadata["trainer.balancer"] = nil }?.contains("records no balancer") == true)
        #expect(refusal { $0.metadata["trainer.seed"] = "7" }?.contains("seed") == true)
        #expect(refusal { $0.metadata["trainer.balancer"] = "EW" }?.contains("balancer") == true)
        #expect(refusal { $0.tensors["trainer.balancer.weights"] = Tensor([1, 1, 1]) }?.contains("weights") == true)
        #expect(refusal { $0.tensors["trainer.balancer.weights"] = Tensor([.nan, 1]) } != nil)
    }

    @Test("roaming masks that are all zero, NaN or not 0/1 are refused; a DWA history of the wrong shape too")
    func masksAndHistories() throws {
        let roaming = Self.trainer(Self.setups[4], epochs: 1)
        try roaming.fit(Self.data.train)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-masks-\(UUID()).mtlckpt")
        defer { try? FileManager.default.removeItem(at: url) }
        try roaming.saveCheckpoint(to: url)
        let checkpoint = try Checkpoint(contentsOf: url)
        let maskName = checkpoint.tensors.keys.sorted()
            .first { $0.hasSuffix(".masks.value") || $0.hasSuffix(".masks") }!
        let shape = checkpoint.tensors[maskName]!.shape
        for (value, reason) in [(Float(0), "no active unit"), (.nan, "other than 0 and 1"), (0.5,
            "other than 0 and 1")] {
            var edited = checkpoint
            edited.tensors[maskName] = Tensor(repeating: value, shape: shape)
            #expect(throws: CheckpointError.self) { try Self.trainer(Self.setups[4], epochs: 1).resume(from: edited) }
            do { try Self.trainer(Self.setups[4], epochs: 1).resume(from: edited) } catch {
                #expect("\(error)".contains(reason), "\(error)")
            }
        }
        let balancer = DynamicWeightAverage(taskCount: 2)
        #expect(throws: CheckpointError.self) { try balancer.restoreState(["history": Tensor([[1, 2, 3]])]) }
        #expect(throws: CheckpointError.self) { try balancer.restoreState(["history": Tensor([[1, .infinity]])]) }
        #expect(throws: CheckpointError.self) { try balancer.restoreState(["history": Tensor([[1, -2]])]) }
        // NaN is a task without labels in that epoch (partially labelled data): accepted, r_t = 1.
        try balancer.restoreState(["history": Tensor([[1, .nan]])])
        #expect(throws: CheckpointError.self) { try balancer.restoreState(["history": Tensor(shape: [3, 2],
            scalars: [1, 1, 1, 1, 1, 1])]) }
        try balancer.restoreState(["history": Tensor([[1, 2], [1, 1]])])
        #expect(balancer.currentWeights.count == 2)
    }
}
