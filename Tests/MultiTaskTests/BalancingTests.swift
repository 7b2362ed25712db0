import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

// Over 300 lines: one suite for the chapters' twelve methods, each checked beside the others.

/// The balancers: their formulas on hand-made losses, GradNorm's convergence, AdaTask against
/// Adam, and every method through the trainer (learning, resuming, diagnostics).
@Suite("Balancing")
struct BalancingTests {
    func multiHead(seed: UInt64, inputCount: Int = 20, taskCount: Int = 2, width: Int = 32) -> MultiHeadNetwork {
        let random = RandomSource(seed: seed)
        return MultiHeadNetwork(trunk: Sequential([Linear(inputCount: inputCount, outputCount: width, random: random),
                                                   ReLU(),
                                                   Linear(inputCount: width, outputCount: width, random: random),
                                                   ReLU()]),
                                heads: (0..<taskCount).map { _ in Linear(inputCount: width, outputCount: 1,
                                                                         random: random) })
    }

    /// Related regression with task 0's targets scaled by `scale` (its loss by scale²).
    func unequalScales(scale: Float, sampleCount: Int = 2000) throws -> DatasetSplits<MultiTaskDataset> {
        var data = try RelatedRegression(correlation: 0.5, inputCount: 20, seed: 1).dataset(sampleCount: sampleCount,
                                                                                            seed: 2)
        data.targets[0] = data.targets[0] * scale
        return data.split(seed: 3)
    }

    /// A context over a model for losses given as leaf variables.
    func context(_ model: MultiTaskNetwork, tasks: [Int], step: Int = 0) -> BalancingContext {
        BalancingContext(model: model, tasks: tasks, sharedParameters: model.sharedParameters(),
                         sharedRepresentation: nil, regularization: nil, step: step, epoch: 0)
    }

    func leafLosses(_ values: [Float]) -> [Variable] { values.map { Variable(Tensor($0), requiresGradient: true) } }

    @Test("uncertainty weighting: weights 1/(2e^s), s starts at −0.5 and moves against ∂L/∂s = −L/(2e^s) + ½")
    func uncertainty() {
        let model = multiHead(seed: 1)
        let balancer = UncertaintyWeighting(taskCount: 2, learningRate: 0.01)
        let losses = leafLosses([3, 0.1])
        let weights = balancer.backward(losses: losses, context: context(model, tasks: [0, 1]))
        let expected = 0.5 * Foundation.exp(Float(0.5))
        #expect(isClose(weights, [expected, expected]))
        #expect(isClose(losses.map { $0.grad!.scalar }, [expected, expected]))
        // First Adam step moves each s by the learning rate against the sign of its gradient:
        // task 0: −3·0.824 + 0.5 < 0 → s rises; task 1: −0.1·0.824 + 0.5 > 0 → s falls.
        #expect(isClose(balancer.currentLogVariances, [-0.49, -0.51], atol: 1e-6))
    }

    @Test("DWA: weights 1 for two epochs, then T·softmax(r/τ) of the loss ratios, summing to T")
    func dynamicWeightAverage() throws {
        let balancer = DynamicWeightAverage(taskCount: 3)
        #expect(balancer.currentWeights == [1, 1, 1])
        balancer.epochDidEnd(meanLosses: [1, 2, 4])
        #expect(balancer.currentWeights == [1, 1, 1])
        balancer.epochDidEnd(meanLosses: [0.5, 2, 2])
        let ratios: [Float] = [0.5 / 2, 1 / 2, 0.5 / 2]
        let exponentials = ratios.map { Foundation.exp($0) }
        let sum = exponentials.reduce(0, +)
        #expect(isClose(balancer.currentWeights, exponentials.map { 3 * $0 / sum }))
        #expect(Swift.abs(balancer.currentWeights.reduce(0, +) - 3) < 1e-5)
        // The slower task (1, loss flat) gets the most weight.
        #expect(balancer.currentWeights[1] > balancer.currentWeights[0])
        // Its state round-trips.
        let copy = DynamicWeightAverage(taskCount: 3)
        try copy.restoreState(balancer.state)
        #expect(copy.currentWeights == balancer.currentWeights)
    }

    @Test("RLW: softmax of normal draws — on the simplex, fixed per step, different across steps")
    func randomLossWeighting() {
        let balancer = RandomLossWeighting(seed: 3)
        let first = balancer.weights(step: 5, count: 4)
        #expect(Swift.abs(first.reduce(0, +) - 1) < 1e-6 && first.allSatisfy { $0 > 0 })
        #expect(first == RandomLossWeighting(seed: 3).weights(step: 5, count: 4))
        #expect(first != balancer.weights(step: 6, count: 4))
    }

