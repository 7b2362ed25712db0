import Foundation
import MultiTaskKit

// The flags of partially labelled training and of the depth → normals consistency term, shared by
// `mtl train` and `mtl study`.

/// `--labelled-fraction`: the fraction of training samples that keep each task's label.
let labelledFractionFlag = Flag(
    name: "labelled-fraction", kind: .text(default: "1", placeholder: "F|TASK=F,…"),
    help: "keep each task's label on this fraction of the training samples, drawn by the seed (F in 0...1 for "
        + "every task, or TASK=F,… per task by name or index, the others 1); losses average the labelled samples "
        + "only; validation and test stay fully labelled")

/// `--consistency-weight`: λ of the depth → normals consistency term.
let consistencyWeightFlag = Flag(
    name: "consistency-weight", kind: .number(default: 0, range: 0...1000),
    help: "λ: add λ·(1 − cos(normals from the predicted depth, predicted normals)) to the task losses (scenes "
        + "data: depth and normals tasks; 0: off)")

/// The fractions `--labelled-fraction` gives the tasks: `F` for all of them, or `TASK=F,…` (a task
/// by name or index; the tasks not named keep all their labels).
func labelledFractions(_ text: String, tasks: [TaskSpec], flag: String = "labelled-fraction") throws -> [Double] {
    func fraction(_ value: Substring) throws -> Double {
        guard let number = Double(value), number.isFinite, (0...1).contains(number) else {
            throw UsageError(description: "--\(flag): '\(excerpt(String(value)))' is not a fraction in 0...1 (in "
                             + "'\(excerpt(text))')")
        }
        return number
    }
    if !text.contains("=") { return Array(repeating: try fraction(Substring(text)), count: tasks.count) }
    var fractions = Array(repeating: 1.0, count: tasks.count), named: Set<Int> = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw UsageError(description: "--\(flag) must be F or TASK=F,…, got '\(excerpt(text))'")
        }
        let name = String(parts[0])
        guard let task = tasks.firstIndex(where: { $0.name == name }) ?? Int(name).flatMap({
            tasks.indices.contains($0) ? $0 : nil }) else {
            throw UsageError(description: "--\(flag): no task '\(excerpt(name))' (tasks: "
                             + tasks.map(\.name).joined(separator: ", ") + ", or their indices 0..<\(tasks.count))")
        }
        guard named.insert(task).inserted else {
            throw UsageError(description: "--\(flag): task '\(tasks[task].name)' is named twice")
        }
        fractions[task] = try fraction(parts[1])
    }
    return fractions
}

/// Checks the fractions of `--labelled-fraction` before any data are made (the task names are
/// checked with the data, by `labelledFractions`).
func checkLabelledFractionSyntax(_ text: String, flag: String = "labelled-fraction") throws {
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
        let value = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).last!
        guard let number = Double(value), number.isFinite, (0...1).contains(number),
              text.contains("=") || !text.contains(",") else {
            throw UsageError(description: "--\(flag) must be F or TASK=F,… with fractions F in 0...1, got "
                             + "'\(excerpt(text))'")
        }
    }
}

/// A seed for the labels a run keeps, apart from the data's and the model's.
func labelSeed(_ seed: UInt64) -> UInt64 { seed &+ 0x1ABE_11ED }

/// The splits with the training split partially labelled as `fractions` says (validation and test
/// keep every label); a task left with no labelled training sample is refused.
func partiallyLabelled(_ data: DatasetSplits<MultiTaskDataset>, fractions: [Double],
                       seed: UInt64, flag: String = "labelled-fraction") throws -> DatasetSplits<MultiTaskDataset> {
    guard fractions.contains(where: { $0 < 1 }) else { return data }
    var result = data
    result.train = data.train.withLabelledFractions(fractions, seed: labelSeed(seed))
    for task in data.train.tasks.indices where result.train.labelMask.labelledCount(task: task) == 0 {
        throw UsageError(description: "--\(flag): the task '\(data.train.tasks[task].name)' keeps no label of its "
                         + "\(data.train.count) training samples at fraction \(fractions[task]); raise it")
    }
    return result
}

/// The consistency term of `--consistency-weight` λ for `tasks`: nil for λ = 0; refused when the
/// tasks have no depth and normals.
func consistencyTerm(weight: Double, tasks: [TaskSpec]) throws -> CrossTaskConsistency? {
    guard weight > 0 else { return nil }
    guard let term = CrossTaskConsistency.depthToNormals(tasks: tasks.map(\.name), weight: Float(weight)) else {
        throw UsageError(description: "--consistency-weight: the data have no tasks named depth and normals (it "
                         + "applies to --dataset scenes); tasks: " + tasks.map(\.name).joined(separator: ", "))
    }
    return term
}
