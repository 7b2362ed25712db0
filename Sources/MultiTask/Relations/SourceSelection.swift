import Foundation
import TensorCore

/// One transfer of Taskonomy's task graph: the frozen encoders of `sources` feeding a readout for
/// `target`, with its affinity for the target. A first-order transfer has one source; higher
/// orders several; `sources == [target]` is the target trained from its own labels (from scratch).
public struct Transfer: Sendable, Equatable {
    /// The source tasks whose encoders the transfer reads (sorted, no repeats).
    public var sources: [Int]
    /// The task the readout predicts.
    public var target: Int
    /// The transfer's affinity for its target (AHP weight, or any estimator's value).
    public var affinity: Double

    /// A transfer; `sources` are sorted and deduplicated.
    public init(sources: [Int], target: Int, affinity: Double) {
        self.sources = Array(Set(sources)).sorted()
        self.target = target
        self.affinity = affinity
    }
}

/// What a selection may spend on supervision: the tasks chosen as sources need labels.
public enum SelectionBudget: Sendable, Equatable {
    /// At most k source tasks.
    case sourceCount(Int)
    /// The supervision budget: task s costs `costs[s]` (say, the labels it needs); the chosen
    /// sources' costs sum to at most `limit`.
    case supervision(costs: [Double], limit: Double)

    func cost(of task: Int) -> Double {
        switch self {
        case .sourceCount: return 1
        case .supervision(let costs, _): return costs[task]
        }
    }

    var limit: Double {
        switch self {
        case .sourceCount(let count): return Double(count)
        case .supervision(_, let limit): return limit
        }
    }
}

/// The chosen taxonomy: which tasks get labels (the sources) and which transfer serves each target.
public struct SourceSelection: Sendable, Equatable {
    /// The chosen source tasks, sorted.
    public var sources: [Int]
    /// For each target (in the order asked), the transfer that serves it.
    public var transfers: [Transfer]
    /// Σ of the chosen transfers' affinities (the objective).
    public var totalAffinity: Double
}

/// Taskonomy's budgeted subset selection (Zamir et al. 2018, §3.4), solved **exactly**.
///
/// The binary integer program: indicators x_s (task s is a source, i.e. supervised) and y_e (transfer
/// e is used),
///
///     maximize   Σ_e y_e · affinity_e
///     subject to Σ_{e into t} y_e = 1            for every target t (one transfer each; the
///                                                 self-transfer [t] → t is "from scratch")
///                y_e ≤ x_s                        for every source s of e
///                Σ_s x_s · cost_s ≤ budget
///
/// Once the sources S are fixed the best y is greedy (each target takes its best transfer whose
/// sources are all in S), so the search is over S only: a branch-and-bound over the tasks in
/// order, include or exclude, pruned by cost and by an optimistic bound (every undecided task
/// included). Exact; worst case 2^T subsets, fine for the task counts of this framework (T ≤ ~20).
///
/// Returns nil when no selection within the budget serves every target.
///
/// - Parameters:
///   - transfers: the candidate transfers (first and higher order, self-transfers included).
///   - taskCount: T; sources are 0..<T.
///   - targets: the targets to serve (default: every task).
///   - budget: a source count or a supervision budget with a cost per task.
public func selectSources(transfers: [Transfer], taskCount: Int, targets: [Int]? = nil,
                          budget: SelectionBudget) -> SourceSelection? {
    let targets = targets ?? Array(0..<taskCount)
    if case .supervision(let costs, _) = budget {
        checkPrecondition(costs.count == taskCount && costs.allSatisfy { $0 >= 0 && $0.isFinite },
                          "selectSources: \(costs.count) costs for \(taskCount) tasks (each finite, ≥ 0)")
    }
    checkPrecondition(transfers.allSatisfy { $0.target < taskCount && $0.sources.allSatisfy { $0 < taskCount } },
                      "selectSources: a transfer names a task outside 0..<\(taskCount)")
    let candidates = targets.map { target in transfers.filter { $0.target == target } }
    var best: (value: Double, sources: [Bool])?
    var included = Array(repeating: false, count: taskCount)

    /// Σ over targets of the best transfer whose sources all pass `allowed`; nil when a target has none.
    func value(_ allowed: (Int) -> Bool) -> Double? {
        var total = 0.0
        for list in candidates {
            guard let top = list.filter({ $0.sources.allSatisfy(allowed) }).map(\.affinity).max() else { return nil }
            total += top
        }
        return total
    }
    func search(_ task: Int, spent: Double) {
        // Optimistic bound: every undecided task (≥ task) included.
        guard let bound = value({ included[$0] || $0 >= task }) else { return }
        if let best, bound <= best.value { return }
        if task == taskCount {
            best = (bound, included)
            return
        }
        let cost = budget.cost(of: task)
        if spent + cost <= budget.limit + 1e-12 {
            included[task] = true
            search(task + 1, spent: spent + cost)
            included[task] = false
        }
        search(task + 1, spent: spent)
    }
    search(0, spent: 0)
    guard let best else { return nil }
    let chosen = targets.indices.map { index in
        candidates[index].filter { $0.sources.allSatisfy { best.sources[$0] } }.max { $0.affinity < $1.affinity }!
    }
    // Report only the sources some chosen transfer uses (an unused included task costs nothing useful).
    let used = Set(chosen.flatMap(\.sources)).sorted()
    return SourceSelection(sources: used, transfers: chosen, totalAffinity: chosen.map(\.affinity).reduce(0, +))
}

extension TaskAffinity {
    /// The first-order transfers of this matrix: s → t with affinity `values[s][t]` for every pair,
    /// the diagonal being each task from scratch.
    public var firstOrderTransfers: [Transfer] {
        values.indices.flatMap { s in values.indices.map { t in Transfer(sources: [s], target: t,
                                                                          affinity: values[s][t]) } }
    }
}