    @Test("GLS: the geometric mean of the losses, with implicit weights L/(T·L_t)")
    func geometricLossStrategy() {
        let model = multiHead(seed: 1)
        let losses = leafLosses([2, 8])
        let weights = GeometricLossStrategy().backward(losses: losses, context: context(model, tasks: [0, 1]))
        // L = √16 = 4; ∂L/∂L_0 = 4 / (2·2) = 1, ∂L/∂L_1 = 4 / (2·8) = 0.25.
        #expect(isClose(weights, [1, 0.25]))
        #expect(isClose(losses.map { $0.grad!.scalar }, [1, 0.25]))
    }

    @Test("unitary scalarization: Σ L_t plus (λ/2)‖W‖² on weight matrices, none on biases")
    func unitaryScalarization() {
        let model = multiHead(seed: 1)
        let losses = leafLosses([1, 2])
        _ = UnitaryScalarization(weightDecay: 0.1).backward(losses: losses, context: context(model, tasks: [0, 1]))
        #expect(losses.map { $0.grad!.scalar } == [1, 1])
        for (name, parameter) in model.namedParameters() {
            if parameter.rank >= 2 {
                #expect(isClose(parameter.grad!, parameter.value * 0.1), "\(name)")
            } else {
                #expect(parameter.grad == nil || parameter.grad!.scalars.allSatisfy { $0 == 0 }, "\(name)")
            }
        }
    }

