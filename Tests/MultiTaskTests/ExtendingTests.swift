import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask
// Chapter 14's notebook: an executable target whose types are public, so the tests check exactly
// what the chapter builds. SwiftPM makes "14-extending" a module name by replacing the characters
// an identifier cannot start with or hold: `_4_extending`.
import _4_extending

/// Chapter 14 — the extension contracts, each checked on the notebook's own code: a layer (its
/// input and parameter gradients), a balancer (under task sampling), an architecture (the
/// `MultiTaskNetwork` contract), an optimizer (one step by hand, its checkpoint state), and a loss
/// and a metric through `TaskSpec`. Copy this file's patterns into your own test target.
@Suite("Extending MultiTaskKit")
struct ExtendingTests {
    // MARK: A layer

    @Test("a custom layer: its parameters are found, and its gradients match finite differences")
    func customLayer() {
        let block = ResidualBlock(width: 3, random: RandomSource(seed: 1))
        #expect(block.namedParameters().map(\.name) == ["inner.weight", "inner.bias", "outer.weight", "outer.bias"])
        // ε = 10⁻³: a smaller step than the default keeps the ReLU's kink out of the differences.
        checkModuleGradients(block, input: Tensor.normal([4, 3], seed: 2), epsilon: 1e-3, "ResidualBlock")
    }

    // MARK: A balancer

    /// One step of `balancer` on hand-made losses of `tasks`; returns the weights on their gradients.
    static func step(_ balancer: LossBalancer, losses values: [Float], tasks: [Int]) -> [Float] {
        let model = MultiHeadNetwork(trunk: Identity(), heads: [Identity(), Identity(), Identity()])
        let losses = values.map { Variable(Tensor($0), requiresGradient: true) }
        _ = balancer.backward(losses: losses, context: BalancingContext(model: model, tasks: tasks,
                                                                      sharedParameters: model.sharedParameters()))
        return losses.map { $0.grad!.scalar }
    }

    @Test("a balancer under task sampling: each task's first loss is recorded when that task first appears")
    func initialLossUnderSampling() {
        let balancer = InitialLossNormalization(taskCount: 3)
        #expect(Self.step(balancer, losses: [2], tasks: [1]) == [0.5])
        // Task 0 and 2 appear only now: their own first losses, not weight 1.
        #expect(Self.step(balancer, losses: [4, 3, 8], tasks: [0, 1, 2]) == [0.25, 0.5, 0.125])
        #expect(balancer.initialLosses == [4, 2, 8])
    }

    @Test("a balancer: a first loss of 0 or NaN gives weight 1 until the task's first usable loss")
    func initialLossOfZero() {
        let balancer = InitialLossNormalization(taskCount: 2)
        #expect(Self.step(balancer, losses: [0, .nan], tasks: [0, 1]) == [1, 1])
        #expect(Self.step(balancer, losses: [5, 0.5], tasks: [0, 1]) == [0.2, 2])
        #expect(balancer.initialLosses == [5, 0.5])
        // 1/L overflows for the smallest positive Float: not usable either.
        let tiny = InitialLossNormalization(taskCount: 1)
        #expect(Self.step(tiny, losses: [Float.leastNonzeroMagnitude], tasks: [0]) == [1])
        #expect(tiny.initialLosses == [0])
    }

