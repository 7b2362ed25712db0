import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Chapter 15 — Learning to Branch: the Gumbel-softmax samples, the temperature schedule, the tree
/// derived from the logits, the branched network built from it, and the search on data with a known
/// answer.
@Suite("Learning to Branch")
struct LearningToBranchTests {
    static let tasks = (0..<3).map { TaskSpec(name: "t\($0)", kind: .regression(outputCount: 1)) }

    static func options(seed: UInt64 = 1, width: Int = 4, tree: BranchingTree? = nil) -> ArchitectureOptions {
        var options = ArchitectureOptions(width: width, seed: seed)
        options.branchingTree = tree
        return options
    }

    @Test("soft and hard Gumbel-softmax samples are distributions per row; the hard one is one-hot at argmax θ + g")
    func samplesSumToOne() {
        var generator = SeededGenerator(seed: 3)
        let logits = Variable(Tensor.normal([4, 5], seed: 4) * 2)
        for temperature: Float in [0.1, 1, 5] {
            let noise = gumbelNoise([4, 5], using: &generator)
            let soft = gumbelSoftmax(logits, temperature: temperature, sampling: .soft, noise: noise).value
            let hard = gumbelSoftmax(logits, temperature: temperature, sampling: .hard, noise: noise).value
            for row in 0..<4 {
                let softRow = Array(soft.scalars[(row * 5)..<(row * 5 + 5)])
                let hardRow = Array(hard.scalars[(row * 5)..<(row * 5 + 5)])
                #expect(abs(softRow.reduce(0, +) - 1) < 1e-5 && softRow.allSatisfy { $0 > 0 || temperature < 1 })
                #expect(hardRow.reduce(0, +) == 1 && hardRow.allSatisfy { $0 == 0 || $0 == 1 })
                let perturbed = (0..<5).map { logits.value.scalars[row * 5 + $0] + noise.scalars[row * 5 + $0] }
                #expect(hardRow[perturbed.indices.max { perturbed[$0] < perturbed[$1] }!] == 1)
            }
        }
    }

    @Test("the soft sample's gradient gradchecks; the hard sample's gradient is the soft sample's (straight-through)")
    func straightThroughGradient() {
        var generator = SeededGenerator(seed: 5)
        let noise = gumbelNoise([3, 4], using: &generator)
        let check = gradcheck("gumbelSoftmax soft", inputs: [Tensor.normal([3, 4], seed: 6)]) { variables in
            gumbelSoftmax(variables[0], temperature: 0.7, sampling: .soft, noise: noise)
        }
        #expect(check.passed, "\(check)")
        let logits = Variable(Tensor.normal([3, 4], seed: 6), requiresGradient: true)
        let upstream = Tensor.normal([3, 4], seed: 8)
        let soft = gradients(of: gumbelSoftmax(logits, temperature: 0.7, sampling: .soft, noise: noise),
                             wrt: [logits], seed: upstream)[0]
        let hard = gradients(of: gumbelSoftmax(logits, temperature: 0.7, sampling: .hard, noise: noise),
                             wrt: [logits], seed: upstream)[0]
        #expect(hard == soft && soft.scalars.contains { abs($0) > 1e-3 })
    }

