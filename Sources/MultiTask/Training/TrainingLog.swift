import Foundation
import TaskData

/// Writes the trainer's per-epoch records, one row per (epoch, split, task), as CSV or JSON lines
/// — chosen by the file extension (`.csv`, else JSON lines). Each record is appended and flushed at
/// once, so a log survives an interrupted run.
///
/// CSV columns: `epoch,split,task,loss,weight,<metric>…` (the union of the tasks' metrics; empty
/// where a task lacks one). JSON lines: `{"epoch": 1, "split": "validation", "task": "shape",
/// "loss": 0.41, "fScore": 0.83, …}`.
public final class TrainingLog {
    public let url: URL
    let isCSV: Bool
    let metricColumns: [MetricKind]
    let handle: FileHandle

    /// Opens (creating or, when `appending`, extending) the log for `tasks`.
    public init(url: URL, tasks: [TaskSpec], appending: Bool = false) throws {
        self.url = url
        isCSV = url.pathExtension.lowercased() == "csv"
        metricColumns = MetricKind.allCases.filter { metric in tasks.contains { $0.metrics.contains(metric) } }
        let exists = FileManager.default.fileExists(atPath: url.path)
        if !appending || !exists {
            let header = isCSV ? "epoch,split,task,loss,weight," + metricColumns.map(\.rawValue).joined(separator: ",") + "\n" : ""
            guard FileManager.default.createFile(atPath: url.path, contents: Data(header.utf8)) else {
                throw TrainingError.cannotWrite(path: url.path)
            }
        }
        guard let handle = FileHandle(forWritingAtPath: url.path) else { throw TrainingError.cannotWrite(path: url.path) }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// Appends the rows of one epoch and split.
    public func write(epoch: Int, split: String, evaluations: [TaskEvaluation], weights: [Float]? = nil) {
        var text = ""
        for (index, evaluation) in evaluations.enumerated() {
            let weight = weights.map { String($0[index]) } ?? ""
            if isCSV {
                let values = metricColumns.map { evaluation.metrics[$0].map { String($0) } ?? "" }
                text += "\(epoch),\(split),\(csvField(evaluation.task)),\(evaluation.loss),\(weight)," + values.joined(separator: ",") + "\n"
            } else {
                var fields = ["\"epoch\": \(epoch)", "\"split\": \(Self.jsonString(split))", "\"task\": \(Self.jsonString(evaluation.task))",
                              "\"loss\": \(Self.jsonNumber(evaluation.loss))"]
                if let weights { fields.append("\"weight\": \(Self.jsonNumber(Double(weights[index])))") }
                for metric in metricColumns { if let value = evaluation.metrics[metric] { fields.append("\"\(metric.rawValue)\": \(Self.jsonNumber(value))") } }
                text += "{" + fields.joined(separator: ", ") + "}\n"
            }
        }
        handle.write(Data(text.utf8))
    }

    static func jsonNumber(_ value: Double) -> String { value.isFinite ? String(value) : "null" }

    /// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line end.
    func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal (task names are user text: quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
