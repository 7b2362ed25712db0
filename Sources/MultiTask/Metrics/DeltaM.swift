import TensorCore
import TaskData

/// Δm%, the average relative improvement of a multi-task model over single-task baselines
/// (Maninis et al., *Attentive Single-Tasking of Multiple Tasks*, CVPR 2019; METHODS.md):
///
///     Δm% = 100 · (1/T) Σ_t (1/M_t) Σ_m s_{t,m} · (M_mtl − M_stl) / M_stl
///
/// with s = +1 for a higher-is-better metric and −1 otherwise. Positive: better than single-task.
/// A metric whose baseline is 0 has no relative change and is left out of its task's mean (a task
/// left with no metric is left out of the average; NaN if none remains).
///
/// - Parameters:
///   - multiTask: per task, the multi-task model's metric values.
///   - singleTask: per task, the single-task baselines' values for the same metrics.
///   - metrics: per task, which metrics to include (default: all metrics of `multiTask[t]` that
///     `singleTask[t]` also has).
public func deltaM(multiTask: [[MetricKind: Double]], singleTask: [[MetricKind: Double]],
                   metrics: [[MetricKind]]? = nil) -> Double {
    checkPrecondition(multiTask.count == singleTask.count && !multiTask.isEmpty,
                      "deltaM: \(multiTask.count) multi-task and \(singleTask.count) single-task result sets")
    var total = 0.0, tasks = 0
    for task in multiTask.indices {
        let kinds = metrics?[task]
            ?? multiTask[task].keys.filter { singleTask[task][$0] != nil }.sorted { $0.rawValue < $1.rawValue }
        checkPrecondition(!kinds.isEmpty, "deltaM: task \(task) has no metric in common with its baseline")
        var taskTotal = 0.0, used = 0
        for metric in kinds {
            let mtl = multiTask[task][metric]!, stl = singleTask[task][metric]!
            guard stl != 0, stl.isFinite, mtl.isFinite else { continue }
            let sign: Double = metric.higherIsBetter ? 1 : -1
            taskTotal += sign * (mtl - stl) / stl
            used += 1
        }
        guard used > 0 else { continue }
        total += taskTotal / Double(used)
        tasks += 1
    }
    return tasks == 0 ? .nan : 100 * total / Double(tasks)
}
