import Foundation
import TensorCore

/// A partition of tasks into groups that train together, one network per group.
public struct TaskGrouping: Sendable, Equatable {
    /// The groups, each sorted; groups ordered by their first task.
    public var groups: [[Int]]
    /// The within-group affinity of the groups (`score(of:affinity:)`).
    public var score: Double

    /// A grouping and its score.
    public init(groups: [[Int]], score: Double) {
        self.groups = groups
        self.score = score
    }

    /// The within-group affinity of `groups` under `affinity` (`affinity[s][t]`: s's affinity for t),
    /// as Fifty et al. (2021) score a group: each member t receives the mean affinity of its group-mates,
    ///
    ///     score = Σ_g Σ_{t ∈ g} (1 / (|g| − 1)) Σ_{s ∈ g, s ≠ t} A[s][t]      (a lone task adds 0)
    ///
    /// The mean, not the sum: with a sum and positive affinities, one big group would always win,
    /// because it has the most pairs.
    public static func score(of groups: [[Int]], affinity: [[Double]]) -> Double {
        groups.reduce(0) { total, group in
            guard group.count > 1 else { return total }
            let mates = Double(group.count - 1)
            return total + group.reduce(0) { sum, t in
                sum + group.reduce(0) { $0 + ($1 == t ? 0 : affinity[$1][t]) } / mates
            }
        }
    }

    /// The groups written as `{0,1,2} {3,4,5}` (or with `names`).
    public func description(names: [String]? = nil) -> String {
        groups.map { "{" + $0.map { names?[$0] ?? String($0) }.joined(separator: ",") + "}" }.joined(separator: " ")
    }

    /// Random groups of the given sizes (a seeded shuffle cut in order): the control that asks whether
    /// a chosen grouping beats any grouping of the same shape.
    public static func random(sizes: [Int], seed: UInt64) -> [[Int]] {
        checkPrecondition(!sizes.isEmpty && sizes.allSatisfy { $0 >= 1 },
                          "TaskGrouping.random: sizes \(sizes) must be ≥ 1 each")
        var generator = SeededGenerator(seed: seed)
        let order = generator.permutation(sizes.reduce(0, +))
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return order[start..<(start + size)].sorted()
        }.sorted { $0[0] < $1[0] }
    }
}

/// The partition of the T tasks into exactly `groupCount` non-empty groups that maximizes the
/// within-group affinity (`TaskGrouping.score(of:affinity:)`: each task receives the mean affinity
/// of its group-mates) — the grouping step of Fifty et al. (NeurIPS 2021) for disjoint groups.
///
/// Exact: it enumerates every set partition into k blocks (restricted-growth strings; the Stirling
/// number S(T, k) of them, at most 42 525 for T = 10) and keeps the first best. Ties keep the
/// earlier partition in enumeration order, so the answer is deterministic.
///
/// - Parameters:
///   - affinity: T × T, `affinity[s][t]` = s's affinity for t (any estimator; the diagonal is ignored).
///   - groupCount: k, 1 ≤ k ≤ T.
/// - Precondition: T ≤ 12 (the enumeration grows like kᵀ / k!).
public func bestTaskGrouping(affinity: [[Double]], groupCount: Int) -> TaskGrouping {
    let count = affinity.count
    checkPrecondition(count >= 1 && count <= 12 && affinity.allSatisfy { $0.count == count },
                      "bestTaskGrouping: needs a square affinity matrix of 1...12 tasks, got \(count) rows")
    checkPrecondition(groupCount >= 1 && groupCount <= count,
                      "bestTaskGrouping: group count \(groupCount) must be in 1...\(count)")
    var labels = Array(repeating: 0, count: count)
    var best: TaskGrouping?
    // Task i joins an existing group (< used) or opens group `used`; enough tasks must remain to
    // open the groups still missing.
    func assign(_ task: Int, used: Int) {
        if task == count {
            guard used == groupCount else { return }
            let groups = (0..<groupCount).map { group in labels.indices.filter { labels[$0] == group } }
            let score = TaskGrouping.score(of: groups, affinity: affinity)
            if best == nil || score > best!.score { best = TaskGrouping(groups: groups, score: score) }
            return
        }
        guard groupCount - used <= count - task else { return }
        for label in 0...min(used, groupCount - 1) {
            labels[task] = label
            assign(task + 1, used: max(used, label + 1))
        }
    }
    assign(0, used: 0)
    return best!
}
