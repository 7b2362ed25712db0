import Foundation
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

// How `makeNetwork` and `runExperiment` build and search Learning to Branch over the standard backbone.
//
// The inner layers are the backbone's blocks: layer l has `branchNodeCount` nodes (one per task by
// default, as LibMTL's), each a copy of block l; the heads are the last layer. Copy 0 and the heads are
// drawn first, so a tree where every task shares every node starts from the multi-head network's
// weights of the same seed; the noise draws from seed + 6000.

/// The metadata key under which `runExperiment` records a searched tree (`BranchingTree.encoded`) in
/// the retraining's checkpoints, with `branchingNodeCountsKey` its node counts.
public let branchingTreeKey = "ltb.tree"
/// The metadata key of the searched tree's node counts (comma-separated).
public let branchingNodeCountsKey = "ltb.node-counts"

/// What is wrong with the Learning to Branch options for these inputs and tasks, in words (the CLI's
/// exit-2 message); nil when they fit or the architecture is another.
public func branchingOptionsProblem(_ architecture: Architecture, taskCount: Int, inputShape: [Int],
                                    denseOutput: Bool, options: ArchitectureOptions) -> String? {
    guard architecture == .learningToBranch else { return nil }
    if let nodes = options.branchNodeCount, nodes < 1 { return "the search needs at least one node per layer" }
    guard options.searchEpochs >= 1 else { return "the search needs at least one epoch, got \(options.searchEpochs)" }
    guard options.branchLearningRate > 0, options.branchLearningRate.isFinite else {
        return "the branching learning rate must be positive, got \(options.branchLearningRate)"
    }
    guard let tree = options.branchingTree else { return nil }
    let blocks = backboneBlockCount(inputShape: inputShape, denseOutput: denseOutput, options: options)
    guard tree.layerCount == blocks, tree.taskCount == taskCount else {
        return "the tree has \(tree.layerCount) inner layers and \(tree.taskCount) tasks; the backbone has \(blocks) "
            + "blocks and the data \(taskCount) tasks"
    }
    return nil
}

/// The search network (no `options.branchingTree`) or the branched network of the tree.
func makeBranchingNetwork(taskCount: Int, options: ArchitectureOptions,
                          backbone: () -> (blocks: [Module], featureCount: Int),
                          heads: (Int) -> [Module]) -> MultiTaskNetwork {
    let first = backbone()
    let taskHeads = heads(first.featureCount)
    if let tree = options.branchingTree?.canonical {
        checkPrecondition(tree.layerCount == first.blocks.count && tree.taskCount == taskCount,
                          "makeNetwork(ltb): a tree of \(tree.layerCount) layers and \(tree.taskCount) tasks for "
                            + "\(first.blocks.count) backbone blocks and \(taskCount) tasks")
        let copies = [first.blocks] + (1..<max(1, tree.nodeCounts.max()!)).map { _ in backbone().blocks }
        return BranchedNetwork(tree: tree, heads: taskHeads) { layer, node in copies[node][layer] }
    }
    let nodeCount = options.branchNodeCount ?? taskCount
    checkPrecondition(nodeCount >= 1, "makeNetwork(ltb): \(nodeCount) nodes per layer")
    let copies = [first.blocks] + (1..<nodeCount).map { _ in backbone().blocks }
    return BranchingSearchNetwork(layers: first.blocks.indices.map { layer in copies.map { $0[layer] } },
                                  heads: taskHeads, sampling: options.branchSampling, seed: options.seed &+ 6000)
}

/// What a Learning to Branch search gave: the tree and the branching probabilities after every epoch.
public struct BranchingSearchResult: Sendable {
    /// The tree of argmax parents after the last epoch.
    public var tree: BranchingTree
    /// softmax(θ) after each epoch (`BranchingSearchNetwork.parentProbabilities`), epochs from 1.
    public var probabilities: [[[[Float]]]]
    /// The temperature τ of each epoch (nil: warm-up).
    public var temperatures: [Float?]
    /// The search's epoch records.
    public var history: [EpochRecord]
}

/// Runs the search of Learning to Branch on `data`: builds the search network (`makeNetwork` without a
/// tree), trains it for `options.searchEpochs` epochs — the weights with Adam at `learningRate`, the
/// logits θ at `options.branchLearningRate`, the temperature from `BranchingTemperatureSchedule` — and
/// returns the tree of argmax parents.
///
/// `training` gives the batch size, seed, mode and printing; with a `diagnosticsURL`, the search writes
/// its epochs' diagnostics beside it (`searchDiagnosticsURL`), each line with `"phase": "search"` and
/// `"branching"` (`BranchingSearchRecorder`; `mtl train` puts them before the retraining's lines). Its log,
/// checkpoints, schedule and early stopping are not used. The balancer is `balancing`'s, except AdaTask,
/// which is its own optimizer: the search then uses equal weighting.
public func searchBranching(data: DatasetSplits<MultiTaskDataset>, options: ArchitectureOptions,
                            balancing: BalancingMethod = .equal, learningRate: Float = 1e-3,
                            training: Trainer.Configuration) throws -> BranchingSearchResult {
    var searchOptions = options
    searchOptions.branchingTree = nil
    let model = makeNetwork(.learningToBranch, tasks: data.train.tasks, inputShape: data.train.inputShape,
                            options: searchOptions) as! BranchingSearchNetwork
    let balancer = balancing == .adaTask
        ? EqualWeighting() : balancing.make(for: model, learningRate: learningRate, seed: options.seed).balancer
    let logits = Set(model.logits.map(ObjectIdentifier.init))
    let optimizer = Adam(groups: [
        ParameterGroup(parameters: model.parameters().filter { !logits.contains(ObjectIdentifier($0)) },
                       learningRate: learningRate),
        ParameterGroup(parameters: model.logits, learningRate: options.branchLearningRate),
    ])
    var configuration = training
    configuration.epochs = options.searchEpochs
    configuration.logURL = nil
    configuration.checkpointURL = nil
    configuration.bestCheckpointURL = nil
    configuration.learningRateSchedule = nil
    configuration.earlyStoppingPatience = nil
    configuration.diagnosticsURL = training.diagnosticsURL.map(searchDiagnosticsURL)
    let trainer = Trainer(model: model, optimizer: optimizer, balancer: balancer, configuration: configuration)
    let recorder = BranchingSearchRecorder(schedule: BranchingTemperatureSchedule(searchEpochs: options.searchEpochs))
    trainer.observers = [recorder]
    let history = try trainer.fit(data.train, validation: data.validation)
    return BranchingSearchResult(tree: model.tree, probabilities: recorder.history.map(\.probabilities),
                                 temperatures: recorder.history.map(\.temperature), history: history)
}

/// Where `searchBranching` writes the search's diagnostics for a run whose diagnostics go to
/// `diagnosticsURL`: the same folder, the name prefixed with `search-`.
public func searchDiagnosticsURL(_ diagnosticsURL: URL) -> URL {
    diagnosticsURL.deletingLastPathComponent().appendingPathComponent("search-" + diagnosticsURL.lastPathComponent)
}

extension Architecture {
    /// Whether the architecture searches its structure before training it (Learning to Branch).
    public var searchesStructure: Bool { self == .learningToBranch }
}
