import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import MultiTask
import TestSupport

/// Chapters 06–08 — the sharing architectures.
@Suite("Sharing architectures")
struct SharingTests {
    @Test("additive conditioning equals concatenation followed by a linear layer")
    func additiveEqualsConcatenation() {
        let random = RandomSource(seed: 1)
        let x = Variable(Tensor.normal([5, 4], seed: 2))
        let descriptor = TaskDescriptor(kind: .oneHot, taskCount: 3)
        // Concatenation: Linear([x; z_t]) with W = [W_x; W_z].
        let concatenated = TaskConditionedNetwork(encoder: Identity(),
                                                  conditioning: ConcatenationConditioning(descriptor: descriptor),
                                                  decoder: Linear(inputCount: 7, outputCount: 2, random: random))
        let joint = (concatenated.decoder as! Linear)
        // Additive: Linear(x) with W_x, then + z_t W_z.
        let linear = Linear(inputCount: 4, outputCount: 2, random: random)
        linear.weight.assign(joint.weight.value.sliced(0..<4))
        linear.bias!.assign(joint.bias!.value)
        let additive = AdditiveConditioning(featureCount: 2, descriptor: descriptor)
        additive.weight.assign(joint.weight.value.sliced(4..<7))
        let additiveNetwork = TaskConditionedNetwork(encoder: linear, conditioning: additive, decoder: Identity())
        for task in 0..<3 {
            isClose(additiveNetwork(x, task: task).value, concatenated(x, task: task).value, rtol: 1e-5, atol: 1e-6,
                    "task \(task)")
        }
    }

    @Test("conditioning layers on feature maps: shapes, FiLM starts as the identity, gates halve")
    func conditioningOnFeatureMaps() {
        let features = Variable(Tensor.normal([2, 3, 4, 4], seed: 3))
        let oneHot = TaskDescriptor(kind: .oneHot, taskCount: 2)
        let embedded = TaskDescriptor(kind: .embedding(dimension: 5), taskCount: 2, random: RandomSource(seed: 4))
        #expect(ConcatenationConditioning(descriptor: embedded)(features, task: 1).shape == [2, 8, 4, 4])
        #expect(FiLM(featureCount: 3, descriptor: embedded)(features, task: 0).value == features.value)
        let gates = MultiplicativeConditioning(featureCount: 3, descriptor: oneHot)
        gates.gate.weight.assign(Tensor.zeros([2, 3]))
        gates.gate.bias!.assign(Tensor.zeros([3]))
        isClose(gates(features, task: 1).value, features.value * 0.5)
        let additive = AdditiveConditioning(featureCount: 3, descriptor: oneHot)
        additive.weight.assign(Tensor([[1, 2, 3], [4, 5, 6]]))
        let shifted = additive(features, task: 1).value - features.value
        isClose(shifted.mean(alongAxes: [0, 2, 3]), Tensor([4, 5, 6]), rtol: 1e-5, atol: 1e-5)
    }

    @Test("""
        every architecture exposes all its parameters to the optimizer (regression: cross-stitch columns were missing)
        """)
    func everyParameterIsFound() {
        let tasks = [TaskSpec(name: "a", kind: .regression(outputCount: 1)),
                     TaskSpec(name: "b", kind: .regression(outputCount: 1))]
        for architecture in Architecture.allCases {
            let model = makeNetwork(architecture, tasks: tasks, inputShape: [6],
                                    options: ArchitectureOptions(width: 4, seed: 1))
            let found = Set(model.parameters().map(ObjectIdentifier.init))
            // Every Linear layer reachable by walking the module tree must have its weight listed.
            for (name, module) in model.namedModules() {
                if let linear = module as? Linear {
                    #expect(found.contains(ObjectIdentifier(linear.weight)), "\(architecture.rawValue): \(name)")
                }
            }
            // And the parameter count matches the layers' sizes: 2 tasks × 2 hidden layers at least.
            #expect(model.parameterCount >= 6 * 4 + 4 + 4 * 4 + 4, "\(architecture.rawValue): \(model.parameterCount)")
        }
        let crossStitch = makeNetwork(.crossStitch, tasks: tasks, inputShape: [6],
                                      options: ArchitectureOptions(width: 4, seed: 1))
        // Two columns of two Linear(6→4)/(4→4) blocks, two heads (4→1), one 2×2 stitch.
        #expect(crossStitch.parameterCount == 2 * (6 * 4 + 4 + 4 * 4 + 4) + 2 * (4 + 1) + 4)
    }

