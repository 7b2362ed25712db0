import TensorCore

/// The architecture a Learning to Branch search chose: for every node, the one parent it reads.
///
/// The search space (`BranchingSearchNetwork`) has L inner layers of nodes — layer 0 reads the input
/// (the root), layer l > 0 reads one node of layer l − 1 — and a last layer of one node per task (the
/// task heads). `parents[l][j]` is the parent in layer l of node j of layer l + 1; `parents[L − 1]`
/// holds the tasks' parents. Following parents from a task up to the root gives its path; two tasks
/// share every node their paths have in common, and branch below the last one.
///
/// Taking the argmax of each child's logits gives the tree (Guo et al., *Learning to Branch for
/// Multi-Task Learning*, ICML 2020, §3.3); `BranchedNetwork` builds it.
public struct BranchingTree: Sendable, Equatable, CustomStringConvertible {
    /// The nodes of each inner layer in the search space, n_0 … n_{L−1}.
    public let nodeCounts: [Int]
    /// `parents[l][j]` ∈ 0..<n_l: the parent of node j of layer l + 1 (of task j for l = L − 1).
    public let parents: [[Int]]

    /// A tree over inner layers of `nodeCounts` nodes; `parents` as the type describes.
    public init(nodeCounts: [Int], parents: [[Int]]) {
        checkPrecondition(BranchingTree.problem(nodeCounts: nodeCounts, parents: parents) == nil,
                          "BranchingTree: \(BranchingTree.problem(nodeCounts: nodeCounts, parents: parents) ?? "")")
        self.nodeCounts = nodeCounts
        self.parents = parents
    }

    /// What is wrong with a tree of these counts and parents, in words; nil when it is one.
    public static func problem(nodeCounts: [Int], parents: [[Int]]) -> String? {
        guard !nodeCounts.isEmpty, nodeCounts.allSatisfy({ $0 >= 1 }), parents.count == nodeCounts.count,
              !(parents.last ?? []).isEmpty else {
            return "node counts \(nodeCounts) need one list of parents per inner layer (and at least one task), "
                + "got \(parents.count)"
        }
        for (layer, list) in parents.enumerated() {
            if layer + 1 < nodeCounts.count && list.count != nodeCounts[layer + 1] {
                return "layer \(layer + 1) has \(nodeCounts[layer + 1]) nodes but \(list.count) parents"
            }
            if let bad = list.first(where: { !(0..<nodeCounts[layer]).contains($0) }) {
                return "parent \(bad) is not one of layer \(layer)'s \(nodeCounts[layer]) nodes"
            }
        }
        return nil
    }

