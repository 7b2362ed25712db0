import Foundation
import TensorCore
import TaskData

/// The runs file of a study (`runs.csv`): one row per finished run, appended at once, read back on
/// a rerun so that a study resumes where it stopped.
extension StudyResult {
    /// The CSV header of the runs file for `tasks`.
    static func header(tasks: [TaskSpec]) -> String {
        var columns = ["arm", "seed", "epochs_trained", "parameters", "seconds"]
        for task in tasks {
            columns += ["\(task.name)_epoch", "\(task.name)_test", "\(task.name)_validation", "\(task.name)_test_loss",
                        "\(task.name)_train_loss"]
        }
        return columns.joined(separator: ",")
    }

    /// Appends one run as a CSV row (writing the header first into a new file), flushed at once.
    static func append(_ run: StudyRun, tasks: [TaskSpec], to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            try writeAtomically(Data((header(tasks: tasks) + "\n").utf8), to: url)
        }
        var cells = [run.arm, String(run.seed), String(run.epochsTrained), String(run.parameterCount),
                     String(run.seconds)]
        for task in tasks.indices {
            cells += [String(run.selectedEpochs[task]), String(run.test[task]), String(run.validation[task]),
                      String(run.testLoss[task]), String(run.trainLoss[task])]
        }
        try TrainingLog.append(Data((cells.joined(separator: ",") + "\n").utf8), to: url)
    }

    /// The runs in a runs file (a missing file has none). A last line without its line end (a run
    /// killed while writing) is ignored; a malformed row is a `DataLoadingError`.
    public static func readRuns(from url: URL) throws -> [StudyRun] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let table = try CSVText(contentsOf: url)
        guard let header = table.rows.first else { return [] }
        let taskCount = (header.count - 5) / 5
        guard header.count == 5 + 5 * taskCount, header.starts(with: ["arm", "seed", "epochs_trained", "parameters",
                                                                      "seconds"]) else {
            throw DataLoadingError.malformed(format: "study CSV", reason: "\(url.path) has an unknown header")
        }
        var seen = Set<String>()
        return try table.rows.dropFirst().enumerated().map { index, cells in
            func number(_ column: Int) throws -> Double {
                guard column < cells.count, let value = Double(cells[column]), value.isFinite else {
                    throw DataLoadingError.malformed(format: "study CSV",
                                                     reason: "\(url.path) row \(index + 1) column \(column + 1) "
                                                     + "is not a finite number")
                }
                return value
            }
            func count(_ column: Int) throws -> Int {
                let value = try number(column)
                guard value.rounded() == value, value >= 0, value <= 1e12 else {
                    throw DataLoadingError.malformed(format: "study CSV",
                                                     reason: "\(url.path) row \(index + 1) column \(column + 1) "
                                                     + "is not a count")
                }
                return Int(value)
            }
            guard cells.count == header.count, seen.insert("\(cells[0]),\(cells[1])").inserted else {
                throw DataLoadingError.malformed(format: "study CSV",
                                                 reason: "\(url.path) row \(index + 1) has \(cells.count) cells "
                                                 + "or repeats a run")
            }
            guard let seed = UInt64(cells[1]) else {
                throw DataLoadingError.malformed(format: "study CSV",
                                                 reason: "\(url.path) row \(index + 1) has no seed")
            }
            let base = 5
            let epochsTrained = try count(2)
            let selected = try (0..<taskCount).map { try count(base + 5 * $0) }
            guard selected.allSatisfy({ $0 >= 1 && $0 <= epochsTrained }) else {
                throw DataLoadingError.malformed(format: "study CSV",
                                                 reason: "\(url.path) row \(index + 1): a selected epoch "
                                                 + "outside 1...\(epochsTrained)")
            }
            return StudyRun(arm: cells[0], seed: seed,
                            selectedEpochs: selected,
                            epochsTrained: epochsTrained,
                            test: try (0..<taskCount).map { try number(base + 5 * $0 + 1) },
                            validation: try (0..<taskCount).map { try number(base + 5 * $0 + 2) },
                            testLoss: try (0..<taskCount).map { try number(base + 5 * $0 + 3) },
                            trainLoss: try (0..<taskCount).map { try number(base + 5 * $0 + 4) },
                            parameterCount: try count(3), seconds: try number(4))
        }
    }
}

extension StudyResult {
    /// Cuts a runs file back to its last line end: a run killed while its row was being written
    /// leaves part of a row, which the next appended row would otherwise continue.
    static func dropPartialRow(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let data: Data
        do { data = try InputFile(url).contents() } catch { throw DataLoadingError.cannotRead(path: url.path,
            reason: error.reason) }
        guard let last = data.last, last != UInt8(ascii: "\n") else { return }
        let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { data[...$0] } ?? Data()
        try writeAtomically(Data(keep), to: url)
    }
}

/// Comma-separated lines without quoting (the study's own files), whole lines only.
struct CSVText {
    var rows: [[String]]

    init(contentsOf url: URL) throws {
        let data: Data
        do { data = try InputFile(url).contents() } catch { throw DataLoadingError.cannotRead(path: url.path,
            reason: error.reason) }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()   // after the last line end: "" for a complete file, a cut row otherwise
        rows = lines.filter { !$0.isEmpty }.map { $0.split(separator: ",",
                                                           omittingEmptySubsequences: false).map(String.init) }
    }
}
