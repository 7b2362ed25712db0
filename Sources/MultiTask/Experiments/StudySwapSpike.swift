import Foundation
import TensorCore
import TaskData

/// What the roaming swaps of one study run did to one task's training loss (`RoamingSwapLosses`):
/// the mean step-to-step change of the loss at the steps where roaming changed a mask, and at the
/// other steps while roaming was under way. Their difference, `excess`, is the swap's cost in loss
/// units: a positive excess is a spike.
public struct StudySwapSpike: Sendable, Equatable {
    /// The arm's name.
    public var arm: String
    /// The run's seed.
    public var seed: UInt64
    /// The task's name.
    public var task: String
    /// The swaps recorded (roaming steps that followed another training step).
    public var swapCount: Int
    /// The mean of L_t(s) − L_t(s − 1) over the swap steps s.
    public var meanChangeAtSwaps: Double
    /// The ordinary steps recorded while roaming was under way (before the last swap).
    public var ordinaryCount: Int
    /// The mean of L_t(s) − L_t(s − 1) over those ordinary steps; nil without any (Δ = 1 batch: every
    /// step while roaming lasts is a swap).
    public var meanOrdinaryChange: Double?

    /// One task of one run, as the study records it.
    public init(arm: String, seed: UInt64, task: String, swapCount: Int, meanChangeAtSwaps: Double,
                ordinaryCount: Int, meanOrdinaryChange: Double?) {
        self.arm = arm
        self.seed = seed
        self.task = task
        self.swapCount = swapCount
        self.meanChangeAtSwaps = meanChangeAtSwaps
        self.ordinaryCount = ordinaryCount
        self.meanOrdinaryChange = meanOrdinaryChange
    }

    /// The swap's excess change: `meanChangeAtSwaps − meanOrdinaryChange`; nil without ordinary steps.
    public var excess: Double? { meanOrdinaryChange.map { meanChangeAtSwaps - $0 } }

    /// One row per task of a run's recorder (none when it saw no swap; none for a task whose losses
    /// around the swaps were never finite, e.g. never labelled).
    public static func rows(arm: String, seed: UInt64, tasks: [TaskSpec], recorder: RoamingSwapLosses)
        -> [StudySwapSpike] {
        let atSwaps = recorder.meanSpikes, ordinary = recorder.meanOrdinaryChanges
        guard atSwaps.count == tasks.count else { return [] }
        return tasks.indices.filter { atSwaps[$0].isFinite }.map { task in
            StudySwapSpike(arm: arm, seed: seed, task: tasks[task].name, swapCount: recorder.records.count,
                           meanChangeAtSwaps: atSwaps[task], ordinaryCount: recorder.ordinaryCountWhileRoaming,
                           meanOrdinaryChange: ordinary.isEmpty || !ordinary[task].isFinite ? nil : ordinary[task])
        }
    }
}

/// The swaps file of a study (`swaps.csv` beside `runs.csv`): one row per task of every roaming run,
/// written when the run finishes, just before its row in the runs file. Reading keeps the last rows
/// written for each (arm, seed, task) — a run killed before its runs row writes them again on a rerun.
public enum StudySwapSpikes {
    static let header = "arm,seed,task,swaps,mean_change_at_swaps,ordinary_steps,mean_ordinary_change"

    /// Appends `rows` (one run's tasks) to the swaps file at `url`, creating it with its header; no
    /// rows, no file.
    public static func append(_ rows: [StudySwapSpike], to url: URL) throws {
        guard !rows.isEmpty else { return }
        if !FileManager.default.fileExists(atPath: url.path) {
            try writeAtomically(Data((header + "\n").utf8), to: url)
        }
        let lines = rows.map { row in
            [row.arm, String(row.seed), row.task, String(row.swapCount), String(row.meanChangeAtSwaps),
             String(row.ordinaryCount), row.meanOrdinaryChange.map { String($0) } ?? ""]
                .joined(separator: ",") + "\n"
        }
        try TrainingLog.append(Data(lines.joined().utf8), to: url)
    }

    /// The rows of a swaps file (a missing file has none), the last written for each (arm, seed,
    /// task), in file order. A cut last line is ignored; a malformed row is a `DataLoadingError`.
    public static func read(from url: URL) throws -> [StudySwapSpike] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let table = try CSVText(contentsOf: url)
        guard let first = table.rows.first else { return [] }
        guard first.joined(separator: ",") == header else {
            throw DataLoadingError.malformed(format: "study swaps CSV", reason: "\(url.path) has an unknown header")
        }
        var rows: [StudySwapSpike] = []
        for (index, cells) in table.rows.dropFirst().enumerated() {
            let change = cells.count == 7 && !cells[6].isEmpty ? Double(cells[6]) : nil
            guard cells.count == 7, let seed = UInt64(cells[1]), let swaps = Int(cells[3]), swaps >= 0,
                  let atSwaps = Double(cells[4]), atSwaps.isFinite, let ordinary = Int(cells[5]), ordinary >= 0,
                  cells[6].isEmpty || change?.isFinite == true, change == nil || ordinary > 0 else {
                throw DataLoadingError.malformed(format: "study swaps CSV", reason: "\(url.path) row \(index + 1) "
                                                 + "is not ARM,SEED,TASK,SWAPS,CHANGE,STEPS,CHANGE with finite numbers "
                                                 + "(the last may be empty; with STEPS 0 it must be)")
            }
            let row = StudySwapSpike(arm: cells[0], seed: seed, task: cells[2], swapCount: swaps,
                                     meanChangeAtSwaps: atSwaps, ordinaryCount: ordinary, meanOrdinaryChange: change)
            rows.removeAll { $0.arm == row.arm && $0.seed == row.seed && $0.task == row.task }
            rows.append(row)
        }
        return rows
    }
}
