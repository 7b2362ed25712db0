import Foundation

extension ArchitectureDiagram {
    /// The network of a Learning to Branch tree (`BranchingTree`): the input, one box per node some task
    /// reaches (column = layer; blue when two or more tasks share it, else its task's colour, labelled
    /// with the tasks through it), then each task's head and output.
    public init(branchingTree tree: BranchingTree, taskNames: [String], title: String = "Learned branching tree") {
        self.init(title: title)
        drawBranching(tree, taskNames: taskNames)
    }

    /// Draws `tree` (see `init(branchingTree:taskNames:title:)`).
    mutating func drawBranching(_ tree: BranchingTree, taskNames: [String]) {
        let tree = tree.canonical
        func name(_ task: Int) -> String { task < taskNames.count ? taskNames[task] : String(task) }
        func taskColour(_ task: Int) -> String { Self.taskColours[task % Self.taskColours.count] }
        let input = box("x", 0, Double(tree.taskCount - 1) / 2)
        var previous: [Int] = []
        for layer in 0..<tree.layerCount {
            let groups = tree.taskGroups(atLayer: layer)
            let boxes = groups.map { group -> Int in
                let row = Double(group.reduce(0, +)) / Double(group.count)
                let label = group.count == tree.taskCount ? "block \(layer) (all)"
                    : "block \(layer): " + group.map(name).joined(separator: ",")
                return box(label, Double(layer + 1), row, group.count >= 2 ? Self.shared : taskColour(group[0]))
            }
            for (index, group) in groups.enumerated() {
                let node = tree.path(task: group[0])[layer]
                let parent = layer == 0 ? input : previous[tree.parents[layer - 1][node]]
                arrows.append((parent, boxes[index], ""))
            }
            // Index boxes by canonical node number (groups are in order of first task = canonical order).
            previous = boxes
        }
        for task in 0..<tree.taskCount {
            let head = box("head \(name(task))", Double(tree.layerCount + 1), Double(task), taskColour(task))
            let output = box("ŷ \(name(task))", Double(tree.layerCount + 2), Double(task))
            arrows += [(previous[tree.path(task: task)[tree.layerCount - 1]], head, ""), (head, output, "")]
        }
    }
}
