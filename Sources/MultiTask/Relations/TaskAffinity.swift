import Foundation
import TensorCore

/// A task × task affinity matrix: `values[s][t]` says how much source task s helps target task t
/// (larger: more). The estimators fill it differently — Taskonomy's AHP affinities
/// (`TaskonomyAffinity`), the cosine of the tasks' gradients and the lookahead affinity of
/// Fifty et al. (`TrainingAffinities`) — and subset selection (`selectSources`) and task grouping
/// (`bestTaskGrouping`) read any of them.
///
/// Shapes: T tasks; `values` is T × T, row = source, column = target. The diagonal (a task for
/// itself) is kept but the comparisons with a ground truth use the off-diagonal entries only.
public struct TaskAffinity: Sendable, Equatable {
    /// The tasks' names, in the order of the rows and columns.
    public var taskNames: [String]
    /// `values[s][t]`: source s's affinity for target t.
    public var values: [[Double]]
    /// What estimated it (`taskonomy`, `gradient`, `lookahead`, `truth`), for tables and figures.
    public var method: String

    /// An affinity matrix; `values` must be T × T for T = `taskNames.count`.
    public init(taskNames: [String], values: [[Double]], method: String) {
        checkPrecondition(values.count == taskNames.count && values.allSatisfy { $0.count == taskNames.count },
                          "TaskAffinity: \(values.count) rows for \(taskNames.count) tasks (needs T × T)")
        self.taskNames = taskNames
        self.values = values
        self.method = method
    }

    /// The number of tasks T.
    public var taskCount: Int { taskNames.count }

    /// The off-diagonal entries in row-major order (s ≠ t): T(T − 1) numbers, the ones a rank
    /// correlation with a ground truth compares.
    public var offDiagonal: [Double] {
        values.indices.flatMap { s in values.indices.filter { $0 != s }.map { values[s][$0] } }
    }

    /// (A + Aᵀ) / 2: the symmetric part, for estimators whose direction does not matter to a question.
    public var symmetrized: TaskAffinity {
        TaskAffinity(taskNames: taskNames, values: values.indices.map { s in
            values.indices.map { t in (values[s][t] + values[t][s]) / 2 }
        }, method: method)
    }

    /// A plain-text table: one row per source, one column per target, 3 decimals.
    public var table: String {
        let width = max(8, (taskNames.map(\.count).max() ?? 0) + 1)
        func pad(_ text: String) -> String {
            text.count >= width ? String(text.prefix(width)) : String(repeating: " ", count: width - text.count) + text
        }
        var lines = [pad("s \\ t") + taskNames.map { pad($0) }.joined()]
        for (s, row) in values.enumerated() {
            lines.append(pad(taskNames[s]) + row.map { pad(String(format: "%.3f", $0)) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
