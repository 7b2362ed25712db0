import Foundation
import TensorCore
import TaskData

/// The runs of a `Study` and what they say: per arm, each task's test metric (mean ± sd over
/// seeds), Δm% against the baseline paired by seed with its 95% bootstrap interval, and a verdict
/// that says "no detectable difference" whenever the interval contains 0.
public struct StudyResult: Sendable {
    /// The tasks, in the order of each run's per-task values.
    public var tasks: [TaskSpec]
    /// The arm names, in the study's order.
    public var arms: [String]
    /// The seeds summarized; paired comparisons match runs by seed.
    public var seeds: [UInt64]
    /// The arm every other arm is compared with.
    public var baseline: String
    /// Every run, one per (arm, seed).
    public var runs: [StudyRun]

    /// A summary of `runs` for `arms` and `seeds`, compared with `baseline`.
    public init(tasks: [TaskSpec], arms: [String], seeds: [UInt64], baseline: String, runs: [StudyRun]) {
        self.tasks = tasks
        self.arms = arms
        self.seeds = seeds
        self.baseline = baseline
        self.runs = runs
    }

    /// The runs of `arm`, in seed order.
    public func runs(of arm: String) -> [StudyRun] {
        runs.filter { $0.arm == arm }.sorted { $0.seed < $1.seed }
    }

    /// The seeds on which both `arm` and the baseline have finished.
    public func pairedSeeds(_ arm: String) -> [UInt64] {
        let own = Set(runs(of: arm).map(\.seed)), base = Set(runs(of: baseline).map(\.seed))
        return seeds.filter { own.contains($0) && base.contains($0) }
    }

    /// Δm% of `arm` against the baseline, one per paired seed (same seed, same data).
    public func deltaM(of arm: String) -> [Double] {
        let mine = Dictionary(runs(of: arm).map { ($0.seed, $0) }, uniquingKeysWith: { first, _ in first })
        let base = Dictionary(runs(of: baseline).map { ($0.seed, $0) }, uniquingKeysWith: { first, _ in first })
        return pairedSeeds(arm).map { seed in
            MultiTask.deltaM(multiTask: zip(tasks, mine[seed]!.test).map { [$0.metrics[0]: $1] },
                             singleTask: zip(tasks, base[seed]!.test).map { [$0.metrics[0]: $1] })
        }
    }

    /// Δm% of `arm` against the baseline with its paired bootstrap interval; nil without a paired seed.
    public func comparison(of arm: String, seed: UInt64 = 0) -> PairedComparison? {
        let values = deltaM(of: arm).filter(\.isFinite)
        return values.isEmpty ? nil : PairedComparison(differences: values, seed: seed)
    }

    /// Task `task`'s term of Δm% for `arm` against the baseline, one per paired seed:
    /// 100 · s · (M − M_base) / M_base (s = +1 when higher is better), i.e. Δm% over that task alone.
    public func taskTerms(of arm: String, task: Int) -> [Double] {
        let mine = Dictionary(runs(of: arm).map { ($0.seed, $0.test[task]) }, uniquingKeysWith: { first, _ in first })
        let base = Dictionary(runs(of: baseline).map { ($0.seed, $0.test[task]) },
                              uniquingKeysWith: { first, _ in first })
        let metric = tasks[task].metrics[0]
        return pairedSeeds(arm).map { seed in
            MultiTask.deltaM(multiTask: [[metric: mine[seed]!]], singleTask: [[metric: base[seed]!]])
        }
    }

    /// Task `task`'s term of Δm% with its paired bootstrap interval; nil without a finite term.
    public func taskTermComparison(of arm: String, task: Int, seed: UInt64 = 0) -> PairedComparison? {
        let values = taskTerms(of: arm, task: task).filter(\.isFinite)
        return values.isEmpty ? nil : PairedComparison(differences: values, seed: seed)
    }

    /// The paired difference of one task's test metric, `arm` minus the baseline (in the metric's
    /// units; positive is better only for a higher-is-better metric).
    public func taskComparison(of arm: String, task: Int, seed: UInt64 = 0) -> PairedComparison? {
        let paired = pairedSeeds(arm)
        guard !paired.isEmpty else { return nil }
        let mine = Dictionary(runs(of: arm).map { ($0.seed, $0.test[task]) }, uniquingKeysWith: { first, _ in first })
        let base = Dictionary(runs(of: baseline).map { ($0.seed, $0.test[task]) },
                              uniquingKeysWith: { first, _ in first })
        return PairedComparison(paired.map { mine[$0]! }, minus: paired.map { base[$0]! }, seed: seed)
    }

    /// The runs here that differ from the same (arm, seed) in `recorded` — in their test metrics or
    /// selected epochs — as "arm seed s"; empty when every run that `recorded` also holds is
    /// identical. How a notebook checks that its re-run slice reproduces a committed study.
    public func mismatches(against recorded: [StudyRun]) -> [String] {
        runs.compactMap { run in
            guard let row = recorded.first(where: { $0.arm == run.arm && $0.seed == run.seed }) else { return nil }
            return row.test == run.test && row.selectedEpochs == run.selectedEpochs
                ? nil : "\(run.arm) seed \(run.seed)"
        }
    }

