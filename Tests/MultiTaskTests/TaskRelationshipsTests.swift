import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Which tasks should learn together: AHP, budgeted source selection, task grouping, the cheap
/// affinities and transfer modelling, each against a reference or a constructed answer.
@Suite("Task relationships")
struct TaskRelationshipsTests {
    // MARK: AHP

    @Test("AHP of a consistent (Bradley–Terry) tournament gives the known weights")
    func ahpKnownEigenvector() {
        let weights = [0.5, 0.3, 0.15, 0.05]
        let tournament = weights.map { wi in weights.map { wj in wi / (wi + wj) } }
        let ratios = AHPNormalization.ratios(tournament: tournament)
        #expect(abs(ratios[0][1] - 0.5 / 0.3) < 1e-12, "W′[0][1] = \(ratios[0][1]), expected w₀/w₁")
        let vector = AHPNormalization.principalEigenvector(ratios)
        for (got, expected) in zip(vector, weights) {
            #expect(abs(got - expected) < 1e-9, "eigenvector \(vector) vs weights \(weights)")
        }
    }

    @Test("The tournament counts strict wins per sample and clips to [0.001, 0.999]")
    func tournamentFromLosses() {
        let losses: [[Double]] = [[1, 1, 1, 1], [2, 0, 2, 2], [3, 3, 3, 3]]
        let tournament = AHPNormalization.tournament(losses: losses)
        #expect(tournament[0][1] == 0.75 && tournament[1][0] == 0.25, "\(tournament)")
        #expect(tournament[0][2] == 0.999 && tournament[2][0] == 0.001, "clipping: \(tournament)")
        #expect(tournament[1][1] == 0.001, "diagonal: \(tournament[1][1])")
        let affinities = AHPNormalization.affinities(losses: losses)
        #expect(affinities[0] > affinities[1] && affinities[1] > affinities[2], "order: \(affinities)")
        #expect(abs(affinities.reduce(0, +) - 1) < 1e-9, "sum \(affinities.reduce(0, +))")
    }

    // MARK: Source selection

    /// The reference: every combination of one transfer per target, kept when the union of their
    /// sources fits the budget.
    func bruteForce(_ transfers: [Transfer], taskCount: Int, budget: SelectionBudget) -> Double? {
        let perTarget = (0..<taskCount).map { t in transfers.filter { $0.target == t } }
        var best: Double?
        func walk(_ target: Int, _ used: Set<Int>, _ value: Double) {
            if target == taskCount {
                let cost: Double
                switch budget {
                case .sourceCount(let k): cost = used.count <= k ? 0 : 1
                case .supervision(let costs, let limit): cost = used.map { costs[$0] }.reduce(0, +) <= limit ? 0 : 1
                }
                if cost == 0, best.map({ value > $0 }) ?? true { best = value }
                return
            }
            for transfer in perTarget[target] {
                walk(target + 1, used.union(transfer.sources), value + transfer.affinity)
            }
        }
        walk(0, [], 0)
        return best
    }

