import Foundation

extension ArchitectureDiagram {
    /// The expert architectures: experts shared by every task (blue) or owned by one (its colour),
    /// a softmax gate per task mixing the experts it sees, then the task's head. PLE draws two levels,
    /// the first with a shared gate whose mixture feeds the second level's shared expert.
    mutating func drawExperts(_ architecture: Architecture, taskCount: Int) {
        let tasks = 0..<taskCount
        func taskColour(_ task: Int) -> String { Self.taskColours[task % Self.taskColours.count] }
        let span = Double(max(taskCount, 2) - 1)
        let input = box("x", 0, span / 2)
        /// Expert boxes of one level in `column`: the shared ones, then each task's own.
        func level(_ column: Double, sharedCount: Int, ownCount: Int, sharedInput: Int,
                   taskInputs: [Int]) -> (shared: [Int], own: [[Int]]) {
            let count = sharedCount + taskCount * ownCount
            let rowStep = count > 1 ? span / Double(count - 1) : 0
            var row = 0.0
            func next() -> Double { defer { row += rowStep }; return row }
            let shared = (0..<sharedCount).map { index -> Int in
                let expert = box(sharedCount == 1 ? "shared expert" : "expert \(index + 1)", column, next(),
                                 Self.shared)
                arrows.append((sharedInput, expert, ""))
                return expert
            }
            let own = tasks.map { task in
                (0..<ownCount).map { _ -> Int in
                    let expert = box("expert of \(task)", column, next(), taskColour(task))
                    arrows.append((taskInputs[task], expert, ""))
                    return expert
                }
            }
            return (shared, own)
        }
        /// A gate per task over the shared experts and the task's own.
        func gates(_ column: Double, _ experts: (shared: [Int], own: [[Int]]), label: (Int) -> String) -> [Int] {
            tasks.map { task in
                let gate = box(label(task), column, Double(task), taskColour(task))
                for expert in experts.shared + experts.own[task] { arrows.append((expert, gate, "")) }
                return gate
            }
        }
        let inputs = Array(repeating: input, count: taskCount)
        var taskGates: [Int]
        switch architecture {
        case .mixtureOfExperts:
            taskGates = gates(2, level(1, sharedCount: 3, ownCount: 0, sharedInput: input, taskInputs: inputs)) {
                "gate g\($0)(x)"
            }
        case .customizedGateControl:
            taskGates = gates(2, level(1, sharedCount: 1, ownCount: 1, sharedInput: input, taskInputs: inputs)) {
                "gate g\($0)(x)"
            }
        default:
            let first = level(1, sharedCount: 1, ownCount: 1, sharedInput: input, taskInputs: inputs)
            let firstGates = gates(2, first) { "gate g\($0), level 1" }
            let sharedGate = box("shared gate", 2, span + 1, Self.descriptor)
            for expert in first.shared + first.own.flatMap({ $0 }) { arrows.append((expert, sharedGate, "")) }
            let second = level(3, sharedCount: 1, ownCount: 1, sharedInput: sharedGate, taskInputs: firstGates)
            taskGates = gates(4, second) { "gate g\($0), level 2" }
        }
        let column = (boxes.map(\.column).max() ?? 2) + 1
        for task in tasks {
            let head = box("head \(task)", column, Double(task), taskColour(task))
            let output = box("ŷ\(task)", column + 1, Double(task))
            arrows += [(taskGates[task], head, ""), (head, output, "")]
        }
    }
}
