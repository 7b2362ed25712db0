// Over 300 lines: the three expert architectures share their checks (gates, equivalences, what is
// shared, training, utilization), and each check reads best beside the others.

import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Chapter 15 — architectures that learn how to share: MMoE, CGC and PLE.
@Suite("Mixtures of experts")
struct MixtureOfExpertsTests {
    static let vectorTasks = [TaskSpec(name: "a", kind: .regression(outputCount: 1)),
                              TaskSpec(name: "b", kind: .classification(classCount: 3)),
                              TaskSpec(name: "c", kind: .regression(outputCount: 2))]
    static let imageTasks = [TaskSpec(name: "a", kind: .classification(classCount: 2)),
                             TaskSpec(name: "b", kind: .multiLabel(labelCount: 3))]
    static let denseTasks = [TaskSpec(name: "segments", kind: .denseSegmentation(classCount: 3)),
                             TaskSpec(name: "depth", kind: .denseRegression(channelCount: 1))]

    /// Options for small expert networks.
    static func options(seed: UInt64 = 1, experts: Int = 3, shared: Int = 2, own: Int = 1, levels: Int = 2,
                        width: Int = 4) -> ArchitectureOptions {
        var options = ArchitectureOptions(width: width, seed: seed)
        options.expertCount = experts
        options.sharedExpertCount = shared
        options.taskExpertCount = own
        options.levelCount = levels
        return options
    }

    static let architectures: [Architecture] = [.mixtureOfExperts, .customizedGateControl,
                                                .progressiveLayeredExtraction]

    @Test("every gate's weights are a distribution per sample (≥ 0, sum 1), on vectors, images and dense scenes")
    func gatesSumToOne() {
        let cases: [([TaskSpec], [Int])] = [(Self.vectorTasks, [6]), (Self.imageTasks, [3, 8, 8]),
                                            (Self.denseTasks, [3, 8, 8])]
        for (tasks, shape) in cases {
            for architecture in Self.architectures {
                let network = makeNetwork(architecture, tasks: tasks, inputShape: shape,
                                          options: Self.options()) as! any ExpertGatedNetwork
                let x = Variable(Tensor.normal([5] + shape, seed: 2) * 3)
                let weights = network.gateWeights(x)
                #expect(weights.count == network.gateDescriptions.count, "\(architecture) \(shape)")
                for (gate, description) in zip(weights, network.gateDescriptions) {
                    #expect(gate.shape == [5, description.experts.count], "\(architecture) \(shape): \(gate.shape)")
                    #expect(gate.value.scalars.allSatisfy { $0 >= 0 }, "\(architecture) \(shape)")
                    let sums = gate.value.sum(alongAxes: [1])
                    isClose(sums, Tensor.ones([5]), rtol: 0, atol: 1e-6, "\(architecture) \(shape) row sums")
                }
                // Every task answers, alone and with the others, with the same values.
                let all = network.outputs(x).outputs
                for task in tasks.indices {
                    isClose(network(x, task: task).value, all[task].value, rtol: 1e-6, atol: 1e-6,
                            "\(architecture) \(shape) task \(task)")
                }
                #expect(network.outputs(x).sharedRepresentation == nil)
            }
        }
        // The gates' counts: MMoE T gates over n; CGC T over m_s + m_t; two-level PLE T + 1, then T.
        let ple = makeNetwork(.progressiveLayeredExtraction, tasks: Self.vectorTasks, inputShape: [6],
                              options: Self.options()) as! ProgressiveLayeredExtractionNetwork
        #expect(ple.gateDescriptions.map(\.experts.count) == [3, 3, 3, 5, 3, 3, 3])
        #expect(ple.gateDescriptions.map(\.task) == [0, 1, 2, nil, 0, 1, 2])
    }

