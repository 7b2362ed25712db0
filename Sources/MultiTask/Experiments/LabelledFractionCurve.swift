import Foundation
import TensorCore
import TaskData

/// Studies of one protocol at falling labelled fractions (`MultiTaskDataset.withLabelledFractions`
/// on the training split): the **learning-from-few-labels curve** — each arm's test metric against
/// the fraction of labels kept, with 95% intervals over seeds, and each arm's difference from the
/// baseline arm paired by seed.
///
/// Intervals: the mean over seeds with a 95% percentile-bootstrap interval (`PairedComparison`,
/// 10,000 resamples), both for an arm's metric and for the paired difference; "no detectable
/// difference" when the difference's interval contains 0. The x axis of the figures is log₁₀ of the
/// fraction (the interesting points are the small ones).
public struct LabelledFractionCurve: Sendable {
    /// One study per fraction, in the order run.
    public var points: [(fraction: Double, result: StudyResult)]

    /// A curve of the studies `points` (one per fraction; every study with the same arms, tasks and
    /// baseline).
    public init(points: [(fraction: Double, result: StudyResult)]) {
        checkPrecondition(!points.isEmpty, "LabelledFractionCurve: no points")
        self.points = points
    }

    /// The tasks (of the first study).
    public var tasks: [TaskSpec] { points[0].result.tasks }
    /// The arms (of the first study).
    public var arms: [String] { points[0].result.arms }
    /// The arm the others are compared with.
    public var baseline: String { points[0].result.baseline }

    /// Arm `arm`'s test metric of `task` at a point: the mean over seeds and its 95% interval (NaN
    /// without runs).
    public func metric(_ arm: String, task: Int, at point: Int) -> (mean: Double, lower: Double, upper: Double,
                                                                     seeds: Int) {
        let values = points[point].result.runs(of: arm).map { $0.test[task] }.filter(\.isFinite)
        guard !values.isEmpty else { return (.nan, .nan, .nan, 0) }
        let comparison = PairedComparison(differences: values)
        return (comparison.mean, comparison.confidenceInterval.lower, comparison.confidenceInterval.upper,
                values.count)
    }

    /// `arm` − baseline on `task` at a point, paired by seed (nil without paired runs).
    public func difference(_ arm: String, task: Int, at point: Int) -> PairedComparison? {
        points[point].result.taskComparison(of: arm, task: task)
    }

    /// A markdown table per task: one row per fraction, each arm's mean [95% CI], and each other
    /// arm's paired difference from the baseline with its interval and verdict (in the metric's own
    /// direction: for an error, a negative difference is "better").
    public func markdownTable() -> String {
        var lines: [String] = []
        let others = arms.filter { $0 != baseline }
        for (task, spec) in tasks.enumerated() {
            let kind = spec.metrics[0]
            lines.append("\(spec.name): test \(kind.rawValue) (\(kind.higherIsBetter ? "higher" : "lower") is "
                         + "better), mean [95% CI] over seeds; differences paired by seed")
            lines.append("")
            lines.append("| labelled fraction | " + arms.joined(separator: " | ") + " | "
                         + others.map { "\($0) − \(baseline)" }.joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---|", count: arms.count + others.count))
            for index in points.indices {
                var row = "| \(points[index].fraction) | "
                row += arms.map { arm in
                    let value = metric(arm, task: task, at: index)
                    return String(format: "%.4f [%.4f, %.4f] (n=%d)", value.mean, value.lower, value.upper,
                                  value.seeds)
                }.joined(separator: " | ")
                for arm in others {
                    row += " | " + (difference(arm, task: task, at: index).map {
                        $0.formatted(decimals: 4) + " — " + $0.verdict(higherIsBetter: kind.higherIsBetter)
                    } ?? "—")
                }
                lines.append(row + " |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// One row per (fraction, arm, task): mean and interval of the metric, and of the paired
    /// difference from the baseline (empty for the baseline).
    public func csv() -> String {
        var lines = ["fraction,arm,task,metric,seeds,mean,lower,upper,difference,difference_lower,difference_upper"]
        for index in points.indices {
            for arm in arms {
                for (task, spec) in tasks.enumerated() {
                    let value = metric(arm, task: task, at: index)
                    let paired = arm == baseline ? nil : difference(arm, task: task, at: index)
                    let differenceText = paired.map {
                        "\($0.mean),\($0.confidenceInterval.lower),\($0.confidenceInterval.upper)"
                    } ?? ",,"
                    lines.append("\(points[index].fraction),\(arm),\(spec.name),\(spec.metrics[0].rawValue),"
                                 + "\(value.seeds),\(value.mean),\(value.lower),\(value.upper),\(differenceText)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each arm's test metric of `task` against log₁₀ of the fraction, with its 95% band.
    public func metricPlot(task: Int, title: String) -> LinePlot {
        let kind = tasks[task].metrics[0]
        return LinePlot(title: title, xLabel: "log10 of the fraction of training labels kept",
                        yLabel: "test \(kind.rawValue) (mean, 95% CI band)", series: arms.map { arm in
            let values = points.indices.map { metric(arm, task: task, at: $0) }
            return LinePlot.Series(name: arm, points: zip(points, values).map { (log10($0.fraction), $1.mean) },
                                   band: values.map { ($0.lower, $0.upper) })
        })
    }

    /// Each other arm's paired difference from the baseline on `task` against log₁₀ of the
    /// fraction, with its 95% band.
    public func differencePlot(task: Int, title: String) -> LinePlot {
        let metric = tasks[task].metrics[0]
        return LinePlot(title: title, xLabel: "log10 of the fraction of training labels kept",
                        yLabel: "Δ test \(metric.rawValue) vs \(baseline) (mean, 95% CI band)",
                        series: arms.filter { $0 != baseline }.map { arm in
            let values = points.indices.map { difference(arm, task: task, at: $0) }
            return LinePlot.Series(name: "\(arm) − \(baseline)",
                                   points: zip(points, values).map { (log10($0.fraction), $1?.mean ?? .nan) },
                                   band: values.map { ($0?.confidenceInterval.lower ?? .nan,
                                                       $0?.confidenceInterval.upper ?? .nan) })
        })
    }
}