    @Test("a balancer in the trainer with random task groups of one: every task gets its own first loss")
    func initialLossInTrainer() throws {
        let data = try SyntheticDataset.regression.make(sampleCount: 40, seed: 1)
        let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                options: ArchitectureOptions(width: 4, seed: 2))
        let balancer = InitialLossNormalization(taskCount: 2)
        let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 1e-3),
                              balancer: balancer,
                              configuration: .init(epochs: 1, batchSize: 64, seed: 3, mode: .randomTaskGroups,
                                                   showsProgress: false))
        try trainer.fit(data.train)
        // One batch, two groups of one task: the second group's task was missing from the first call.
        #expect(balancer.initialLosses.allSatisfy { $0 > 0 && $0 != 1 }, "\(balancer.initialLosses)")
    }

    @Test("a balancer's state: saved, restored, and refused when a checkpoint holds an impossible value")
    func initialLossState() throws {
        let balancer = InitialLossNormalization(taskCount: 2)
        _ = Self.step(balancer, losses: [3], tasks: [1])
        let restored = InitialLossNormalization(taskCount: 2)
        try restored.restoreState(balancer.state)
        #expect(restored.initialLosses == [0, 3])
        for bad in [Tensor([1, -2]), Tensor([1, .infinity]), Tensor([.leastNonzeroMagnitude, 1]), Tensor([1, 2, 3])] {
            #expect(throws: CheckpointError.self, "\(bad)") { try restored.restoreState(["initialLosses": bad]) }
        }
        #expect(restored.initialLosses == [0, 3])
    }

    // MARK: An architecture

    @Test("an architecture: the MultiTaskNetwork contract (θ_sh, Z, outputs, regularization) holds")
    func customArchitecture() {
        let model = GatedSharingNetwork(inputCount: 4, width: 6, outputCounts: [1, 3], random: RandomSource(seed: 4))
        expectSharingContract(model, input: Tensor.normal([5, 4], seed: 5))
        let shared = model.sharedParameters().map(ObjectIdentifier.init)
        #expect(shared == model.shared.parameters().map(ObjectIdentifier.init))
        let z = model.outputs(Variable(Tensor.normal([5, 4], seed: 5))).sharedRepresentation
        #expect(z?.shape == [5, 6])
        // willTrain(step:) sets the warm-up from the step alone; the cost at g = ½ is λ·½ per task.
        model.willTrain(step: 49)
        #expect(model.costScale == 0.5)
        #expect(isClose([model.regularizationLoss()!.value.scalar], [0.01 * 0.5 * (0.5 + 0.5)], "regularization"))
    }

    @Test("an architecture: every task's output has the right gradients with respect to every parameter")
    func customArchitectureGradients() {
        let model = GatedSharingNetwork(inputCount: 3, width: 4, outputCounts: [2, 1], random: RandomSource(seed: 6))
        let named = model.namedParameters()
        for task in 0..<2 {
            let result = gradcheck("GatedSharingNetwork task \(task)", inputs: [Tensor.normal([3, 3], seed: 7)],
                                   parameters: named.map(\.parameter), parameterNames: named.map(\.name),
                                   epsilon: 1e-3) {
                model($0[0], task: task)
            }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("an architecture trains with MGDA-UB on its Z and with Lion, and the private cost opens gates")
    func customArchitectureTrains() throws {
        let data = try SyntheticDataset.regression.make(sampleCount: 200, seed: 8)
        let model = GatedSharingNetwork(inputCount: 100, width: 8, outputCounts: [1, 1], privateCost: 100,
                                        warmupSteps: 1, random: RandomSource(seed: 9))
        let before = evaluate(model, on: data.train).map(\.loss)
        let trainer = Trainer(model: model, optimizer: Lion(parameters: model.parameters(), learningRate: 3e-3),
                              balancer: MGDA(), configuration: .init(epochs: 10, batchSize: 32, seed: 10,
                                                                     showsProgress: false))
        try trainer.fit(data.train)
        let after = evaluate(model, on: data.train).map(\.loss)
        #expect(zip(after, before).allSatisfy { $0 < $1 }, "losses \(before) → \(after)")
        // A high cost on private features pushes the gates towards sharing (g > ½).
        let gates = model.gateLogits.flatMap { $0.value.sigmoid().scalars }
        #expect(gates.reduce(0, +) / Float(gates.count) > 0.5, "\(gates)")
    }

    // MARK: An optimizer

    @Test("an optimizer: one Lion step by hand, moving each weight by exactly η")
    func lionStep() {
        let weight = Parameter(Tensor([1, -2, 3]))
        let lion = Lion(parameters: [weight], learningRate: 0.1, beta1: 0.9, beta2: 0.99, weightDecay: 0.5)
        weight.grad = Tensor([0.2, -0.3, 0])
        lion.step()
        // m = 0: sign((1 − β₁)g) = (1, −1, 0);
        // θ − η(sign + λθ) = (1 − 0.1·1.5, −2 − 0.1·(−2), 3 − 0.1·1.5).
        #expect(isClose(weight.value, Tensor([0.85, -1.8, 2.85]), "θ after one step"))
        #expect(isClose(lion.state(of: weight)!.momentum, Tensor([0.002, -0.003, 0]), "m = (1 − β₂)g"))
    }

    @Test("an optimizer's state goes through a checkpoint and an impossible one is refused")
    func lionState() throws {
        let weight = Parameter(Tensor([1, 2]))
        let lion = Lion(parameters: [weight], learningRate: 0.1)
        weight.grad = Tensor([1, -1])
        lion.step()
        let stored = lion.checkpointState(of: weight)
        let fresh = Lion(parameters: [weight], learningRate: 0.1)
        try fresh.restoreState(stored, of: weight, name: "optimizer.weight")
        #expect(fresh.state(of: weight)!.momentum == lion.state(of: weight)!.momentum)
        for bad in [["momentum": Tensor([1, 2, 3])], ["momentum": Tensor([Float.nan, 0])],
                    ["momentum": Tensor([0, 0]), "velocity": Tensor([0, 0])]] {
            #expect(throws: CheckpointError.self, "\(bad)") {
                try fresh.validateState(bad, of: weight, name: "optimizer.weight")
            }
        }
    }

    // MARK: A loss and a metric

    @Test("a loss through TaskSpec: pseudo-Huber by hand, its gradient, and the trainer's use of it")
    func customLoss() {
        let loss = pseudoHuber(delta: 2)
        // e = (0, 2, −4): δ²(√(1 + (e/δ)²) − 1) = 4·(0, √2 − 1, √5 − 1); the mean.
        let value = loss(Variable(Tensor([[1], [3], [-2]])), Tensor([[1], [1], [2]])).value.scalar
        #expect(isClose([value], [4 * ((2 as Float).squareRoot() - 1 + (5 as Float).squareRoot() - 1) / 3], "loss"))
        let target = Tensor.normal([5, 1], seed: 11)
        let check = gradcheck("pseudo-Huber", inputs: [Tensor.normal([5, 1], seed: 12) * 3]) { loss($0[0], target) }
        #expect(check.passed, "\(check)")
        let spec = TaskSpec(name: "price", kind: .regression(outputCount: 1), customLoss: loss)
        let output = Variable(Tensor([[1], [3], [-2]]))
        #expect(taskLoss(spec, output: output, target: Tensor([[1], [1], [2]])).value.scalar == value)
        #expect(spec != TaskSpec(name: "price", kind: .regression(outputCount: 1)))
        #expect(spec.description.contains("pseudo-Huber δ=2.0 (custom)"))
    }

    @Test("a metric through TaskSpec: within 10% from counts over the whole split, in evaluate's results")
    func customMetric() {
        let price = TaskSpec(name: "price", kind: .regression(outputCount: 1), customMetrics: [withinFraction(0.1)])
        // An identity model predicts the input: |ŷ − y| ≤ 0.1·|y| for 100 vs 105 and 200 vs 190, not 50 vs 60.
        let data = MultiTaskDataset(tasks: [price], inputs: Tensor([[100], [50], [200]]),
                                    targets: [Tensor([[105], [60], [190]])])
        let model = MultiHeadNetwork(trunk: Identity(), heads: [Identity()])
        let results = evaluate(model, on: data, batchSize: 2)
        #expect(results[0].customMetrics == ["within 10%": 2.0 / 3])
        #expect(results[0].metrics[.meanSquaredError] != nil)
    }
}
