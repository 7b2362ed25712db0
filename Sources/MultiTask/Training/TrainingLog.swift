import Foundation
import TaskData
import TensorCore

/// Writes the trainer's per-epoch records, one row per (epoch, split, task), as CSV or JSON lines
/// — chosen by the file extension (`.csv`, else JSON lines). Each record is appended and flushed at
/// once, so a log survives an interrupted run.
///
/// CSV columns: `epoch,split,task,loss,weight,<metric>…` (the union of the tasks' metrics; empty
/// where a task lacks one). JSON lines: `{"epoch": 1, "split": "validation", "task": "shape",
/// "loss": 0.41, "fScore": 0.83, …}`.
public final class TrainingLog {
    /// The log file; its extension (`.csv` or not) chooses the format.
    public let url: URL
    let isCSV: Bool
    let metricColumns: [MetricKind]

    /// Opens (creating or, when `appending`, extending) the log for `tasks`.
    public init(url: URL, tasks: [TaskSpec], appending: Bool = false) throws {
        self.url = url
        isCSV = url.pathExtension.lowercased() == "csv"
        metricColumns = MetricKind.allCases.filter { metric in tasks.contains { $0.metrics.contains(metric) } }
        let exists = FileManager.default.fileExists(atPath: url.path)
        if !appending || !exists {
            let header = isCSV
                ? "epoch,split,task,loss,weight," + metricColumns.map(\.rawValue).joined(separator: ",") + "\n" : ""
            guard FileManager.default.createFile(atPath: url.path, contents: Data(header.utf8)) else {
                throw TrainingError.cannotWrite(path: url.path, reason: "cannot create the file")
            }
        }
    }

    /// Appends the rows of one epoch and split. The rows go out in one write; if it fails (a full
    /// disk), the file is cut back to its length before the write — it never ends in half a row —
    /// and `TrainingError.cannotWrite` says why.
    public func write(epoch: Int, split: String, evaluations: [TaskEvaluation], weights: [Float]? = nil) throws {
        var text = ""
        for (index, evaluation) in evaluations.enumerated() {
            let weight = weights.map { String($0[index]) } ?? ""
            if isCSV {
                let values = metricColumns.map { evaluation.metrics[$0].map { String($0) } ?? "" }
                text += "\(epoch),\(split),\(csvField(evaluation.task)),\(evaluation.loss),\(weight),"
                    + values.joined(separator: ",") + "\n"
            } else {
                var fields = ["\"epoch\": \(epoch)", "\"split\": \(Self.jsonString(split))",
                              "\"task\": \(Self.jsonString(evaluation.task))",
                              "\"loss\": \(Self.jsonNumber(evaluation.loss))"]
                if let weights { fields.append("\"weight\": \(Self.jsonNumber(Double(weights[index])))") }
                for metric in metricColumns {
                    if let value = evaluation.metrics[metric] {
                        fields.append("\"\(metric.rawValue)\": \(Self.jsonNumber(value))")
                    }
                }
                text += "{" + fields.joined(separator: ", ") + "}\n"
            }
        }
        try Self.append(Data(text.utf8), to: url)
    }

    /// Appends `data` to the file at `url` with the throwing write; on failure, truncates the file
    /// back to its previous length and throws `TrainingError.cannotWrite` with the reason.
    static func append(_ data: Data, to url: URL) throws {
        let handle: FileHandle
        do { handle = try FileHandle(forWritingTo: url) } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: InputFile.reason(of: error))
        }
        defer { try? handle.close() }
        let length: UInt64
        do { length = try handle.seekToEnd() } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: InputFile.reason(of: error))
        }
        do { try handle.write(contentsOf: data) } catch {
            try? handle.truncate(atOffset: length)
            throw TrainingError.cannotWrite(path: url.path, reason: InputFile.reason(of: error))
        }
    }

    /// Cuts a log (CSV or JSON lines, as written by `TrainingLog` or the trainer's diagnostics) back
    /// to the rows of epochs ≤ `epoch`, dropping a last line without its line end: after a run was
    /// killed between writing its log and its checkpoint, a resumed run would otherwise log those
    /// epochs twice. The file is rewritten atomically; a missing file is left missing.
    public static func truncate(_ url: URL, afterEpoch epoch: Int) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let data: Data
        do { data = try InputFile(url).contents() } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: error.reason)
        }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()   // the text after the last line end: "" when the file ends in a line end
        let isCSV = url.pathExtension.lowercased() == "csv"
        let kept = lines.enumerated().filter { index, line in
            if isCSV && index == 0 { return true }   // the header
            guard let rowEpoch = Self.epoch(of: line, isCSV: isCSV) else { return false }
            return rowEpoch <= epoch
        }.map { String($0.element) + "\n" }
        let result = Data(kept.joined().utf8)
        guard result != data else { return }
        do { try writeAtomically(result, to: url) } catch {
            throw TrainingError.cannotWrite(path: url.path, reason: "\(error)")
        }
    }

    /// The epoch of a log row: the first CSV field, or the `"epoch": N` member that starts a JSON line.
    static func epoch(of line: Substring, isCSV: Bool) -> Int? {
        if isCSV { return line.split(separator: ",", maxSplits: 1).first.flatMap { Int($0) } }
        let prefix = "{\"epoch\": "
        guard line.hasPrefix(prefix) else { return nil }
        return Int(line.dropFirst(prefix.count).prefix { $0.isNumber })
    }

    static func jsonNumber(_ value: Double) -> String { value.isFinite ? String(value) : "null" }

    /// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line end.
    func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal (task names are user text: `jsonStringLiteral`).
    static func jsonString(_ text: String) -> String { jsonStringLiteral(text) }
}