    @Test("Budgeted selection equals brute force on 120 random instances (counts and supervision costs)")
    func selectionMatchesBruteForce() {
        var generator = SeededGenerator(seed: 17)
        for instance in 0..<120 {
            let taskCount = 3 + generator.nextInt(below: 3)
            var transfers: [Transfer] = []
            for target in 0..<taskCount {
                for source in 0..<taskCount {
                    let affinity = Double(generator.nextFloat())
                    transfers.append(Transfer(sources: [source], target: target, affinity: affinity))
                }
                if instance % 2 == 0 {
                    let a = generator.nextInt(below: taskCount), b = generator.nextInt(below: taskCount)
                    transfers.append(Transfer(sources: [a, b], target: target, affinity: Double(generator.nextFloat())))
                }
            }
            let budget: SelectionBudget = instance % 3 == 0
                ? .supervision(costs: (0..<taskCount).map { _ in Double(1 + generator.nextInt(below: 3)) },
                               limit: Double(2 + generator.nextInt(below: 4)))
                : .sourceCount(1 + generator.nextInt(below: taskCount))
            let expected = bruteForce(transfers, taskCount: taskCount, budget: budget)
            let selection = selectSources(transfers: transfers, taskCount: taskCount, budget: budget)
            #expect((selection == nil) == (expected == nil), "instance \(instance): feasibility differs")
            if let selection, let expected {
                #expect(abs(selection.totalAffinity - expected) < 1e-9,
                        "instance \(instance): \(selection.totalAffinity) vs brute force \(expected)")
                let used = Set(selection.transfers.flatMap(\.sources))
                #expect(used == Set(selection.sources), "instance \(instance): sources \(selection.sources)")
                #expect(selection.transfers.map(\.target) == Array(0..<taskCount), "one transfer per target")
            }
        }
    }

    @Test("A budget of one source picks the task that serves everyone best")
    func selectionSmallCase() throws {
        // Task 2 is a good source for all; each task is best for itself.
        let affinity = TaskAffinity(taskNames: ["a", "b", "c"], values: [[0.9, 0.1, 0.1], [0.1, 0.9, 0.1],
                                                                         [0.6, 0.6, 0.9]], method: "test")
        let one = try #require(selectSources(transfers: affinity.firstOrderTransfers, taskCount: 3,
                                             budget: .sourceCount(1)))
        #expect(one.sources == [2] && abs(one.totalAffinity - 2.1) < 1e-12, "\(one)")
        let three = try #require(selectSources(transfers: affinity.firstOrderTransfers, taskCount: 3,
                                               budget: .sourceCount(3)))
        #expect(three.sources == [0, 1, 2] && abs(three.totalAffinity - 2.7) < 1e-12, "\(three)")
        #expect(selectSources(transfers: affinity.firstOrderTransfers, taskCount: 3,
                              budget: .supervision(costs: [1, 1, 1], limit: 0.5)) == nil, "nothing affordable")
    }

    // MARK: Grouping

    /// Every labelling of T tasks with k labels that uses all k labels.
    func bruteForceGrouping(_ affinity: [[Double]], groupCount: Int) -> Double {
        let count = affinity.count
        var best = -Double.infinity
        var labels = Array(repeating: 0, count: count)
        func walk(_ task: Int) {
            if task == count {
                guard Set(labels).count == groupCount else { return }
                let groups = (0..<groupCount).map { g in labels.indices.filter { labels[$0] == g } }
                best = max(best, TaskGrouping.score(of: groups, affinity: affinity))
                return
            }
            for label in 0..<groupCount { labels[task] = label; walk(task + 1) }
        }
        walk(0)
        return best
    }

    @Test("Exact grouping equals enumeration of all labellings (T ≤ 7, k ≤ 3)")
    func groupingMatchesEnumeration() {
        var generator = SeededGenerator(seed: 5)
        for instance in 0..<30 {
            let count = 2 + generator.nextInt(below: 6)
            let groupCount = 1 + generator.nextInt(below: min(3, count))
            let affinity = (0..<count).map { _ in (0..<count).map { _ in Double(generator.nextNormal()) } }
            let grouping = bestTaskGrouping(affinity: affinity, groupCount: groupCount)
            let expected = bruteForceGrouping(affinity, groupCount: groupCount)
            #expect(abs(grouping.score - expected) < 1e-9, "instance \(instance): \(grouping.score) vs \(expected)")
            #expect(grouping.groups.count == groupCount && grouping.groups.flatMap { $0 }.sorted() == Array(0..<count),
                    "instance \(instance): \(grouping.groups) is not a partition into \(groupCount)")
        }
    }

    @Test("Grouping finds two blocks of a block matrix; random groups have the asked sizes")
    func groupingBlocks() {
        let truth = (0..<6).map { s in (0..<6).map { t in s == t ? 1.0 : (s / 3 == t / 3 ? 0.8 : 0) } }
        #expect(bestTaskGrouping(affinity: truth, groupCount: 2).groups == [[0, 1, 2], [3, 4, 5]])
        let random = TaskGrouping.random(sizes: [3, 3], seed: 4)
        #expect(random.map(\.count).sorted() == [3, 3] && random.flatMap { $0 }.sorted() == Array(0..<6), "\(random)")
    }

    @Test("Spearman: ranks with ties, perfect and reversed orders")
    func spearman() {
        #expect(averageRanks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1])
        #expect(abs(spearmanCorrelation([1, 2, 3], [10, 100, 1000])! - 1) < 1e-12)
        #expect(abs(spearmanCorrelation([1, 2, 3], [3, 2, 1])! + 1) < 1e-12)
        #expect(spearmanCorrelation([1, 1, 1], [1, 2, 3]) == nil)
    }

    // MARK: Cheap affinities

    /// A linear trunk x ↦ w·x (shared) with identity heads frozen at 1, and targets y₁ = v·x, y₂ = ±v·x.
    func constructedPair(sign: Float) -> (MultiHeadNetwork, Tensor, [Tensor], [TaskSpec]) {
        let random = RandomSource(seed: 3)
        let trunk = Linear(inputCount: 4, outputCount: 1, bias: false, random: random)
        let heads = (0..<2).map { _ in Linear(inputCount: 1, outputCount: 1, bias: false, random: random) }
        for head in heads {
            head.weight.assign(Tensor(shape: [1, 1], scalars: [1]))
            head.freeze()
        }
        let model = MultiHeadNetwork(trunk: trunk, heads: heads)
        var generator = SeededGenerator(seed: 8)
        let inputs = Tensor(shape: [32, 4], scalars: (0..<128).map { _ in generator.nextNormal() })
        let direction = Tensor(shape: [4, 1], scalars: [1, -2, 0.5, 1])
        let y = Tensor.matmul(inputs, direction)
        let tasks = (0..<2).map { TaskSpec(name: "t\($0)", kind: .regression(outputCount: 1)) }
        return (model, inputs, [y, y * sign], tasks)
    }

    @Test("Lookahead affinity is negative for a conflicting pair and positive for an aligned one")
    func lookaheadSigns() {
        for sign: Float in [-1, 1] {
            let (model, inputs, targets, tasks) = constructedPair(sign: sign)
            let outputs = model.outputs(Variable(inputs)).outputs
            let losses = tasks.indices.map { taskLoss(tasks[$0], output: outputs[$0], target: targets[$0]) }
            let gradients = TaskGradients(losses: losses, model: model, sharedParameters: model.sharedParameters())
            let before = model.trunk.parameters().map(\.value)
            let z = lookaheadAffinity(model: model, inputs: inputs, targets: targets, tasks: tasks,
                                      gradients: gradients, stepSize: 0.01)
            #expect(z[0][1] * Double(sign) > 0 && z[1][0] * Double(sign) > 0, "sign \(sign): Z = \(z)")
            #expect(z[0][0] > 0 && z[1][1] > 0, "a step on a task lowers its own loss: \(z)")
            #expect(model.trunk.parameters().map(\.value) == before, "θ_sh is restored")
            let cosine = GradientStatistics(tasks: [0, 1], gradients: gradients.shared).cosines[0][1]
            #expect(cosine * Double(sign) > 0.9, "gradient cosine \(cosine) for sign \(sign)")
        }
    }

    // MARK: Transfer modelling

    @Test("Frozen encoders get no gradient and keep their weights while a readout trains")
    func frozenEncodersStayFrozen() throws {
        let data = try SyntheticDataset.regression.make(sampleCount: 120, seed: 2, correlation: 0.5)
        let encoder = Sequential(Linear(inputCount: data.train.inputShape[0], outputCount: 8,
                                        random: RandomSource(seed: 1)), ReLU())
        let frozen = FrozenEncoders([encoder])
        let readout = makeTransferReadout(for: data.train.tasks[0], featureCount: 8, width: 4,
                                          random: RandomSource(seed: 2))
        let network = MultiHeadNetwork(trunk: frozen, heads: [readout])
        let encoderBefore = encoder.parameters().map(\.value), readoutBefore = readout.parameters().map(\.value)
        let trainer = Trainer(model: network, optimizer: Adam(parameters: network.parameters()),
                              configuration: Trainer.Configuration(epochs: 2, batchSize: 16, showsProgress: false))
        try trainer.fit(data.train.selectingTasks([0]))
        #expect(encoder.parameters().allSatisfy { $0.grad == nil && $0.isFrozen },
                "an encoder parameter got a gradient")
        #expect(encoder.parameters().map(\.value) == encoderBefore, "the encoder changed")
        #expect(readout.parameters().map(\.value) != readoutBefore, "the readout did not train")
    }

    /// Six regression tasks in two blocks of three (ρ = 0.8 within, 0 across).
    func blockData(seed: UInt64) throws -> (DatasetSplits<MultiTaskDataset>, TaskAffinity) {
        let truth = (0..<6).map { s in (0..<6).map { t -> Float in s == t ? 1 : (s / 3 == t / 3 ? 0.8 : 0) } }
        let data = try RelatedRegression(correlations: truth, seed: seed).dataset(sampleCount: 2000, seed: seed &+ 1)
            .split(validationFraction: 0.1, testFraction: 0.2, seed: seed &+ 2)
        return (data, TaskAffinity(taskNames: data.train.tasks.map(\.name), values: truth.map { $0.map(Double.init) },
                                   method: "truth"))
    }

    @Test("Taskonomy's AHP affinity recovers the two blocks of a block-correlated problem")
    func taskonomyRecoversBlocks() throws {
        let (data, truth) = try blockData(seed: 1)
        // The truth has two values off the diagonal (0.8 and 0), so ρ_s ≤ 0.85 for any untied estimate.
        let result = try taskonomyAffinities(data: data, settings: TaskonomySettings(
            options: ArchitectureOptions(width: 16, seed: 1), sourceEpochs: 20, readoutEpochs: 10, readoutWidth: 8))
        let score = try #require(recoveryScore(estimate: result.affinity, truth: truth))
        #expect(score > 0.7, "Spearman ρ_s \(score) with the truth\n\(result.affinity.table)")
        let grouping = bestTaskGrouping(affinity: result.affinity.values, groupCount: 2)
        #expect(grouping.groups == [[0, 1, 2], [3, 4, 5]], "groups \(grouping.groups)\n\(result.affinity.table)")
        #expect(result.transfers.count == 36 && result.testLosses.allSatisfy(\.isFinite))
    }

    // MARK: Grouped training

    @Test("Grouped networks answer each task from its group's network and keep the sharing contract")
    func groupedNetworks() {
        let tasks = (0..<4).map { TaskSpec(name: "t\($0)", kind: .regression(outputCount: 1)) }
        let groups = [[0, 2], [1], [3]]
        let model = GroupedNetworks(groups: groups) { group, members in
            makeNetwork(.multiHead, tasks: members.map { tasks[$0] }, inputShape: [5],
                        options: ArchitectureOptions(width: 4, seed: UInt64(group)))
        }
        var generator = SeededGenerator(seed: 1)
        let input = Tensor(shape: [3, 5], scalars: (0..<15).map { _ in generator.nextNormal() })
        let direct = (model.networks[0] as! MultiHeadNetwork)
        #expect(model(Variable(input), task: 2).value == direct(Variable(input), task: 1).value,
                "task 2 = group 0's 2nd")
        #expect(model.sharedParameters().isEmpty, "several groups share nothing")
        expectSharingContract(model, input: input)
        let single = GroupedNetworks(groups: [[0, 1, 2, 3]]) { _, members in
            makeNetwork(.multiHead, tasks: members.map { tasks[$0] }, inputShape: [5])
        }
        #expect(single.sharedParameters().count == single.networks[0].sharedParameters().count)
        expectSharingContract(single, input: input)
    }
}
