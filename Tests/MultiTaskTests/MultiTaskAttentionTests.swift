import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// MTAN (Liu et al., CVPR 2019): the per-task attention modules and the network around them.
@Suite("MTAN")
struct MultiTaskAttentionTests {
    /// L = Σ module(x) ⊙ u for a fixed u, in Double.
    func projectedLoss(_ module: Module, _ x: Tensor, _ u: Tensor) -> Double {
        let output = withoutGradients { module(Variable(x)).value }
        return zip(output.scalars, u.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test("an attention module's gradients (input, every parameter) match central differences, images and vectors")
    func attentionGradients() {
        for shape in [[2, 6, 2, 2], [4, 6]] {
            // Central differences are exact only away from the hidden ReLU's kink: the first seed whose
            // normalized hidden values all lie farther than 0.1 from 0 (ε moves them by far less).
            let (module, x) = (1...200).lazy.map { seed in
                (TaskAttention(inputChannels: 6, channelCount: 2, spatial: shape.count == 4,
                               random: RandomSource(seed: UInt64(seed))),
                 Tensor.normal(shape, seed: UInt64(seed) + 1000))
            }.first { module, x in
                let hidden = withoutGradients { module.layers.layers[1](module.layers.layers[0](Variable(x))).value }
                return hidden.scalars.allSatisfy { abs($0) > 0.1 }
            }!
            let inputCheck = gradcheck("TaskAttention \(shape)", inputs: [x]) { module($0[0]) }
            #expect(inputCheck.passed, "\(inputCheck)")
            // The parameters (both pointwise layers and both normalizations' γ, β): every entry.
            let u = Tensor.normal(module(Variable(x)).shape, seed: 3)
            module.zeroGradients()
            (module(Variable(x)) * u).sum().backward()
            #expect(module.namedParameters().count == 6)
            for (name, parameter) in module.namedParameters() {
                let analytic = parameter.grad!
                for index in 0..<parameter.value.count {
                    let original = parameter.value[flat: index]
                    let epsilon: Float = 1e-2
                    parameter.update { $0[flat: index] = original + epsilon }
                    let plus = projectedLoss(module, x, u)
                    parameter.update { $0[flat: index] = original - epsilon }
                    let minus = projectedLoss(module, x, u)
                    parameter.update { $0[flat: index] = original }
                    let numeric = (plus - minus) / (2 * Double(epsilon))
                    #expect(abs(Double(analytic[flat: index]) - numeric) <= 2e-3 + 2e-2 * abs(numeric),
                            "\(shape) \(name)[\(index)]: analytic \(analytic[flat: index]), numeric \(numeric)")
                }
            }
        }
    }

    /// A small MTAN for `data`'s tasks on the standard backbone.
    func network(_ tasks: [TaskSpec], inputShape: [Int], backbone: Backbone = .plain,
                 seed: UInt64 = 8) -> MultiTaskAttentionNetwork {
        var options = ArchitectureOptions(width: 4, seed: seed)
        options.backbone = backbone
        return makeNetwork(.multiTaskAttention, tasks: tasks, inputShape: inputShape, options: options)
            as! MultiTaskAttentionNetwork
    }

    /// Own parameters, no gradient from other tasks' losses, and task 1's weights changed leave the
    /// other tasks' outputs bit for bit.
    @Test("the attention modules are per task")
    func attentionIsPerTask() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 8, seed: 1).selectingTasks([0, 1, 2])
        let model = network(data.tasks, inputShape: data.inputShape)
        #expect(model.attentions.count == 3 && model.attentions.allSatisfy { $0.count == 3 })
        let owners = model.attentions.map { Set($0.flatMap { $0.parameters() }.map(ObjectIdentifier.init)) }
        #expect(owners[0].isDisjoint(with: owners[1]) && owners[1].isDisjoint(with: owners[2]))
        let x = Variable(data.inputs)
        model.zeroGradients()
        model(x, task: 0).sum().backward()
        for (task, modules) in model.attentions.enumerated() {
            for parameter in modules.flatMap({ $0.parameters() }) {
                let moved = parameter.grad.map { $0.scalars.contains { $0 != 0 } } ?? false
                #expect(moved == (task == 0), "task \(task)'s attention")
            }
        }
        let before = (0..<3).map { task in withoutGradients { model(x, task: task).value } }
        for parameter in model.attentions[1].flatMap({ $0.parameters() }) { parameter.update { $0 = $0 * 1.5 + 0.1 } }
        let after = (0..<3).map { task in withoutGradients { model(x, task: task).value } }
        #expect(after[0] == before[0] && after[2] == before[2])
        #expect(after[1] != before[1])
    }

    /// Classification, dense and vector data on both backbones.
    @Test("masks lie in (0, 1) shaped as their stage; outputs(x) equals the per-task answers, shaped right")
    func shapesAndMasks() throws {
        let shapes = try AttributeShapes(imageSize: 16).dataset(sampleCount: 6, seed: 2).selectingTasks([0, 1])
        let scenes = try DenseScenes(imageSize: 16).dataset(sampleCount: 6, seed: 3)
        let regression = try RelatedRegression(correlation: 0.5, inputCount: 10, seed: 4).dataset(sampleCount: 6,
                                                                                                    seed: 5)
        for data in [shapes, scenes, regression] {
            for backbone in Backbone.allCases {
                let model = network(data.tasks, inputShape: data.inputShape, backbone: backbone)
                let x = Variable(data.inputs)
                let features = model.sharedFeatures(x)
                #expect(features.count == model.stages.count && model.featureExtractors.count == features.count - 1)
                let outputs = model.outputs(x)
                #expect(outputs.sharedRepresentation == nil)  // the tasks read every stage: no Z
                for task in data.tasks.indices {
                    let masks = model.attentionMasks(x, task: task)
                    #expect(masks.map(\.shape) == features.map(\.shape), "\(data.tasks[task].name) \(backbone)")
                    #expect(masks.allSatisfy { $0.value.scalars.allSatisfy { $0 > 0 && $0 < 1 } })
                    let spec = data.tasks[task]
                    let expected = spec.kind.isDense ? [6, spec.outputCount] + Array(data.inputShape.suffix(2))
                        : [6, spec.outputCount]
                    #expect(outputs.outputs[task].shape == expected, "\(spec.name) \(backbone)")
                    #expect(outputs.outputs[task].value == model(x, task: task).value, "\(spec.name) \(backbone)")
                }
            }
        }
        // Three stages on the plain image trunks (attention before each pooling), two on the MLP.
        #expect(network(shapes.tasks, inputShape: shapes.inputShape).stages.count == 3)
        #expect(network(scenes.tasks, inputShape: scenes.inputShape).stages.count == 3)
        #expect(network(regression.tasks, inputShape: regression.inputShape).stages.count == 2)
        #expect(network(shapes.tasks, inputShape: shapes.inputShape, backbone: .residual).stages.count == 4)
    }

    @Test("θ_sh is the trunk alone; the trunk and heads start from the multi-head network's weights of the seed")
    func sharedParameters() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 4, seed: 6).selectingTasks([0, 1, 2])
        let model = network(data.tasks, inputShape: data.inputShape)
        let shared = model.sharedParameters().map(ObjectIdentifier.init)
        let trunk = model.stages.flatMap { $0.parameters() }.map(ObjectIdentifier.init)
        #expect(shared == trunk && !shared.isEmpty)
        let attention = model.attentions.joined().flatMap { $0.parameters() }
        let extractors = model.featureExtractors.flatMap { $0.parameters() }
        let heads = model.heads.flatMap { $0.parameters() }
        let sharedSet = Set(shared)
        #expect((attention + extractors + heads).allSatisfy { !sharedSet.contains(ObjectIdentifier($0)) })
        #expect(shared.count + attention.count + extractors.count + heads.count == model.parameters().count)
        let multiHead = makeNetwork(.multiHead, tasks: data.tasks, inputShape: data.inputShape,
                                    options: ArchitectureOptions(width: 4, seed: 8)) as! MultiHeadNetwork
        #expect(multiHead.trunk.parameters().map(\.value) == model.sharedParameters().map(\.value))
        #expect(multiHead.heads.flatMap { $0.parameters() }.map(\.value) == heads.map(\.value))
    }

    @Test("MTAN trains through the trainer (equal weights and DWA, classification and dense): the loss falls")
    func trains() throws {
        let shapes = try AttributeShapes(imageSize: 16).dataset(sampleCount: 96, seed: 6).selectingTasks([0, 1, 2])
        let scenes = try DenseScenes(imageSize: 16).dataset(sampleCount: 48, seed: 7)
        for (data, method) in [(shapes, BalancingMethod.equal), (shapes, .dynamicWeightAverage), (scenes, .equal)] {
            let model = makeNetwork(.multiTaskAttention, tasks: data.tasks, inputShape: data.inputShape,
                                    options: ArchitectureOptions(width: 8, seed: 8))
            let (balancer, optimizer) = method.make(for: model, learningRate: 1e-2, seed: 8)
            let trainer = Trainer(model: model, optimizer: optimizer, balancer: balancer,
                                  configuration: .init(epochs: 3, batchSize: 16, seed: 9, showsProgress: false))
            let history = try trainer.fit(data)
            let first = history[0].trainLosses.reduce(0, +), last = history[2].trainLosses.reduce(0, +)
            #expect(last < first, "\(data.tasks.map(\.name)) \(method): \(first) → \(last)")
        }
    }
}