    @Test("""
        soft sharing couples the columns, not the heads: tasks with different output sizes build and train (regression)
        """)
    func softSharingHeads() {
        // Before the fix, makeNetwork put each head inside its column, and columns with heads of
        // 3 and 5 outputs failed the "columns alike" check.
        let tasks = [TaskSpec(name: "a", kind: .classification(classCount: 3)),
                     TaskSpec(name: "b", kind: .classification(classCount: 5))]
        let network = makeNetwork(.softSharing, tasks: tasks, inputShape: [3, 16, 16],
                                  options: ArchitectureOptions(width: 4, couplingStrength: 1, seed: 1))
        let x = Variable(Tensor.normal([2, 3, 16, 16], seed: 3))
        #expect(network(x, task: 0).shape == [2, 3] && network(x, task: 1).shape == [2, 5])
        let soft = network as! SoftSharingNetwork
        var expected: Float = 0
        for (a, b) in zip(soft.columns[0].parameters(), soft.columns[1].parameters()) {
            expected += (a.value - b.value).squared().sum().scalar
        }
        #expect(isClose([soft.couplingPenalty()!.value.scalar], [expected], rtol: 1e-5))
        let headGradients = gradients(of: soft.couplingPenalty()!, wrt: soft.heads.flatMap { $0.parameters() })
        #expect(headGradients.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
    }

    @Test("soft sharing with λ = 0 trains exactly as independent networks; λ > 0 pulls the columns together")
    func softSharing() {
        func column(_ seed: UInt64) -> (Int) -> Module {
            { task in
                let random = RandomSource(seed: seed &+ UInt64(task))
                return Sequential(Linear(inputCount: 3, outputCount: 8, random: random), Tanh(),
                                  Linear(inputCount: 8, outputCount: 1, random: random))
            }
        }
        let soft = SoftSharingNetwork(taskCount: 2, couplingStrength: 0, makeColumn: column(10))
        let independent = IndependentNetworks(taskCount: 2, makeNetwork: column(10))
        let coupled = SoftSharingNetwork(taskCount: 2, couplingStrength: 1, makeColumn: column(10))
        let x = Tensor.normal([16, 3], seed: 5)
        let targets = [Tensor.normal([16, 1], seed: 6), Tensor.normal([16, 1], seed: 7)]
        func distance(_ network: MultiTaskNetwork, _ columns: [Module]) -> Float {
            zip(columns[0].parameters(), columns[1].parameters()).map { ($0.value - $1.value).squared().sum().scalar }
                .reduce(0, +)
        }
        let initialDistance = distance(coupled, coupled.columns)
        for network in [soft, independent, coupled] as [MultiTaskNetwork] {
            let optimizer = SGD(parameters: network.parameters(), learningRate: 0.05)
            for _ in 0..<20 {
                network.zeroGradients()
                var loss = meanSquaredError(prediction: network(Variable(x), task: 0), target: targets[0])
                    + meanSquaredError(prediction: network(Variable(x), task: 1), target: targets[1])
                if let penalty = network.regularizationLoss() { loss = loss + penalty }
                loss.backward()
                optimizer.step()
            }
        }
        for (a, b) in zip(soft.parameters(), independent.parameters()) { #expect(a.value == b.value) }
        #expect(distance(coupled, coupled.columns) < 0.5 * initialDistance)
    }

    @Test("multi-head: the trunk runs once for all tasks and Z is returned; STL shares nothing")
    func multiHead() {
        let random = RandomSource(seed: 8)
        let network = MultiHeadNetwork(trunk: Sequential(Linear(inputCount: 4, outputCount: 6, random: random), ReLU()),
                                       heads: [Linear(inputCount: 6, outputCount: 2, random: random),
                                               Linear(inputCount: 6, outputCount: 1, random: random)])
        let x = Variable(Tensor.normal([3, 4], seed: 9))
        let outputs = network.outputs(x)
        #expect(outputs.outputs.map(\.shape) == [[3, 2], [3, 1]] && outputs.sharedRepresentation?.shape == [3, 6])
        #expect(outputs.outputs[1].value == network(x, task: 1).value)
        #expect(network.sharedParameters().count == 2)
        #expect(network.namedParameters().map(\.name).contains("heads.1.bias"))
        let stl = IndependentNetworks(taskCount: 2) { _ in Linear(inputCount: 4, outputCount: 1, random: random) }
        #expect(stl.sharedParameters().isEmpty && stl.outputs(x).sharedRepresentation == nil)
    }

    @Test("cross-stitch: α starts at 0.9 / 0.1/(T−1); α = I makes the columns independent")
    func crossStitch() {
        let random = RandomSource(seed: 11)
        let network = CrossStitchNetwork(taskCount: 3, stageCount: 2,
                                         makeStage: { _, stage in Linear(inputCount: stage == 0 ? 4 : 5, outputCount: 5,
                                                                         random: random) },
                                         makeHead: { _ in Linear(inputCount: 5, outputCount: 1, random: random) })
        #expect(network.stitches.count == 1)
        isClose(network.stitches[0].value, Tensor([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]]))
        network.stitches[0].assign(Tensor.eye(3))
        let x = Variable(Tensor.normal([2, 4], seed: 12))
        for task in 0..<3 {
            let alone = network.heads[task](network.columns[task][1](network.columns[task][0](x)))
            isClose(network(x, task: task).value, alone.value)
        }
        // α receives gradients.
        let loss = network.outputs(x).outputs.map { $0.sum() }.reduce(Variable(Tensor(0))) { $0 + $1 }
        #expect(gradients(of: loss, wrt: [network.stitches[0]])[0].abs().sum().scalar > 0)
    }
}
