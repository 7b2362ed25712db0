import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import MultiTask

/// The fine-tuning toolkit: loading weights by name (a prefix map; strict, or a report of what was
/// loaded, skipped and missing), re-initializing a module, discriminative learning rates, freezing
/// and gradual unfreezing applied by the trainer, and the plan that puts them together.
@Suite("Fine-tuning")
struct FineTuningTests {
    static func data() throws -> DatasetSplits<MultiTaskDataset> {
        try RelatedRegression(correlation: 0.8, inputCount: 12, seed: 1)
            .dataset(sampleCount: 300, seed: 2).split(seed: 3)
    }

    /// A multi-head network of a three-stage trunk (12 → 16 → 16 → 16) and `heads` heads of `outputs` units.
    static func network(seed: UInt64, heads: Int = 2, outputs: Int = 1) -> MultiHeadNetwork {
        let random = RandomSource(seed: seed)
        let trunk = Sequential(Sequential(Linear(inputCount: 12, outputCount: 16, random: random), ReLU()),
                               Sequential(Linear(inputCount: 16, outputCount: 16, random: random), ReLU()),
                               Sequential(Linear(inputCount: 16, outputCount: 16, random: random), ReLU()))
        return MultiHeadNetwork(trunk: trunk, heads: (0..<heads).map { _ in
            Linear(inputCount: 16, outputCount: outputs, random: random)
        })
    }