    /// The tree of the argmax parents of `logits`: `logits[l][j]` holds node j of layer l + 1's logits
    /// over layer l's nodes (as `BranchingSearchNetwork.parentLogits` lists them); ties go to the lowest index.
    public init(nodeCounts: [Int], argmaxOf logits: [[[Float]]]) {
        self.init(nodeCounts: nodeCounts, parents: logits.map { layer in
            layer.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0 }
        })
    }

    /// The number of tasks T.
    public var taskCount: Int { parents[parents.count - 1].count }
    /// The number of inner layers L.
    public var layerCount: Int { nodeCounts.count }

    /// Task `task`'s path: its node in each inner layer, layer 0 first.
    public func path(task: Int) -> [Int] {
        var path = [parents[layerCount - 1][task]]
        for layer in stride(from: layerCount - 2, through: 0, by: -1) { path.insert(parents[layer][path[0]], at: 0) }
        return path
    }

    /// The number of inner layers whose node tasks `a` and `b` share (0: they part at the root).
    public func sharedDepth(_ a: Int, _ b: Int) -> Int {
        zip(path(task: a), path(task: b)).prefix { $0 == $1 }.count
    }

    /// The tasks grouped by their node in inner layer `layer`, groups in order of their first task.
    public func taskGroups(atLayer layer: Int) -> [[Int]] {
        var groups: [Int: [Int]] = [:], order: [Int] = []
        for task in 0..<taskCount {
            let node = path(task: task)[layer]
            if groups[node] == nil { order.append(node) }
            groups[node, default: []].append(task)
        }
        return order.map { groups[$0]! }
    }

    /// The same tree with only the nodes some task reaches, numbered per layer in the order the tasks
    /// (0, 1, …) first reach them: two trees that differ only in the names of their nodes have the same
    /// canonical form, and a tree where every task shares every node has one node per layer.
    public var canonical: BranchingTree {
        var labels = [[Int: Int]](repeating: [:], count: layerCount)
        for task in 0..<taskCount {
            for (layer, node) in path(task: task).enumerated() where labels[layer][node] == nil {
                labels[layer][node] = labels[layer].count
            }
        }
        var parents: [[Int]] = labels.indices.map { [Int](repeating: 0, count: $0 + 1 < layerCount
                                                                              ? labels[$0 + 1].count : taskCount) }
        for task in 0..<taskCount {
            let path = path(task: task)
            parents[layerCount - 1][task] = labels[layerCount - 1][path[layerCount - 1]]!
            for layer in 1..<layerCount {
                parents[layer - 1][labels[layer][path[layer]]!] = labels[layer - 1][path[layer - 1]]!
            }
        }
        return BranchingTree(nodeCounts: labels.map(\.count), parents: parents)
    }

    /// The tree as checkpoint metadata: each layer's parents comma-separated, layers separated by `;`
    /// (e.g. `0,0;0,0,0,1,1,1`); `init?(encoded:nodeCounts:)` reads it back.
    public var encoded: String { parents.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";") }

    /// The tree `encoded` describes over inner layers of `nodeCounts` nodes; nil when the text is not
    /// one (a checkpoint is an untrusted file).
    public init?(encoded: String, nodeCounts: [Int]) {
        guard encoded.utf8.count <= 100_000 else { return nil }
        let layers = encoded.split(separator: ";", omittingEmptySubsequences: false).map { layer in
            layer.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        }
        guard layers.allSatisfy({ $0.allSatisfy { $0 != nil } }) else { return nil }
        let parents = layers.map { $0.map { $0! } }
        guard BranchingTree.problem(nodeCounts: nodeCounts, parents: parents) == nil else { return nil }
        self.init(nodeCounts: nodeCounts, parents: parents)
    }

    /// The tree drawn in text, one line per node reached by a task, children indented below their
    /// parent, with the tasks each node serves:
    ///
    ///     input
    ///     └─ layer 0, node 0: tasks 0 1 2 3 4 5
    ///        ├─ layer 1, node 0: tasks 0 1 2
    ///        └─ layer 1, node 1: tasks 3 4 5
    public var description: String { describe(taskNames: (0..<taskCount).map(String.init)) }

    /// `description` with the tasks named.
    public func describe(taskNames: [String]) -> String {
        var lines = ["input"]
        func visit(layer: Int, node: Int, tasks: [Int], indent: String, last: Bool) {
            let names = tasks.map { $0 < taskNames.count ? taskNames[$0] : String($0) }.joined(separator: " ")
            lines.append(indent + (last ? "└─ " : "├─ ") + "layer \(layer), node \(node): tasks \(names)")
            guard layer + 1 < layerCount else { return }
            let children = childGroups(layer: layer + 1, among: tasks)
            for (index, child) in children.enumerated() {
                visit(layer: layer + 1, node: child.node, tasks: child.tasks,
                      indent: indent + (last ? "   " : "│  "), last: index == children.count - 1)
            }
        }
        let roots = childGroups(layer: 0, among: Array(0..<taskCount))
        for (index, root) in roots.enumerated() {
            visit(layer: 0, node: root.node, tasks: root.tasks, indent: "", last: index == roots.count - 1)
        }
        return lines.joined(separator: "\n")
    }

    /// The nodes of `layer` that the `tasks` reach, with the tasks through each, in order of first task.
    func childGroups(layer: Int, among tasks: [Int]) -> [(node: Int, tasks: [Int])] {
        var groups: [(node: Int, tasks: [Int])] = []
        for task in tasks {
            let node = path(task: task)[layer]
            if let index = groups.firstIndex(where: { $0.node == node }) {
                groups[index].tasks.append(task)
            } else {
                groups.append((node, [task]))
            }
        }
        return groups
    }
}
