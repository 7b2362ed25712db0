import TensorCore

/// Which tasks a training step visits (for multi-input data, where each task has its own samples).
public enum TaskSampler: Sendable, Equatable {
    /// Every task, every step.
    case all
    /// `count` distinct tasks drawn uniformly.
    case uniform(count: Int)
    /// `count` distinct tasks drawn one after another with probability proportional to their
    /// sample counts N_t (among those not yet drawn) — big tasks are visited more often.
    case proportional(count: Int)
    /// The same tasks every step.
    case fixed([Int])

    /// The task indices for one step, in increasing order. `counts[t]` is N_t.
    public func sample(counts: [Int], using generator: inout SeededGenerator) -> [Int] {
        let taskCount = counts.count
        switch self {
        case .all:
            return Array(0..<taskCount)
        case .uniform(let count):
            checkPrecondition(count >= 1 && count <= taskCount, "TaskSampler.uniform: \(count) of \(taskCount) tasks")
            return Array(generator.permutation(taskCount).prefix(count)).sorted()
        case .proportional(let count):
            checkPrecondition(count >= 1 && count <= taskCount,
                              "TaskSampler.proportional: \(count) of \(taskCount) tasks")
            var remaining = Array(0..<taskCount)
            var picked: [Int] = []
            for _ in 0..<count {
                let total = remaining.reduce(0) { $0 + Double(counts[$1]) }
                var threshold = Double(generator.nextFloat()) * total
                var choice = remaining.count - 1
                for (position, task) in remaining.enumerated() {
                    threshold -= Double(counts[task])
                    if threshold < 0 { choice = position; break }
                }
                picked.append(remaining.remove(at: choice))
            }
            return picked.sorted()
        case .fixed(let tasks):
            checkPrecondition(tasks.allSatisfy { $0 >= 0 && $0 < taskCount },
                              "TaskSampler.fixed: \(tasks) outside 0..<\(taskCount)")
            return tasks
        }
    }

    /// The number of tasks a step visits.
    public func expectedTaskCount(taskCount: Int) -> Double {
        switch self {
        case .all: return Double(taskCount)
        case .uniform(let count), .proportional(let count): return Double(count)
        case .fixed(let tasks): return Double(max(1, tasks.count))
        }
    }
}