    static func tensors(_ model: Module) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.name, $0.parameter.value) })
    }

    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID())-\(name)")
    }

    // MARK: Loading by name

    @Test("non-strict loading with a trunk map reports exactly the skipped and the missing names")
    func nonStrictReport() throws {
        let source = Self.network(seed: 1), target = Self.network(seed: 2, heads: 3, outputs: 4)
        let before = Self.tensors(target)
        let map = try WeightNameMap(parsing: "trunk.=trunk.")
        let report = try target.loadWeights(from: Self.tensors(source), renaming: map, strict: false)
        let trunk = (0..<3).flatMap { ["trunk.layers.\($0).layers.0.bias", "trunk.layers.\($0).layers.0.weight"] }
        #expect(report.loaded == trunk.sorted())
        #expect(report.skipped == ["heads.0.bias", "heads.0.weight", "heads.1.bias", "heads.1.weight"])
        #expect(report.missing == (0..<3).flatMap { ["heads.\($0).bias", "heads.\($0).weight"] })
        let after = Self.tensors(target), stored = Self.tensors(source)
        for name in trunk { #expect(after[name] == stored[name], "\(name) was not loaded") }
        for name in report.missing { #expect(after[name] == before[name], "\(name) changed") }
    }

    @Test("identity loading: an extra stored tensor is skipped; strict lists both sides; bad files change nothing")
    func strictAndErrors() throws {
        let source = Self.network(seed: 1), target = Self.network(seed: 2)
        var stored = Self.tensors(source)
        stored["extra.weight"] = Tensor.zeros([2])
        stored["heads.1.bias"] = nil
        let report = try target.loadWeights(from: stored, strict: false)
        #expect(report.skipped == ["extra.weight"] && report.missing == ["heads.1.bias"])
        #expect(report.loaded.count == 9)
        #expect(throws: WeightLoadingError.namesDiffer(missing: ["heads.1.bias"], skipped: ["extra.weight"])) {
            try Self.network(seed: 3).loadWeights(from: stored)
        }
        // A shape mismatch (heads of 4 outputs) is an error, and the model is left as it was.
        let wide = Self.network(seed: 4, outputs: 4)
        let before = Self.tensors(wide)
        #expect(throws: WeightLoadingError.self) { try wide.loadWeights(from: Self.tensors(source), strict: false) }
        #expect(Self.tensors(wide) == before)
        // Two stored tensors onto one name, and a NaN, are refused.
        let twice = try WeightNameMap(parsing: "heads.0.=heads.1.,heads.1.=heads.1.")
        #expect(throws: WeightLoadingError.duplicateTarget(name: "heads.1.bias",
                                                           storedNames: ["heads.0.bias", "heads.1.bias"])) {
            try wide.loadWeights(from: Self.tensors(source), renaming: twice, strict: false)
        }
        var broken = Self.tensors(source)
        broken["trunk.layers.0.layers.0.bias"] = Tensor(Array(repeating: Float.nan, count: 16))
        #expect(throws: WeightLoadingError.self) { try target.loadWeights(from: broken) }
        #expect(Self.tensors(wide) == before)
        // A trainer's checkpoint: its parameters.* and buffers.* load, its optimizer state is ignored.
        let optimizer = Adam(parameters: source.parameters())
        let full = try target.loadWeights(from: source.checkpoint(optimizer: optimizer, metadata: ["a": "b"]))
        #expect(full.loaded.count == 10 && full.skipped.isEmpty && full.missing.isEmpty)
        #expect(Self.tensors(target) == Self.tensors(source))
    }

    @Test("a name map: the longest matching prefix renames, unmatched names are not loaded; bad text is refused")
    func nameMap() throws {
        let map = try WeightNameMap(parsing: "trunk.=encoder.,trunk.layers.2.=top.")
        #expect(map.target(of: "trunk.layers.0.weight") == "encoder.layers.0.weight")
        #expect(map.target(of: "trunk.layers.2.weight") == "top.weight")
        #expect(map.target(of: "heads.0.weight") == nil)
        #expect(WeightNameMap.identity.target(of: "heads.0.weight") == "heads.0.weight")
        #expect(map.description == "trunk.=encoder.,trunk.layers.2.=top.")
        for bad in ["trunk.", "a=b,a=c", "a=b=c", ""] {
            #expect(throws: WeightLoadingError.self, "'\(bad)'") { try WeightNameMap(parsing: bad) }
        }
    }

    // MARK: Re-initializing

    @Test("reinitialize draws the layers' default initializers from its seed; an unknown layer changes nothing")
    func reinitialize() throws {
        let head = Linear(inputCount: 16, outputCount: 3, random: RandomSource(seed: 1))
        try head.reinitialize(random: RandomSource(seed: 9))
        let fresh = Linear(inputCount: 16, outputCount: 3, random: RandomSource(seed: 9))
        #expect(head.weight.value == fresh.weight.value && head.bias!.value == fresh.bias!.value)
        let convolution = Conv2D(inputChannels: 2, outputChannels: 4, kernelSize: 3, random: RandomSource(seed: 1))
        try convolution.reinitialize(random: RandomSource(seed: 5))
        let freshConvolution = Conv2D(inputChannels: 2, outputChannels: 4, kernelSize: 3, random: RandomSource(seed: 5))
        #expect(convolution.weight.value == freshConvolution.weight.value)
        #expect(convolution.bias!.value == freshConvolution.bias!.value)
        let normalization = BatchNormalization(featureCount: 4)
        normalization.scale!.assign(Tensor.zeros([4]))
        normalization.runningMean.value = Tensor.ones([4])
        try normalization.reinitialize(random: RandomSource(seed: 1))
        #expect(normalization.scale!.value == Tensor.ones([4]) && normalization.runningMean.value == Tensor.zeros([4]))
        // A network: the same seed gives the same weights, different from before.
        let network = Self.network(seed: 1), twin = Self.network(seed: 1)
        try network.reinitialize(random: RandomSource(seed: 7))
        try twin.reinitialize(random: RandomSource(seed: 7))
        #expect(Self.tensors(network) == Self.tensors(twin))
        #expect(Self.tensors(network) != Self.tensors(Self.network(seed: 1)))
        // A module holding a parameter with no default initializer: refused, nothing changed.
        final class Scale: Module { let factor = Parameter(Tensor([2])) }
        let mixed = Sequential(Linear(inputCount: 2, outputCount: 2, random: RandomSource(seed: 1)), Scale())
        let before = Self.tensors(mixed)
        #expect(throws: WeightLoadingError.cannotReinitialize(module: "layers.1", type: "Scale")) {
            try mixed.reinitialize(random: RandomSource(seed: 3))
        }
        #expect(Self.tensors(mixed) == before)
    }

    // MARK: Rates and freezing

    @Test("discriminative groups: η_l = η·ξ^(L−l) from the top block down, ξ = 1/2.6 by default")
    func discriminativeRates() throws {
        let network = Self.network(seed: 1)
        let blocks = try fineTuningBlocks(of: network)
        #expect(blocks.count == 4 && blocks.map(\.count) == [2, 2, 2, 4])
        let groups = discriminativeParameterGroups(blocks: blocks, learningRate: 0.01)
        #expect(ulmfitLayerDecay == 1 / 2.6)
        for (index, group) in groups.enumerated() {
            let expected = 0.01 * Float(pow(1 / 2.6, Double(3 - index)))
            #expect(abs(group.learningRate - expected) <= 1e-9, "block \(index): \(group.learningRate)")
            #expect(group.initialLearningRate == group.learningRate)
        }
        #expect(groups[3].learningRate == 0.01)
        let flat = discriminativeParameterGroups(modules: [network.trunk], learningRate: 0.5, decay: 1)
        #expect(flat.count == 1 && flat[0].learningRate == 0.5 && flat[0].parameters.count == 6)
        // Any other architecture has no levels.
        let stl = makeNetwork(.singleTask, tasks: try Self.data().train.tasks, inputShape: [12])
        #expect(throws: FineTuningError.self) { try fineTuningBlocks(of: stl) }
    }

    @Test("a frozen group, and a frozen parameter, get no update")
    func frozenGroupGetsNoUpdate() throws {
        let network = Self.network(seed: 1)
        let blocks = try fineTuningBlocks(of: network)
        var groups = discriminativeParameterGroups(blocks: blocks, learningRate: 0.05)
        groups[0].isFrozen = true
        let optimizer = Adam(groups: groups)
        blocks[1].forEach { $0.isFrozen = true }
        let before = blocks.map { $0.map(\.value) }
        let data = try Self.data()
        let trainer = Trainer(model: network, optimizer: optimizer,
                              configuration: .init(epochs: 1, batchSize: 32, showsProgress: false))
        try trainer.fit(data.train)
        let after = blocks.map { $0.map(\.value) }
        #expect(after[0] == before[0], "the frozen group changed")
        #expect(after[1] == before[1], "the frozen parameters changed")
        #expect(blocks[1].allSatisfy { $0.grad == nil }, "a frozen parameter got a gradient")
        #expect(after[2] != before[2] && after[3] != before[3])
    }

    @Test("gradual unfreezing: the heads first, then one more block top-down every k epochs, as documented")
    func unfreezingOrder() throws {
        let everyEpoch = FreezingSchedule(blockCount: 4, unfreezeInterval: 1)
        let trainable = (0..<5).map { epoch in (0..<4).filter { !everyEpoch.isFrozen(block: $0, atEpoch: epoch) } }
        #expect(trainable == [[3], [2, 3], [1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]])
        let everyTwo = FreezingSchedule(blockCount: 4, unfreezeInterval: 2)
        #expect((0..<8).map(everyTwo.trainableBlockCount(atEpoch:)) == [1, 1, 2, 2, 3, 3, 4, 4])
        #expect((0..<4).map(everyTwo.firstTrainingEpoch(of:)) == [6, 4, 2, 0])
        let never = FreezingSchedule(blockCount: 4, unfreezeInterval: nil)
        #expect((0..<20).allSatisfy { never.trainableBlockCount(atEpoch: $0) == 1 })
        #expect(never.firstTrainingEpoch(of: 2) == nil && never.firstTrainingEpoch(of: 3) == 0)
        // In training: block b first changes in epoch firstTrainingEpoch(b), and not before.
        let network = Self.network(seed: 1)
        let blocks = try fineTuningBlocks(of: network)
        let trainer = Trainer(model: network, optimizer: Adam(parameters: network.parameters(), learningRate: 0.01),
                              configuration: .init(epochs: 7, batchSize: 32, showsProgress: false))
        trainer.observers.append(GradualUnfreezing(blocks: blocks, schedule: everyTwo))
        var snapshots = [blocks.map { $0.map(\.value) }]
        trainer.observers.append(EpochCallback { _, _ in snapshots.append(blocks.map { $0.map(\.value) }) })
        try trainer.fit(try Self.data().train)
        for block in 0..<4 {
            let changed = (0..<7).filter { snapshots[$0 + 1][block] != snapshots[$0][block] }
            let first = everyTwo.firstTrainingEpoch(of: block)!
            #expect(changed == Array(first..<7), "block \(block) changed in epochs \(changed)")
        }
    }

    @Test("resuming a gradually unfreezing run with discriminative rates gives the uninterrupted run, bit for bit")
    func resumeWithUnfreezing() throws {
        let data = try Self.data()
        func trainer(epochs: Int, checkpoint: URL? = nil) throws -> Trainer {
            let network = Self.network(seed: 1)
            let blocks = try fineTuningBlocks(of: network)
            let optimizer = Adam(groups: discriminativeParameterGroups(blocks: blocks, learningRate: 0.02))
            let trainer = Trainer(model: network, optimizer: optimizer,
                                  configuration: .init(epochs: epochs, batchSize: 32, seed: 4,
                                                       checkpointURL: checkpoint, showsProgress: false,
                                                       learningRateSchedule: CosineAnnealing(totalSteps: 60)))
            trainer.observers.append(GradualUnfreezing(blocks: blocks,
                                                       schedule: FreezingSchedule(blockCount: 4, unfreezeInterval: 1)))
            return trainer
        }
        let straight = try trainer(epochs: 6)
        try straight.fit(data.train, validation: data.validation)
        let checkpoint = Self.temporaryURL("unfreezing.mtlckpt")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        try trainer(epochs: 2, checkpoint: checkpoint).fit(data.train, validation: data.validation)
        let resumed = try trainer(epochs: 6)
        try resumed.resume(from: checkpoint)
        try resumed.fit(data.train, validation: data.validation)
        #expect(resumed.model.parameters().map(\.value) == straight.model.parameters().map(\.value))
        #expect(resumed.optimizer.groups.map(\.learningRate) == straight.optimizer.groups.map(\.learningRate))
        // The trainer's schedule scales every group alike: neighbouring blocks keep the ratio ξ.
        let rates = resumed.optimizer.groups.map(\.learningRate)
        #expect(rates[3] < 0.02, "the schedule was not applied: \(rates)")
        for block in 0..<3 {
            #expect(abs(rates[block] / rates[block + 1] - ulmfitLayerDecay) <= 1e-5, "\(rates)")
        }
    }

    // MARK: The plan

    @Test("a fine-tuning plan loads the trunk, keeps the new heads, freezes as asked and builds the rate groups")
    func plan() throws {
        let data = try Self.data()
        let pretrained = Self.network(seed: 1)
        let url = Self.temporaryURL("pretrained.mtlckpt")
        defer { try? FileManager.default.removeItem(at: url) }
        try pretrained.checkpoint().write(to: url)
        let model = Self.network(seed: 2, heads: 3)
        let plan = FineTuningPlan(checkpointPath: url.path, map: try WeightNameMap(parsing: "trunk.=trunk."),
                                  strategy: .headOnly, discriminativeDecay: 0.5)
        let (_, optimizer, observers, report) = try plan.prepare(model, balancing: .equal, learningRate: 0.1, seed: 0)
        #expect(report.loaded.count == 6 && report.skipped.count == 4 && report.missing.count == 6)
        #expect(model.trunk.parameters().map(\.value) == pretrained.trunk.parameters().map(\.value))
        #expect(optimizer.groups.map(\.learningRate) == [0.0125, 0.025, 0.05, 0.1])
        #expect(observers.count == 1 && model.trunk.parameters().allSatisfy(\.isFrozen))
        #expect(model.heads.allSatisfy { $0.parameters().allSatisfy { !$0.isFrozen } })
        // A checkpoint that loads nothing, a missing file, an AdaTask balancer, another architecture: refused.
        let nothing = FineTuningPlan(checkpointPath: url.path, map: try WeightNameMap(parsing: "encoder.=trunk."))
        let absent = FineTuningPlan(checkpointPath: url.path + ".absent")
        for (refused, balancing) in [(nothing, BalancingMethod.equal), (absent, .equal), (plan, .adaTask),
                                     (plan, .gradNorm), (plan, .pcGrad), (plan, .mgda)] {
            #expect(throws: FineTuningError.self) {
                try refused.prepare(model, balancing: balancing, learningRate: 0.1, seed: 0)
            }
        }
        let stl = makeNetwork(.singleTask, tasks: data.train.tasks, inputShape: [12])
        #expect(throws: FineTuningError.self) { try plan.prepare(stl, balancing: .equal, learningRate: 0.1, seed: 0) }
        #expect(FineTuningPlan(checkpointPath: "p/seed-{seed}/best.mtlckpt").checkpointURL(seed: 3).path
                .hasSuffix("p/seed-3/best.mtlckpt"))
    }
}