    @Test("GradNorm: gradient norms approach the target ratio on unequal loss scales; weights always sum to T")
    func gradNorm() throws {
        let data = try unequalScales(scale: 10)
        let model = multiHead(seed: 2)
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        let balancer = GradNorm(taskCount: 2, alpha: 1.5, learningRate: 0.025)
        var norms: [[Float]] = [], targets: [[Float]] = []
        var step = 0
        for epoch in 0..<20 {
            for batch in data.train.batches(size: 32, shuffleSeed: UInt64(epoch)) {
                model.zeroGradients()
                let outputs = model.outputs(Variable(batch.inputs))
                let losses = (0..<2).map {
                    meanSquaredError(prediction: outputs.outputs[$0], target: batch.targets[$0])
                }
                let used = balancer.backward(losses: losses, context: BalancingContext(
                    model: model, tasks: [0, 1], sharedParameters: model.sharedParameters(), sharedRepresentation: nil,
                    regularization: nil, step: step, epoch: epoch))
                optimizer.step()
                #expect(Swift.abs(used.reduce(0, +) - 2) < 1e-4
                        && Swift.abs(balancer.currentWeights.reduce(0, +) - 2) < 1e-4)
                norms.append(balancer.lastGradientNorms)
                targets.append(balancer.lastTargets)
                step += 1
            }
        }
        // |log(G_0/G_1) − log(target_0/target_1)| over windows of steps (sums over the window, since
        // single batches are noisy).
        func logRatioGap(_ range: Range<Int>) -> Float {
            let sums = { (rows: [[Float]], task: Int) in range.reduce(Float(0)) { $0 + rows[$1][task] } }
            return Swift.abs(Foundation.log(sums(norms, 0) / sums(norms, 1))
                             - Foundation.log(sums(targets, 0) / sums(targets, 1)))
        }
        let first = logRatioGap(0..<1), late = logRatioGap((norms.count - 200)..<norms.count)
        print("GradNorm log-ratio gap: first step \(first), last 200 steps \(late); weights \(balancer.currentWeights)")
        #expect(first > 2, "at the start the loss scales differ 100×: gap \(first)")
        #expect(late < 0.2,
                "log-ratio gap of the gradient norms to their targets: first step \(first), last 200 steps \(late)")
        // The small-loss task is up-weighted.
        #expect(balancer.currentWeights[1] > balancer.currentWeights[0])
    }

    @Test("AdaTask with one task is exactly Adam (Adam, RMSProp and AdaGrad rules)")
    func adaTaskSingleTaskIsAdam() throws {
        let data = try unequalScales(scale: 1, sampleCount: 400).train.selectingTasks([0])
        let rules: [(AdaTask.Rule, ([Parameter]) -> Optimizer)] = [
            (.adam(), { Adam(parameters: $0, learningRate: 1e-2) }),
            (.rmsProp(), { RMSProp(parameters: $0, learningRate: 1e-2) }),
            (.adaGrad(), { AdaGrad(parameters: $0, learningRate: 1e-2) }),
        ]
        for (rule, makePlain) in rules {
            let plainModel = multiHead(seed: 5, taskCount: 1), adaModel = multiHead(seed: 5, taskCount: 1)
            let adaTask = AdaTask(model: adaModel, learningRate: 1e-2, rule: rule)
            let plain = Trainer(model: plainModel, optimizer: makePlain(plainModel.parameters()),
                                configuration: .init(epochs: 2, batchSize: 32, seed: 1, showsProgress: false))
            let ada = Trainer(model: adaModel, optimizer: adaTask, balancer: adaTask,
                              configuration: .init(epochs: 2, batchSize: 32, seed: 1, showsProgress: false))
            try plain.fit(data)
            try ada.fit(data)
            for (a, b) in zip(plainModel.namedParameters(), adaModel.namedParameters()) {
                #expect(a.parameter.value.scalars == b.parameter.value.scalars, "\(rule): \(a.name) differs")
            }
        }
    }

    /// The per-layer dominance after training two tasks whose loss scales differ 100×.
    func dominance(separatesTasks: Bool) throws -> [AdaTask.LayerDominance] {
        let data = try unequalScales(scale: 10)
        let model = multiHead(seed: 6)
        let adaTask = AdaTask(model: model, learningRate: 1e-3, separatesTasks: separatesTasks)
        let trainer = Trainer(model: model, optimizer: adaTask, balancer: adaTask,
                              configuration: .init(epochs: 3, batchSize: 32, seed: 2, showsProgress: false))
        try trainer.fit(data.train)
        return adaTask.dominance()
    }

    @Test("AU dominance: with Adam the large-loss task dominates the shared layers; AdaTask balances them")
    func adaTaskDominance() throws {
        let adam = try dominance(separatesTasks: false), adaTask = try dominance(separatesTasks: true)
        #expect(adam.count == 4 && adaTask.count == 4)  // two shared Linear layers: weight and bias each
        for (plain, separated) in zip(adam, adaTask) {
            print("AU dominance \(plain.name): Adam \(plain.dominatedCounts) (largest \(plain.largestFraction)), "
                  + "AdaTask \(separated.dominatedCounts) (largest \(separated.largestFraction))")
            #expect(plain.dominatedCounts[0] > plain.dominatedCounts[1],
                    "\(plain.name): under Adam task 0 (100× loss) dominates")
            #expect(separated.largestFraction < plain.largestFraction, "\(plain.name)")
        }
        // Over all shared scalars: the fraction dominated by the large-loss task.
        func fraction(_ layers: [AdaTask.LayerDominance]) -> Double {
            Double(layers.reduce(0) { $0 + $1.dominatedCounts[0] })
                / Double(layers.reduce(0) { $0 + $1.dominatedCounts.reduce(0, +) })
        }
        print("AU dominance overall: task 0 dominates \(fraction(adam)) of the shared scalars under Adam, "
              + "\(fraction(adaTask)) under AdaTask; mean AU share of task 0: Adam \(adam.map { $0.meanShares[0] }), "
              + "AdaTask \(adaTask.map { $0.meanShares[0] })")
        #expect(fraction(adam) > 0.95 && fraction(adaTask) < fraction(adam) - 0.1)
    }

    /// Every balancer the package has, by name, for a model with `taskCount` tasks.
    func everyBalancer(taskCount: Int, model: MultiTaskNetwork) -> [(LossBalancer, Optimizer?)] {
        let adaTask = AdaTask(model: model, learningRate: 3e-3)
        return [
            (EqualWeighting(), nil), (StaticWeighting(weights: [0.5, 1.5]), nil),
            (UncertaintyWeighting(taskCount: taskCount), nil), (DynamicWeightAverage(taskCount: taskCount), nil),
            (RandomLossWeighting(seed: 1), nil), (GeometricLossStrategy(), nil), (GradNorm(taskCount: taskCount), nil),
            (GradNorm(taskCount: taskCount, alpha: 0.5, initialLosses: .everyEpoch), nil),
            (UnitaryScalarization(weightDecay: 1e-4), nil), (MGDA(), nil),
            (MGDA(gradientsWith: .parameters, normalization: .l2), nil),
            (MGDA(normalization: .lossPlus), nil), (PCGrad(seed: 2), nil), (NashMTL(), nil), (adaTask, adaTask),
        ]
    }

    @Test("""
        every balancer trains both tasks through the trainer, and resuming from a checkpoint repeats the run exactly
        """)
    func everyBalancerTrainsAndResumes() throws {
        let data = try unequalScales(scale: 3, sampleCount: 1200)
        for index in 0..<15 {
            func makeTrainer(epochs: Int, checkpointURL: URL?) -> (Trainer, MultiHeadNetwork) {
                let model = multiHead(seed: 7)
                let (balancer, optimizer) = everyBalancer(taskCount: 2, model: model)[index]
                let trainer = Trainer(model: model,
                                      optimizer: optimizer ?? Adam(parameters: model.parameters(), learningRate: 3e-3),
                                      balancer: balancer,
                                      configuration: .init(epochs: epochs, batchSize: 32, seed: 3,
                                                           checkpointURL: checkpointURL, showsProgress: false))
                return (trainer, model)
            }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID())-balancer.mtlckpt")
            defer { try? FileManager.default.removeItem(at: url) }
            let (full, fullModel) = makeTrainer(epochs: 4, checkpointURL: nil)
            let before = evaluate(fullModel, on: data.validation)
            let records = try full.fit(data.train, validation: data.validation)
            let name = full.balancer.name
            for task in 0..<2 {
                #expect(records.last!.validation![task].loss < 0.85 * before[task].loss,
                        "\(name) task \(task): \(before[task].loss) → \(records.last!.validation![task].loss)")
            }
            let (half, _) = makeTrainer(epochs: 2, checkpointURL: url)
            try half.fit(data.train)
            let (resumed, resumedModel) = makeTrainer(epochs: 4, checkpointURL: nil)
            try resumed.resume(from: url)
            try resumed.fit(data.train)
            for (a, b) in zip(fullModel.namedParameters(), resumedModel.namedParameters()) {
                #expect(a.parameter.value.scalars == b.parameter.value.scalars,
                        "\(name): \(a.name) differs after resuming")
            }
        }
    }

    @Test("random task grouping takes one update per group; diagnostics log weights, gradient statistics and dominance")
    func groupingAndDiagnostics() throws {
        let data = try unequalScales(scale: 1, sampleCount: 600)
        let diagnostics = FileManager.default.temporaryDirectory
            .appendingPathComponent("mtk-\(UUID())-diagnostics.jsonl")
        defer { try? FileManager.default.removeItem(at: diagnostics) }
        for groupSize in [1, 2] {
            let model = multiHead(seed: 8)
            let adaTask = AdaTask(model: model, learningRate: 3e-3)
            let configuration = Trainer.Configuration(epochs: 2, batchSize: 30, seed: 4, mode: .randomTaskGroups,
                                                      taskGroupSize: groupSize, diagnosticsURL: diagnostics,
                                                      gradientStatisticsInterval: 3, showsProgress: false)
            let trainer = Trainer(model: model, optimizer: adaTask, balancer: adaTask, configuration: configuration)
            let records = try trainer.fit(data.train)
            let batches = data.train.batches(size: 30, shuffleSeed: 0).count
            #expect(adaTask.stepCount == 2 * batches * (groupSize == 1 ? 2 : 1))
            // Statistics are measured on steps that hold every task (all of them when k = T).
            #expect((records[0].gradientStatistics != nil) == (groupSize == 2))
            let lines = try String(contentsOf: diagnostics, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 2)
            let object = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
            #expect(object["epoch"] as? Int == 2 && object["balancer"] as? String == "AdaTask")
            #expect((object["dominance"] as? [[String: Any]])?.count == 4)
            if groupSize == 2 {
                let norms = object["gradientNorms"] as! [String: Double]
                #expect(norms.count == 2 && norms.values.allSatisfy { $0 > 0 })
                #expect((object["gradientCosines"] as! [String: Double]).count == 1)
            }
        }
    }
}


/// The AdaTask control of chapter 12.
@Suite("AdaTask control")
struct AdaTaskControlTests {
    @Test("ew-shared-lr: equal weights, Adam at T·η on the shared parameters and η on the task-specific ones")
    func scaledSharedRate() throws {
        let data = try SyntheticDataset.regression.make(sampleCount: 60, seed: 1)
        let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                options: ArchitectureOptions(width: 4, seed: 2))
        let (balancer, optimizer) = BalancingMethod.equalWithScaledSharedRate.make(for: model, learningRate: 1e-3,
            seed: 0)
        #expect(balancer is EqualWeighting)
        let shared = Set(model.sharedParameters().map(ObjectIdentifier.init))
        #expect(optimizer.groups.count == 2)
        #expect(optimizer.groups[0].learningRate == 2e-3
                && optimizer.groups[0].parameters.allSatisfy { shared.contains(ObjectIdentifier($0)) })
        #expect(optimizer.groups[1].learningRate == 1e-3
                && optimizer.groups[1].parameters.allSatisfy { !shared.contains(ObjectIdentifier($0)) })
        #expect(optimizer.parameters.count == model.parameters().count)
    }
}