    @Test("hard samples pick parent i with probability softmax(θ)_i (the Gumbel-max trick), at any temperature")
    func gumbelMaxFrequencies() {
        let logits = Variable(Tensor([1.0, 0.0, -1.0]))
        let expected = Tensor([1.0, 0.0, -1.0]).softmax(alongAxis: -1).scalars
        var generator = SeededGenerator(seed: 9)
        var counts = [0, 0, 0]
        for _ in 0..<4000 {
            let sample = gumbelSoftmax(logits, temperature: 0.3, sampling: .hard,
                                       noise: gumbelNoise([3], using: &generator)).value.scalars
            counts[sample.firstIndex(of: 1)!] += 1
        }
        for i in 0..<3 { #expect(abs(Float(counts[i]) / 4000 - expected[i]) < 0.03, "\(counts) against \(expected)") }
    }

    @Test("LibMTL's schedule: ⌈E/100⌉ warm-up epochs, then τ = (E/20)/√(e + 1)")
    func temperatureSchedule() {
        let short = BranchingTemperatureSchedule(searchEpochs: 20)
        #expect(short.warmupEpochs == 1 && short.isWarmup(epoch: 0) && !short.isWarmup(epoch: 1))
        #expect(short.temperature(epoch: 0) == 1 && abs(short.temperature(epoch: 3) - 0.5) < 1e-6)
        let long = BranchingTemperatureSchedule(searchEpochs: 250)
        #expect(long.warmupEpochs == 3 && long.isWarmup(epoch: 2) && !long.isWarmup(epoch: 3))
        #expect(abs(long.temperature(epoch: 24) - 2.5) < 1e-6)
    }

    /// Two inner layers of three nodes, three tasks: hand-set logits whose argmax parents are
    /// layer 1: node 0 ← 2, node 1 ← 2, node 2 ← 0; tasks: t0 ← 1, t1 ← 1, t2 ← 2.
    static let handLogits: [[[Float]]] = [
        [[0, 0.5, 2], [-1, 0, 3], [4, 1, 1]],
        [[0, 2, -1], [0.1, 0.9, 0.2], [0, 0, 0.5]],
    ]

    @Test("a tree derived from hand-set logits is the expected tree: parents, paths, shared depths, text, encoding")
    func treeFromLogits() throws {
        let tree = BranchingTree(nodeCounts: [3, 3], argmaxOf: Self.handLogits)
        #expect(tree.parents == [[2, 2, 0], [1, 1, 2]])
        #expect(tree.path(task: 0) == [2, 1] && tree.path(task: 1) == [2, 1] && tree.path(task: 2) == [0, 2])
        #expect(tree.sharedDepth(0, 1) == 2 && tree.sharedDepth(0, 2) == 0)
        #expect(tree.taskGroups(atLayer: 1) == [[0, 1], [2]])
        let canonical = tree.canonical
        #expect(canonical.nodeCounts == [2, 2] && canonical.parents == [[0, 1], [0, 0, 1]])
        #expect(canonical.canonical == canonical && canonical.taskGroups(atLayer: 1) == tree.taskGroups(atLayer: 1))
        #expect(BranchingTree(encoded: tree.encoded, nodeCounts: [3, 3]) == tree)
        #expect(BranchingTree(encoded: "2,2,0;1,1,3", nodeCounts: [3, 3]) == nil)
        #expect(BranchingTree(encoded: "2,2;1,1,2", nodeCounts: [3, 3]) == nil)
        let text = tree.describe(taskNames: ["a", "b", "c"])
        #expect(text.contains("layer 0, node 2: tasks a b") && text.contains("layer 1, node 2: tasks c"))
        // The search network's own tree from the same logits.
        let search = try #require(makeNetwork(.learningToBranch, tasks: Self.tasks, inputShape: [5],
                                              options: Self.options()) as? BranchingSearchNetwork)
        for (index, logits) in Self.handLogits.flatMap({ $0 }).enumerated() {
            search.logits[index].assign(Tensor(logits))
        }
        #expect(search.tree == tree)
    }

    @Test("the network rebuilt from the tree has the hand-counted parameters, θ_sh and no Z (a partial share)")
    func rebuiltParameterCount() throws {
        let tree = BranchingTree(nodeCounts: [3, 3], argmaxOf: Self.handLogits)
        let network = try #require(makeNetwork(.learningToBranch, tasks: Self.tasks, inputShape: [5],
                                               options: Self.options(tree: tree)) as? BranchedNetwork)
        // Layer 0: 2 nodes Linear(5→4) (24 each); layer 1: 2 nodes Linear(4→4) (20 each); 3 heads (5 each).
        #expect(network.parameterCount == 2 * 24 + 2 * 20 + 3 * 5)
        // Shared by t0 and t1: their layer-0 node and their layer-1 node.
        #expect(network.sharedParameters().reduce(0) { $0 + $1.value.count } == 24 + 20)
        #expect(network.bottleneckLayer == nil)
        #expect(expectSharingContract(network, input: Tensor.normal([3, 5], seed: 2)))
    }

    @Test("a tree where every task shares every node is the multi-head network: same parameters, outputs and Z")
    func fullSharingIsMultiHead() throws {
        let tree = BranchingTree(nodeCounts: [3, 3], parents: [[1, 1, 1], [2, 2, 2]])
        let branched = try #require(makeNetwork(.learningToBranch, tasks: Self.tasks, inputShape: [5],
                                                options: Self.options(tree: tree)) as? BranchedNetwork)
        let multiHead = makeNetwork(.multiHead, tasks: Self.tasks, inputShape: [5], options: Self.options())
        #expect(branched.nodes.map(\.count) == [1, 1] && branched.parameterCount == multiHead.parameterCount)
        #expect(branched.sharedParameters().count == multiHead.sharedParameters().count)
        let input = Variable(Tensor.normal([4, 5], seed: 3))
        let (a, b) = (branched.outputs(input), multiHead.outputs(input))
        for task in 0..<3 { #expect(a.outputs[task].value == b.outputs[task].value) }
        #expect(a.sharedRepresentation?.value == b.sharedRepresentation?.value && branched.bottleneckLayer == 1)
        #expect(expectSharingContract(branched, input: input.value))
    }

    @Test("the search network keeps the contract (soft and hard, vectors and images); warm-up sums the parents")
    func searchNetwork() throws {
        for sampling in GumbelSampling.allCases {
            for inputShape in [[5], [3, 8, 8]] {
                var options = Self.options()
                options.branchSampling = sampling
                options.branchNodeCount = 2
                let network = try #require(makeNetwork(.learningToBranch, tasks: Self.tasks, inputShape: inputShape,
                                                       options: options) as? BranchingSearchNetwork)
                let layers = network.nodeCounts.count
                #expect(network.nodeCounts.allSatisfy { $0 == 2 } && network.logits.count == 2 * (layers - 1) + 3)
                #expect(expectSharingContract(network, input: Tensor.normal([2] + inputShape, seed: 2)))
                // Every parameter but the heads' and their logits is shared.
                let heads = network.heads.flatMap { $0.parameters() }.count + 3
                #expect(network.sharedParameters().count == network.parameters().count - heads)
            }
        }
        // Warm-up: with every parent summed, a child reads Y_0 + Y_1 whatever θ says.
        let network = try #require(makeNetwork(.learningToBranch, tasks: Self.tasks, inputShape: [5],
                                               options: Self.options()) as? BranchingSearchNetwork)
        network.summingParents = true
        let input = Variable(Tensor.normal([2, 5], seed: 4))
        let before = network(input, task: 0).value
        network.logits.forEach { $0.assign(Tensor.normal($0.shape, seed: 5) * 3) }
        network.willTrain(step: 1)
        #expect(network(input, task: 0).value == before)
    }

    @Test("a search on blocks records τ and probabilities per epoch; runExperiment retrains the tree it found")
    func searchAndRetrain() throws {
        let data = try SyntheticDataset.blocks.make(sampleCount: 300, seed: 2, correlation: 0.8)
        var options = Self.options(width: 8)
        options.searchEpochs = 3
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ltb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let training = Trainer.Configuration(epochs: 2, batchSize: 32, seed: 2,
                                             checkpointURL: directory.appendingPathComponent("model.mtlckpt"),
                                             diagnosticsURL: directory.appendingPathComponent("diagnostics.jsonl"))
        let result = try runExperiment(.learningToBranch, data: data, options: options, training: training)
        let search = try #require(result.branchingSearch)
        #expect(search.probabilities.count == 3 && search.temperatures.count == 3 && search.temperatures[0] == nil)
        #expect(abs((search.temperatures[2] ?? 0) - 0.15 / Float(3).squareRoot()) < 1e-6)
        #expect(search.tree.taskCount == 6 && search.tree.nodeCounts == [6, 6] && result.history.count == 2)
        for layer in search.probabilities[2] { for row in layer { #expect(abs(row.reduce(0, +) - 1) < 1e-4) } }
        let searched = searchDiagnosticsURL(directory.appendingPathComponent("diagnostics.jsonl"))
        let lines = try String(contentsOf: searched, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.contains("\"phase\": \"search\"") && $0.contains("\"tree\":") })
        let metadata = try Checkpoint(contentsOf: directory.appendingPathComponent("model.mtlckpt")).metadata
        #expect(metadata[branchingTreeKey] == search.tree.encoded && metadata[branchingNodeCountsKey] == "6,6")
        // The retrained network is the tree's, from the same options.
        var rebuilt = options
        rebuilt.branchingTree = search.tree
        let network = makeNetwork(.learningToBranch, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                  options: rebuilt)
        #expect(result.parameterCount == network.parameterCount && network is BranchedNetwork)
    }

    @Test("an ltb study arm's search settings are recorded when not the defaults, so studies never mix them")
    func studySettingsRecorded() {
        func settings(_ options: ArchitectureOptions) -> String? {
            Study(arms: [StudyArm(name: "ltb", architecture: .learningToBranch, options: options)], seeds: [0],
                  maximumEpochs: 1, baseline: "ltb") { _ in throw StudyError.noCompleteSeed }
                .recordedSettings["arm.ltb"]
        }
        var soft = ArchitectureOptions(width: 8)
        soft.branchSampling = .soft
        soft.branchNodeCount = 3
        #expect(settings(soft)?.hasSuffix(" search-epochs 20 branch-nodes 3 sampling soft branch-lr 0.01") == true)
        #expect(settings(ArchitectureOptions(width: 8))?.hasSuffix("offset 0") == true)
    }

    @Test("the learned tree's drawing: one box per reached node, shared nodes blue, a head per task")
    func treeDrawing() {
        let tree = BranchingTree(nodeCounts: [3, 3], argmaxOf: Self.handLogits)
        let diagram = ArchitectureDiagram(branchingTree: tree, taskNames: ["a", "b", "c"])
        #expect(diagram.boxes.filter { $0.label.hasPrefix("block") }.count == 4)
        #expect(diagram.boxes.filter { $0.label.hasPrefix("block") && $0.colour == "#cfe2f3" }.count == 2)
        #expect(diagram.boxes.filter { $0.label.hasPrefix("head") }.count == 3)
        #expect(diagram.svg().contains("block 1: a,b"))
    }
}
