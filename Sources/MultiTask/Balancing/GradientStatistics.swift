import Foundation
import TensorCore

/// Per-task gradient statistics of the shared parameters: how large each task's gradient is and
/// how much the tasks conflict. For gradients g_t = ∇_{θ_sh} L_t:
///
///     norms[t] = ‖g_t‖,     cosines[s][t] = g_s · g_t / (‖g_s‖ ‖g_t‖)
///
/// A negative cosine is a conflict (a step along one task's gradient increases the other's loss,
/// to first order) — what PCGrad removes and MGDA/Nash-MTL bargain over. The trainer measures them
/// every few steps when `Configuration.gradientStatisticsInterval` is set (T extra backward passes
/// each time) and averages them per epoch.
public struct GradientStatistics: Sendable, Equatable {
    /// The tasks measured (model task indices).
    public var tasks: [Int]
    /// ‖g_t‖ for each measured task, in the order of `tasks`.
    public var norms: [Double]
    /// cos(g_s, g_t) for each pair of measured tasks, `[T, T]`, symmetric.
    public var cosines: [[Double]]

    /// Statistics for `tasks` with their norms and pairwise cosines.
    public init(tasks: [Int], norms: [Double], cosines: [[Double]]) {
        self.tasks = tasks
        self.norms = norms
        self.cosines = cosines
    }

    /// The statistics of per-task gradient vectors.
    public init(tasks: [Int], gradients: [[Float]]) {
        let gram = gramMatrix(gradients)
        let norms = gram.indices.map { gram[$0][$0].squareRoot() }
        self.init(tasks: tasks, norms: norms, cosines: gram.indices.map { s in
            gram.indices.map { t in norms[s] > 0 && norms[t] > 0 ? gram[s][t] / (norms[s] * norms[t]) : 0 }
        })
    }

    /// The element-wise mean of statistics over the same tasks (nil for an empty list).
    public static func mean(_ list: [GradientStatistics]) -> GradientStatistics? {
        guard let first = list.first else { return nil }
        let count = Double(list.count)
        var norms = Array(repeating: 0.0, count: first.norms.count)
        var cosines = first.cosines.map { $0.map { _ in 0.0 } }
        for item in list {
            for s in norms.indices {
                norms[s] += item.norms[s] / count
                for t in norms.indices { cosines[s][t] += item.cosines[s][t] / count }
            }
        }
        return GradientStatistics(tasks: first.tasks, norms: norms, cosines: cosines)
    }

    /// The number of task pairs whose gradients conflict (cosine < 0).
    public var conflictCount: Int {
        var count = 0
        for s in cosines.indices { for t in (s + 1)..<cosines.count where cosines[s][t] < 0 { count += 1 } }
        return count
    }
}
