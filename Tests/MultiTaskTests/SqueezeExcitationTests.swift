import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Chapter 09 — SE-MTL: the per-task squeeze-and-excitation gates.
@Suite("SE-MTL")
struct SqueezeExcitationTests {
    /// L = Σ gate(x, task) ⊙ u for a fixed u, in Double.
    func projectedLoss(_ gate: TaskSqueezeExcitation, _ x: Tensor, task: Int, _ u: Tensor) -> Double {
        let output = withoutGradients { gate(Variable(x), task: task).value }
        return zip(output.scalars, u.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    @Test("the gate's gradients (input and every parameter) match central differences, for [B, C, H, W] and [B, C]")
    func gradients() {
        for shape in [[3, 40, 4, 4], [5, 40]] {
            // Central differences are exact only away from the hidden ReLU's kink: the first seed whose
            // hidden pre-activations all lie farther than 0.1 from 0 (ε moves them by far less).
            let (gate, x) = (1...100).lazy.map { seed in
                (TaskSqueezeExcitation(channelCount: 40, taskCount: 2, random: RandomSource(seed: UInt64(seed))),
                 Tensor.normal(shape, seed: UInt64(seed) + 1000))
            }.first { gate, x in
                let squeezed = shape.count == 4 ? Variable(x).mean(alongAxes: [2, 3]) : Variable(x)
                return gate.excitations[1].layers[0](squeezed).value.scalars.allSatisfy { abs($0) > 0.1 }
            }!
            let inputCheck = gradcheck("TaskSqueezeExcitation \(shape)", inputs: [x]) { gate($0[0], task: 1) }
            #expect(inputCheck.passed, "\(inputCheck)")
            // The parameters: analytic ∂L/∂θ against (L(θ + ε) − L(θ − ε)) / 2ε, a few entries of each.
            let u = Tensor.normal(shape, seed: 3)
            gate.zeroGradients()
            (gate(Variable(x), task: 1) * u).sum().backward()
            for (name, parameter) in gate.namedParameters() where name.hasPrefix("excitations.1.") {
                let analytic = parameter.grad!
                for index in stride(from: 0, to: parameter.value.count, by: max(1, parameter.value.count / 5)) {
                    let original = parameter.value[flat: index]
                    let epsilon: Float = 1e-2
                    parameter.update { $0[flat: index] = original + epsilon }
                    let plus = projectedLoss(gate, x, task: 1, u)
                    parameter.update { $0[flat: index] = original - epsilon }
                    let minus = projectedLoss(gate, x, task: 1, u)
                    parameter.update { $0[flat: index] = original }
                    let numeric = (plus - minus) / (2 * Double(epsilon))
                    #expect(abs(Double(analytic[flat: index]) - numeric) <= 2e-3 + 2e-2 * abs(numeric),
                            "\(shape) \(name)[\(index)]: analytic \(analytic[flat: index]), numeric \(numeric)")
                }
            }
        }
    }

    @Test("each task has its own gate: other tasks' gates get no gradient, outputs differ by task, gates ∈ (0, 1)")
    func gatesArePerTask() {
        let gate = TaskSqueezeExcitation(channelCount: 32, taskCount: 3, random: RandomSource(seed: 4))
        #expect(gate.excitations.count == 3)
        #expect(gate.namedParameters().map(\.name).contains("excitations.2.layers.2.weight"))
        // Reduction 16: 32 channels → 2 hidden units.
        #expect((gate.excitations[0].layers[0] as! Linear).outputCount == 2)
        var generator = SeededGenerator(seed: 5)
        let x = Variable(Tensor.uniform([2, 32, 3, 3], low: 0.1, high: 1, using: &generator))
        gate.zeroGradients()
        gate(x, task: 0).sum().backward()
        for (name, parameter) in gate.namedParameters() {
            let moved = parameter.grad.map { $0.scalars.contains { $0 != 0 } } ?? false
            #expect(moved == name.hasPrefix("excitations.0."), "\(name)")
        }
        let outputs = (0..<3).map { gate(x, task: $0).value }
        #expect(outputs[0] != outputs[1] && outputs[1] != outputs[2])
        // h_t = s ⊙ h with s ∈ (0, 1): every output is a shrunk copy of its input.
        let ratios = zip(outputs[0].scalars, x.value.scalars).map { $0 / $1 }
        #expect(ratios.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test("SE-MTL trains through the trainer on every backbone; the gates are task-specific, the trunk shared")
    func network() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 96, seed: 6).selectingTasks([0, 1, 2])
            .split(seed: 7)
        for backbone in Backbone.allCases {
            var options = ArchitectureOptions(width: 8, seed: 8)
            options.backbone = backbone
            options.batchNormalization = true
            let model = makeNetwork(.squeezeExcitation, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                    options: options) as! SqueezeExcitationNetwork
            let gateCount = maskedUnitCounts(inputShape: data.train.inputShape, denseOutput: false, width: 8,
                                             backbone: backbone).count
            #expect(model.trunk.routedLayers.count == gateCount)
            let shared = Set(model.sharedParameters().map(ObjectIdentifier.init))
            let gateParameters = model.trunk.routedLayers.flatMap { $0.parameters() }
            #expect(!gateParameters.isEmpty && gateParameters.allSatisfy { !shared.contains(ObjectIdentifier($0)) })
            #expect(shared.count + gateParameters.count + model.heads.flatMap { $0.parameters() }.count
                    == model.parameters().count)
            let trainer = Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-2),
                                  configuration: .init(epochs: 2, batchSize: 32, seed: 9,
                                                       mode: defaultTrainingMode(for: .squeezeExcitation),
                                                       showsProgress: false))
            let history = try trainer.fit(data.train)
            #expect(history[1].trainLosses.reduce(0, +) < history[0].trainLosses.reduce(0, +), "\(backbone)")
            // Paired comparisons: the same seed gives SE-MTL the masked networks' initial trunk and heads
            // (the gates draw from their own random sources).
            let partitioned = makeNetwork(.fixedPartitioning, tasks: data.train.tasks,
                                          inputShape: data.train.inputShape, options: options)
            let fresh = makeNetwork(.squeezeExcitation, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                    options: options)
            let weights = Dictionary(uniqueKeysWithValues: partitioned.namedParameters().map {
                ($0.name, $0.parameter.value)
            })
            let common = fresh.namedParameters().filter { !$0.name.contains("excitations") }
            #expect(!common.isEmpty && common.allSatisfy { weights[$0.name] == $0.parameter.value }, "\(backbone)")
        }
    }
}
