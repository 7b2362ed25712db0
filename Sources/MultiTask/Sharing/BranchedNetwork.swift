import TensorCore
import Autodiff
import NeuralNetworks

/// The network of a Learning to Branch tree (`BranchingTree`), built to be trained from scratch — the
/// retraining step of Guo et al. (*Learning to Branch for Multi-Task Learning*, ICML 2020, §3.3) that
/// LibMTL's implementation of the method leaves out. Each node the tasks reach is one trunk block;
/// task t runs the blocks on its path and its head:
///
///     ŷ_t = h_t(f_{L−1, p_{L−1}(t)}( … f_{0, p_0(t)}(x))),
///
/// p_l(t) task t's node in layer l. Two tasks share exactly the nodes their paths have in common. A
/// tree where every task shares every node is a multi-head network (one trunk, T heads); a tree where
/// they part at the root is T independent networks.
///
/// Shapes: input `[B, …]`; node outputs as the trunk's blocks; head t → task t's output.
///
/// - θ_sh (`sharedParameters()`): the blocks of the nodes two or more tasks reach.
/// - Z (`outputs(_:)`): the output of the deepest node every task reaches, when every node shared by
///   two tasks is shared by all (then the shared blocks reach each loss only through it, as a
///   multi-head trunk's); nil otherwise — a node shared by some tasks only lies outside any tensor
///   all tasks read.
public final class BranchedNetwork: MultiTaskNetwork {
    /// The tree in canonical form (`BranchingTree.canonical`): nodes numbered in order of first task.
    public let tree: BranchingTree
    /// `nodes[l][i]`: the block of node i of inner layer l (canonical numbering).
    public let nodes: [[Module]]
    /// h_t, one per task.
    public let heads: [Module]

    /// The network of `tree` (taken in canonical form), node i of layer l built by `makeNode(l, i)` in
    /// the order layer 0 first, and `heads` (one per task of the tree).
    public init(tree: BranchingTree, heads: [Module], makeNode: (_ layer: Int, _ node: Int) -> Module) {
        let tree = tree.canonical
        checkPrecondition(heads.count == tree.taskCount,
                          "BranchedNetwork: \(heads.count) heads for a tree of \(tree.taskCount) tasks")
        self.tree = tree
        nodes = tree.nodeCounts.enumerated().map { layer, count in (0..<count).map { makeNode(layer, $0) } }
        self.heads = heads
        super.init(taskCount: heads.count)
    }

    /// Task t's output: the blocks on its path, then its head.
    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "BranchedNetwork")
        var activation = input
        for (layer, node) in tree.path(task: task).enumerated() { activation = nodes[layer][node](activation) }
        return heads[task](activation)
    }

    /// Every task's output, each node run once; Z as the type describes.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        var perLayer = [nodes[0].map { $0(input) }]
        for layer in 1..<tree.layerCount {
            let previous = perLayer[layer - 1]
            perLayer.append(nodes[layer].indices.map { nodes[layer][$0](previous[tree.parents[layer - 1][$0]]) })
        }
        let last = tree.parents[tree.layerCount - 1]
        let results = heads.indices.map { heads[$0](perLayer[tree.layerCount - 1][last[$0]]) }
        // Canonical numbering: the one node of a layer every task shares is node 0.
        return MultiTaskOutputs(outputs: results, sharedRepresentation: bottleneckLayer.map { perLayer[$0][0] })
    }

    /// The deepest inner layer whose single reached node every task shares, when every node shared by
    /// two or more tasks is shared by all; nil otherwise (or with one task).
    public var bottleneckLayer: Int? {
        guard taskCount >= 2 else { return nil }
        var deepest: Int?
        for layer in 0..<tree.layerCount {
            let groups = tree.taskGroups(atLayer: layer)
            if groups.count == 1 {
                deepest = layer
            } else if groups.contains(where: { $0.count >= 2 }) {
                return nil
            }
        }
        return deepest
    }

    /// θ_sh: the blocks of the nodes two or more tasks reach.
    public override func sharedParameters() -> [Parameter] {
        (0..<tree.layerCount).flatMap { layer in
            tree.taskGroups(atLayer: layer).filter { $0.count >= 2 }.flatMap { group in
                nodes[layer][tree.path(task: group[0])[layer]].parameters()
            }
        }
    }
}
