import Foundation
import TensorCore
import TaskData

/// One epoch of one study run: where roaming stood at the epoch's end and what the validation and
/// test splits said — the learning curve behind a run's selected epoch. With Maximum Roaming it is
/// the paper's F-score against the update progress r(c) (its figure 1, middle and right).
public struct StudyCurvePoint: Sendable, Equatable {
    /// The arm's name.
    public var arm: String
    /// The run's seed.
    public var seed: UInt64
    /// The epoch, counted from 1.
    public var epoch: Int
    /// r(c) at the epoch's end (`MaximumRoamingNetwork.progress`); nil for a network that does not roam.
    public var progress: Double?
    /// Mean |B_t| / C at the epoch's end (`MaximumRoamingNetwork.coverage`); nil without masks.
    public var coverage: Double?
    /// Per task, the validation and test main metrics after the epoch.
    public var validation: [Double], test: [Double]

    /// One epoch of one run, as the study records it.
    public init(arm: String, seed: UInt64, epoch: Int, progress: Double?, coverage: Double?, validation: [Double],
                test: [Double]) {
        self.arm = arm
        self.seed = seed
        self.epoch = epoch
        self.progress = progress
        self.coverage = coverage
        self.validation = validation
        self.test = test
    }

    /// The mean over tasks of the test main metric (the mean F-score of the attribute tasks).
    public var meanTest: Double { test.reduce(0, +) / Double(max(1, test.count)) }
}

/// The curves file of a study (`curves.csv` beside `runs.csv`): one row per epoch of every run,
/// written when the run finishes, just before its row in the runs file. A run killed before its
/// runs row is trained again on a rerun and writes its rows again; reading keeps the last rows
/// written for each (arm, seed).
public enum StudyCurves {
    static func header(tasks: [TaskSpec]) -> String {
        (["arm", "seed", "epoch", "progress", "coverage"] + tasks.map { "\($0.name)_validation" }
            + tasks.map { "\($0.name)_test" }).joined(separator: ",")
    }

    /// Appends `points` (one run's epochs) to the curves file at `url`, creating it with its header.
    public static func append(_ points: [StudyCurvePoint], tasks: [TaskSpec], to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            try writeAtomically(Data((header(tasks: tasks) + "\n").utf8), to: url)
        }
        let lines = points.map { point -> String in
            let optional: [String] = [point.progress, point.coverage].map { $0.map { String($0) } ?? "" }
            let cells: [String] = [point.arm, String(point.seed), String(point.epoch)] + optional
                + point.validation.map { String($0) } + point.test.map { String($0) }
            return cells.joined(separator: ",") + "\n"
        }
        try TrainingLog.append(Data(lines.joined().utf8), to: url)
    }

    /// The points in a curves file (a missing file has none), the last written for each (arm, seed),
    /// in file order. A cut last line is ignored; a malformed row is a `DataLoadingError`.
    public static func read(from url: URL) throws -> [StudyCurvePoint] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let table = try CSVText(contentsOf: url)
        guard let header = table.rows.first else { return [] }
        let taskCount = (header.count - 5) / 2
        guard taskCount >= 1, header.count == 5 + 2 * taskCount,
              header.starts(with: ["arm", "seed", "epoch", "progress", "coverage"]) else {
            throw DataLoadingError.malformed(format: "study curves CSV", reason: "\(url.path) has an unknown header")
        }
        var points: [StudyCurvePoint] = []
        for (index, cells) in table.rows.dropFirst().enumerated() {
            func problem(_ column: Int) -> DataLoadingError {
                .malformed(format: "study curves CSV", reason: "\(url.path) row \(index + 1) column \(column + 1) "
                           + "is not a finite number")
            }
            func number(_ column: Int) throws -> Double {
                guard column < cells.count, let value = Double(cells[column]), value.isFinite else {
                    throw problem(column)
                }
                return value
            }
            func optional(_ column: Int) throws -> Double? {
                column < cells.count && cells[column].isEmpty ? nil : try number(column)
            }
            guard cells.count == header.count, let seed = UInt64(cells[1]), let epoch = Int(cells[2]), epoch >= 1 else {
                throw DataLoadingError.malformed(format: "study curves CSV",
                                                 reason: "\(url.path) row \(index + 1) is not ARM,SEED,EPOCH,…")
            }
            let point = StudyCurvePoint(arm: cells[0], seed: seed, epoch: epoch, progress: try optional(3),
                                        coverage: try optional(4),
                                        validation: try (0..<taskCount).map { try number(5 + $0) },
                                        test: try (0..<taskCount).map { try number(5 + taskCount + $0) })
            if epoch == 1 { points.removeAll { $0.arm == point.arm && $0.seed == point.seed } }
            points.append(point)
        }
        return points
    }
}