    @Test("MMoE with one expert is the multi-head network with the same weights, output for output")
    func oneExpertIsMultiHead() {
        for (tasks, shape) in [(Self.vectorTasks, [6]), (Self.imageTasks, [3, 8, 8])] {
            let multiHead = makeNetwork(.multiHead, tasks: tasks, inputShape: shape,
                                        options: Self.options(seed: 5)) as! MultiHeadNetwork
            let mixture = makeNetwork(.mixtureOfExperts, tasks: tasks, inputShape: shape,
                                      options: Self.options(seed: 5, experts: 1)) as! MixtureOfExpertsNetwork
            // The gates draw from their own source: expert and heads start as the multi-head network's.
            let trunk = multiHead.trunk.parameters() + multiHead.heads.flatMap { $0.parameters() }
            let experts = mixture.experts[0].parameters() + mixture.heads.flatMap { $0.parameters() }
            #expect(trunk.count == experts.count)
            #expect(zip(trunk, experts).allSatisfy { $0.value == $1.value }, "\(shape): a different start")
            // Trained weights differ from initial ones: copy another network's into both to be sure.
            let other = makeNetwork(.multiHead, tasks: tasks, inputShape: shape,
                                    options: Self.options(seed: 9)) as! MultiHeadNetwork
            let source = other.trunk.parameters() + other.heads.flatMap { $0.parameters() }
            for (from, to) in zip(source, trunk) { to.assign(from.value) }
            for (from, to) in zip(source, experts) { to.assign(from.value) }
            let x = Variable(Tensor.normal([4] + shape, seed: 6))
            let expected = multiHead.outputs(x).outputs, actual = mixture.outputs(x).outputs
            for task in tasks.indices {
                #expect(actual[task].value == expected[task].value, "\(shape) task \(task): not exactly equal")
                #expect(mixture(x, task: task).value == multiHead(x, task: task).value)
            }
            #expect(mixture.gateWeights(x).allSatisfy { $0.value == Tensor.ones([4, 1]) })
        }
    }