    /// Throws `StudyError.notReproduced` unless every run here is in the runs file at `url` with the
    /// same test metrics and selected epochs — how a notebook checks that the slice it re-ran
    /// reproduces a committed study (a run missing from the file counts as not reproduced).
    public func checkReproduces(runsAt url: URL) throws {
        let recorded = try StudyResult.readRuns(from: url)
        let missing = runs.filter { run in !recorded.contains { $0.arm == run.arm && $0.seed == run.seed } }
            .map { "\($0.arm) seed \($0.seed) (not in the file)" }
        let differences = missing + mismatches(against: recorded)
        guard differences.isEmpty else { throw StudyError.notReproduced(path: url.path, runs: differences) }
    }

    /// Mean and sample standard deviation.
    static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                                        : 0
        return (mean, variance.squareRoot())
    }

    /// The first line of every table: what the numbers are.
    public var protocolLine: String {
        let counts = Set(arms.map { runs(of: $0).count }.filter { $0 > 0 })
        guard !counts.isEmpty else { return "No runs yet." }
        let seedText = counts.count == 1 ? "\(counts.first!) seeds" : "\(counts.min()!)–\(counts.max()!) seeds"
        return "Test metrics at the epoch selected on validation, mean ± sd over \(seedText); "
            + "Δm% against \(baseline) paired by seed, with a 95% percentile-bootstrap CI (10,000 resamples); "
            + "\"no detectable difference\" when the CI contains 0."
    }

    /// A markdown table: one row per arm.
    public func markdownTable() -> String {
        let taskColumns = tasks.map {
            "\($0.name) \($0.metrics[0].rawValue) \($0.metrics[0].higherIsBetter ? "↑" : "↓")"
        }
        var lines = [protocolLine, "",
                     "| arm | seeds | " + taskColumns.joined(separator: " | ")
                     + " | Δm% [95% CI] | verdict | epoch | gap |",
                     "|---|---|" + String(repeating: "---|", count: tasks.count) + "---|---|---|---|"]
        for arm in arms {
            let armRuns = runs(of: arm)
            guard !armRuns.isEmpty else { continue }
            var cells = [arm, "\(armRuns.count)"]
            for task in tasks.indices {
                let (mean, deviation) = Self.meanAndDeviation(armRuns.map { $0.test[task] })
                cells.append(String(format: "%.4f ± %.4f", mean, deviation))
            }
            if arm == baseline {
                cells += ["(baseline)", "—"]
            } else if let comparison = comparison(of: arm) {
                cells += [comparison.formatted(), comparison.verdict]
            } else {
                cells += ["—", "—"]
            }
            let epochs = armRuns.map { Double($0.selectedEpochs.reduce(0, +)) / Double($0.selectedEpochs.count) }
            cells.append(String(format: "%.1f", Self.meanAndDeviation(epochs).mean))
            cells.append(String(format: "%.3f", Self.meanAndDeviation(armRuns.map(\.generalizationGap)).mean))
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// A markdown table of where Δm% comes from: per arm and task, the task's term of Δm% against the
    /// baseline (`taskTermComparison`), mean [95% CI] over the paired seeds; "—" without one.
    public func taskTermTable() -> String {
        var lines = ["Per task: each task's term of Δm% against \(baseline), 100 · s · (M − M_base) / M_base, "
                     + "paired by seed, mean [95% CI]; Δm% is their mean over the tasks.", "",
                     "| arm | " + tasks.map(\.name).joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: tasks.count)]
        for arm in arms where arm != baseline && !pairedSeeds(arm).isEmpty {
            let cells = tasks.indices.map { task in
                taskTermComparison(of: arm, task: task)?.formatted() ?? "—"
            }
            lines.append("| \(arm) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// One row per arm: the means, deviations, Δm% and its interval, as CSV.
    public func summaryCSV() -> String {
        var header = ["arm", "seeds"]
        for task in tasks { header += ["\(task.name)_mean", "\(task.name)_sd"] }
        header += ["delta_m", "delta_m_sd", "ci_lower", "ci_upper", "verdict", "selected_epoch", "gap", "seconds"]
        var lines = [header.joined(separator: ",")]
        for arm in arms {
            let armRuns = runs(of: arm)
            guard !armRuns.isEmpty else { continue }
            var cells = [arm, "\(armRuns.count)"]
            for task in tasks.indices {
                let (mean, deviation) = Self.meanAndDeviation(armRuns.map { $0.test[task] })
                cells += [String(mean), String(deviation)]
            }
            if arm != baseline, let comparison = comparison(of: arm) {
                cells += [String(comparison.mean), String(comparison.standardDeviation),
                          String(comparison.confidenceInterval.lower),
                          String(comparison.confidenceInterval.upper), comparison.verdict]
            } else {
                cells += ["0", "0", "0", "0", arm == baseline ? "baseline" : ""]
            }
            let epochs = armRuns.map { Double($0.selectedEpochs.reduce(0, +)) / Double($0.selectedEpochs.count) }
            cells += [String(Self.meanAndDeviation(epochs).mean),
                      String(Self.meanAndDeviation(armRuns.map(\.generalizationGap)).mean),
                      String(Self.meanAndDeviation(armRuns.map(\.seconds)).mean)]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A bar chart of each arm's mean Δm% with its 95% CI as error bars (the baseline left out).
    public func deltaMChart(title: String) -> BarChart {
        let compared = arms.filter { $0 != baseline && comparison(of: $0) != nil }
        let comparisons = compared.map { comparison(of: $0)! }
        var chart = BarChart(title: title, yLabel: "Δm% against \(baseline) (95% CI)", categories: compared,
                             series: [("mean Δm%", comparisons.map(\.mean))])
        chart.errorBars = [comparisons.map(\.confidenceInterval)]
        return chart
    }
}