    @Test("PLE with one level is CGC with the same weights: outputs and gates")
    func oneLevelIsCustomizedGateControl() {
        for (tasks, shape) in [(Self.vectorTasks, [6]), (Self.imageTasks, [3, 8, 8])] {
            let gateControl = makeNetwork(.customizedGateControl, tasks: tasks, inputShape: shape,
                                          options: Self.options(seed: 3)) as! CustomizedGateControlNetwork
            let layered = makeNetwork(.progressiveLayeredExtraction, tasks: tasks, inputShape: shape,
                                      options: Self.options(seed: 4, levels: 1)) as! ProgressiveLayeredExtractionNetwork
            let from = gateControl.parameters(), to = layered.parameters()
            #expect(from.map(\.shape) == to.map(\.shape), "\(shape): the networks hold different parameters")
            for (source, target) in zip(from, to) { target.assign(source.value) }
            let x = Variable(Tensor.normal([4] + shape, seed: 8))
            let expected = gateControl.outputs(x).outputs, actual = layered.outputs(x).outputs
            for task in tasks.indices {
                #expect(actual[task].value == expected[task].value, "\(shape) task \(task): not exactly equal")
            }
            #expect(zip(layered.gateWeights(x), gateControl.gateWeights(x)).allSatisfy { $0.value == $1.value })
            #expect(layered.gateDescriptions == gateControl.gateDescriptions)
            // The same parameters are shared: the shared experts, at the same positions.
            #expect(layered.sharedParameters().map { shared in to.firstIndex { $0 === shared }! }
                    == gateControl.sharedParameters().map { shared in from.firstIndex { $0 === shared }! })
        }
    }

    @Test("the gate path gradchecks: softmax gate and mixture, for [B, F] and [B, C, H, W] experts")
    func gatePathGradients() {
        for featureShape in [[4], [2, 3, 3]] {
            let gate = ExpertGate(inputCount: 5, expertCount: 3, random: RandomSource(seed: 11))
            let inputs = [Tensor.normal([2, 5], seed: 12)]
                + (0..<3).map { Tensor.normal([2] + featureShape, seed: 13 + UInt64($0)) }
            let check = gradcheck("ExpertGate + mixExperts \(featureShape)", inputs: inputs) { variables in
                mixExperts(Array(variables[1...]), weights: gate(variables[0]))
            }
            #expect(check.passed, "\(check)")
            // The gate's own parameters: ∂L/∂W and ∂L/∂b against central differences, L = Σ mix ⊙ u.
            let u = Tensor.normal([2] + featureShape, seed: 20)
            func loss() -> Double {
                let mixed = withoutGradients {
                    mixExperts(inputs[1...].map { Variable($0) }, weights: gate(Variable(inputs[0]))).value
                }
                return zip(mixed.scalars, u.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            }
            gate.zeroGradients()
            (mixExperts(inputs[1...].map { Variable($0) }, weights: gate(Variable(inputs[0]))) * u).sum().backward()
            for (name, parameter) in gate.namedParameters() {
                let analytic = parameter.grad!
                for index in 0..<parameter.value.count {
                    let original = parameter.value[flat: index], epsilon: Float = 1e-2
                    parameter.update { $0[flat: index] = original + epsilon }
                    let plus = loss()
                    parameter.update { $0[flat: index] = original - epsilon }
                    let minus = loss()
                    parameter.update { $0[flat: index] = original }
                    let numeric = (plus - minus) / (2 * Double(epsilon))
                    #expect(abs(Double(analytic[flat: index]) - numeric) <= 2e-3 + 2e-2 * abs(numeric),
                            "\(featureShape) \(name)[\(index)]: analytic \(analytic[flat: index]), numeric \(numeric)")
                }
            }
        }
    }

    /// The parameters that more than one task's loss reaches, found by differentiating each task's
    /// output alone: a parameter is reached when some entry of its gradient is not zero.
    func parametersReachedByMoreThanOneTask(_ network: MultiTaskNetwork, input: Variable) -> Set<ObjectIdentifier> {
        var reach: [ObjectIdentifier: Int] = [:]
        for task in 0..<network.taskCount {
            network.zeroGradients()
            let output = network(input, task: task)
            (output * Tensor.normal(output.shape, seed: 30 + UInt64(task))).sum().backward()
            for parameter in network.parameters() where parameter.grad?.scalars.contains(where: { $0 != 0 }) == true {
                reach[ObjectIdentifier(parameter), default: 0] += 1
            }
        }
        return Set(reach.filter { $0.value > 1 }.keys)
    }

    @Test("""
        sharedParameters() is exactly what more than one task reaches: MMoE's experts, CGC's shared experts, and \
        PLE's shared experts and gates with the task experts below the last level
        """)
    func sharedParametersAreTheSharedExperts() {
        let x = Variable(Tensor.normal([6, 3, 8, 8], seed: 21))
        let mixture = makeNetwork(.mixtureOfExperts, tasks: Self.imageTasks, inputShape: [3, 8, 8],
                                  options: Self.options()) as! MixtureOfExpertsNetwork
        let gateControl = makeNetwork(.customizedGateControl, tasks: Self.imageTasks, inputShape: [3, 8, 8],
                                      options: Self.options()) as! CustomizedGateControlNetwork
        func ids(_ parameters: [Parameter]) -> Set<ObjectIdentifier> { Set(parameters.map(ObjectIdentifier.init)) }
        #expect(ids(mixture.sharedParameters()) == ids(mixture.experts.flatMap { $0.parameters() }))
        #expect(ids(gateControl.sharedParameters()) == ids(gateControl.sharedExperts.flatMap { $0.parameters() }))
        #expect(mixture.sharedParameters().count == 3 * 6)   // 3 experts × 3 convolutions (weight, bias)
        for levels in 1...3 {
            let layered = makeNetwork(.progressiveLayeredExtraction, tasks: Self.imageTasks, inputShape: [3, 8, 8],
                                      options: Self.options(levels: levels)) as! ProgressiveLayeredExtractionNetwork
            #expect(ids(layered.sharedParameters()) == parametersReachedByMoreThanOneTask(layered, input: x),
                    "PLE with \(levels) levels")
        }
        for network in [mixture, gateControl] as [MultiTaskNetwork] {
            #expect(ids(network.sharedParameters()) == parametersReachedByMoreThanOneTask(network, input: x),
                    "\(type(of: network))")
        }
    }

    @Test("each trains on related regression: the loss falls within 40 steps, with equal weights and with MGDA-UB")
    func training() throws {
        let data = try RelatedRegression(correlation: 0.5, inputCount: 10, seed: 3).dataset(sampleCount: 96, seed: 4)
        let batch = data.batches(size: 96).first!
        for architecture in Self.architectures {
            for method in [BalancingMethod.equal, .mgdaUpperBound] {
                let network = makeNetwork(architecture, tasks: data.tasks, inputShape: [10],
                                          options: Self.options(width: 8))
                let (balancer, optimizer) = method.make(for: network, learningRate: 1e-2, seed: 0)
                let trainer = Trainer(model: network, optimizer: optimizer, balancer: balancer,
                                      configuration: .init(epochs: 1))
                let first = try trainer.trainingStep(inputs: batch.inputs, targets: batch.targets, tasks: data.tasks)
                var last = first
                for _ in 0..<40 {
                    last = try trainer.trainingStep(inputs: batch.inputs, targets: batch.targets, tasks: data.tasks)
                }
                let before = first.losses.reduce(0, +), after = last.losses.reduce(0, +)
                #expect(after < 0.7 * before, "\(architecture) \(method): loss \(before) → \(after)")
                #expect(abs(last.weights.reduce(0, +) - (method == .equal ? 2 : 1)) < 1e-4)
            }
        }
    }

    @Test("""
        the utilization recorder writes each epoch's mean gate weights into diagnostics.jsonl (each gate sums to 1) \
        and leaves training untouched
        """)
    func utilizationDiagnostics() throws {
        let splits = try RelatedRegression(correlation: 0.2, inputCount: 10, seed: 5).dataset(sampleCount: 120, seed: 6)
            .split(seed: 7)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("moe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func train(recording: Bool) throws -> (MultiTaskNetwork, ExpertUtilizationRecorder) {
            let network = makeNetwork(.progressiveLayeredExtraction, tasks: splits.train.tasks, inputShape: [10],
                                      options: Self.options(width: 6))
            let (balancer, optimizer) = BalancingMethod.equal.make(for: network, learningRate: 1e-2, seed: 0)
            let url = directory.appendingPathComponent("diagnostics-\(recording).jsonl")
            let trainer = Trainer(model: network, optimizer: optimizer, balancer: balancer,
                                  configuration: .init(epochs: 2, batchSize: 16, diagnosticsURL: url))
            let recorder = ExpertUtilizationRecorder(data: splits.validation)
            if recording { trainer.observers.append(recorder) }
            try trainer.fit(splits.train, validation: splits.validation)
            return (network, recorder)
        }
        let (recorded, recorder) = try train(recording: true)
        let (plain, _) = try train(recording: false)
        #expect(zip(recorded.parameters(), plain.parameters()).allSatisfy { $0.value == $1.value },
                "measuring the gates changed the training")
        #expect(recorder.history.map(\.epoch) == [1, 2])
        let utilization = recorder.history[1].utilization
        #expect(utilization.sampleCount == splits.validation.count)
        for weights in utilization.meanWeights {
            #expect(abs(weights.reduce(0, +) - 1) < 1e-5, "\(weights)")
        }
        let lines = try String(contentsOf: directory.appendingPathComponent("diagnostics-true.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 2)
        let line = try #require(lines.last.map(String.init))
        #expect(line.contains("\"expertUtilization\": {\"level1/task0\": {\"level1/shared.0\": "))
        #expect(line.contains("\"level1/shared\": {") && line.contains("\"level2/task1\": {"))
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let gates = try #require(parsed?["expertUtilization"] as? [String: [String: Double]])
        #expect(gates.count == utilization.gates.count)
        let unrecorded = try String(contentsOf: directory.appendingPathComponent("diagnostics-false.jsonl"),
                                    encoding: .utf8)
        #expect(!unrecorded.contains("expertUtilization"))
        // The chart: a group per expert, a series per task and one for the shared gate.
        let chart = utilization.chart(title: "t", taskNames: splits.train.tasks.map(\.name))
        #expect(chart.series.map(\.name) == ["task0", "task1", "shared gate"])
        #expect(chart.categories.count == 2 * (2 + 2 * 1))
        #expect(chart.svg().contains("level2/task1.0"))
    }

    @Test("the diagrams draw shared experts in blue, a gate per task, and PLE's shared gate")
    func diagrams() {
        let mixture = ArchitectureDiagram(.mixtureOfExperts, taskCount: 2)
        #expect(mixture.boxes.filter { $0.label.hasPrefix("expert") }.count == 3)
        #expect(mixture.boxes.filter { $0.label.hasPrefix("gate") }.count == 2)
        let layered = ArchitectureDiagram(.progressiveLayeredExtraction, taskCount: 2)
        #expect(layered.boxes.filter { $0.label == "shared gate" }.count == 1)
        #expect(layered.boxes.filter { $0.label.hasPrefix("gate") }.count == 4)
    }

    @Test("bad expert settings are described, not trapped on: no expert, too many levels, levels without sharing")
    func optionProblems() {
        func problem(_ architecture: Architecture, _ options: ArchitectureOptions, shape: [Int] = [6]) -> String? {
            expertOptionsProblem(architecture, inputShape: shape, denseOutput: false, options: options)
        }
        #expect(problem(.mixtureOfExperts, Self.options(experts: 0))?.contains("at least one expert") == true)
        #expect(problem(.customizedGateControl, Self.options(shared: 0, own: 0)) != nil)
        #expect(problem(.customizedGateControl, Self.options(shared: 0, own: 1)) == nil)
        #expect(problem(.progressiveLayeredExtraction, Self.options(levels: 3))?.contains("1...2") == true)
        #expect(problem(.progressiveLayeredExtraction, Self.options(levels: 3), shape: [3, 8, 8]) == nil)
        #expect(problem(.progressiveLayeredExtraction, Self.options(shared: 0, levels: 2))?
            .contains("shared expert") == true)
        #expect(problem(.multiHead, Self.options(experts: 0)) == nil)
    }
}
