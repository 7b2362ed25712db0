import Foundation
import MultiTaskKit

// A user's dataset split, standardized and recorded: what a run's checkpoint keeps of its data so
// that `mtl eval` can rebuild the same splits (and refuse files that changed since), and `mtl
// predict` can treat new inputs as the training inputs were treated.
//
// Checkpoint metadata of a user-data run, beside the `run.<flag>` settings (`run.data` or
// `run.inputs` and `run.targets` as absolute paths, `run.tasks` with every kind and count resolved):
//
//   data.checksums          one line per file: "fnv1a64:<16 hex digits>  <absolute path>"
//   data.rows               the rows (samples) read
//   data.input-shape        one input's shape: "12" (features) or "1,28,28" (channels, height, width)
//   data.input-columns      a CSV table's input columns, one per line, in order
//   data.input-mean         μ per column or channel, comma-separated (absent with --standardize none)
//   data.input-deviation    σ per column or channel
//   data.target-mean.T      μ per output of the regression task T (--standardize inputs-and-targets)
//   data.target-deviation.T σ per output of T

/// A user's dataset split and standardized for one seed.
struct PreparedUserData {
    var splits: DatasetSplits<MultiTaskDataset>
    /// The inputs' statistics on the training split; nil with `--standardize none`.
    var inputStandardization: Standardization?
    /// Per task, its regression targets' statistics on the training split (`--standardize
    /// inputs-and-targets`); nil for other tasks.
    var targetStandardizations: [Standardization?]
}

extension UserDataSource {
    /// Splits the rows as `MultiTaskDataset.split` does with seed `seed + 2` (as the generated
    /// datasets are split), then standardizes every split with statistics of the **training split
    /// only**. Throws when a split would be too small: at least 2 training rows, 1 validation and 1
    /// test row.
    func prepare(_ data: UserDataset, seed: UInt64) throws -> PreparedUserData {
        let count = data.dataset.count
        let sizes = splitSizes(count: count, validationFraction: validationFraction, testFraction: testFraction)
        guard sizes.train >= 2 && sizes.validation >= 1 && sizes.test >= 1 else {
            throw UsageError(description: "\(inputsURL.path): \(count) samples are too few to split "
                             + "\(percent(1 - validationFraction - testFraction))/\(percent(validationFraction))/"
                             + "\(percent(testFraction))% (train \(sizes.train), validation \(sizes.validation), "
                             + "test \(sizes.test)): a run needs at least 2 training, 1 validation and 1 test sample")
        }
        var splits = data.dataset.split(validationFraction: validationFraction, testFraction: testFraction,
                                        seed: seed &+ 2)
        var inputStandardization: Standardization?
        if standardized != .none {
            let statistics = Standardization(fittedTo: splits.train.inputs)
            for part in [\DatasetSplits<MultiTaskDataset>.train, \.validation, \.test] {
                splits[keyPath: part].inputs = statistics.applied(to: splits[keyPath: part].inputs)
            }
            inputStandardization = statistics
        }
        var targetStandardizations = [Standardization?](repeating: nil, count: data.dataset.tasks.count)
        if standardized == .inputsAndTargets {
            for (task, spec) in data.dataset.tasks.enumerated() {
                guard case .regression = spec.kind else { continue }
                // Fitted to the labelled rows only (an unlabelled row's target is a placeholder).
                let labelled = splits.train.labelMask.labelledSamples(task: task)
                let fitted = labelled.isEmpty ? splits.train.targets[task]
                    : splits.train.targets[task].gathering(labelled)
                let statistics = Standardization(fittedTo: fitted)
                for part in [\DatasetSplits<MultiTaskDataset>.train, \.validation, \.test] {
                    splits[keyPath: part].targets[task] = statistics.applied(to: splits[keyPath: part].targets[task])
                }
                targetStandardizations[task] = statistics
            }
        }
        return PreparedUserData(splits: splits, inputStandardization: inputStandardization,
                                targetStandardizations: targetStandardizations)
    }

    /// The `run.<flag>` settings that name this data, as the flags would give them again: absolute
    /// paths, and every task with its resolved kind and count (so that reading them back infers nothing).
    func runSettings(_ data: UserDataset) -> [String: String] {
        var settings = ["run.tasks": data.specifications.joined(separator: ","),
                        "run.standardize": standardized.rawValue,
                        "run.validation-fraction": String(validationFraction),
                        "run.test-fraction": String(testFraction)]
        switch files {
        case .table(let url, let inputColumns):
            settings["run.data"] = url.path
            if let inputColumns { settings["run.input-columns"] = inputColumns.joined(separator: ",") }
        case .arrays(let inputs, let targets):
            settings["run.inputs"] = inputs.path
            settings["run.targets"] = zip(tasks, targets).map { "\($0.name)=\($1.path)" }.joined(separator: ",")
        }
        return settings
    }

    /// The `data.*` record of a run (see the top of this file).
    func dataRecord(_ data: UserDataset, prepared: PreparedUserData, checksums: String) -> [String: String] {
        var record = ["data.checksums": checksums, "data.rows": String(data.dataset.count),
                      "data.input-shape": data.dataset.inputShape.map(String.init).joined(separator: ",")]
        if let columns = data.inputColumns { record["data.input-columns"] = columns.joined(separator: "\n") }
        if let statistics = prepared.inputStandardization {
            record["data.input-mean"] = numbers(statistics.mean)
            record["data.input-deviation"] = numbers(statistics.deviation)
        }
        for (spec, statistics) in zip(data.dataset.tasks, prepared.targetStandardizations) {
            guard let statistics else { continue }
            record["data.target-mean.\(spec.name)"] = numbers(statistics.mean)
            record["data.target-deviation.\(spec.name)"] = numbers(statistics.deviation)
        }
        return record
    }

    /// "fnv1a64:<hex>  <path>" for every file, one per line: what `data.checksums` records.
    func checksums() throws -> String {
        try allURLs.map { url in "fnv1a64:\(try contentChecksum(of: url))  \(url.path)" }.joined(separator: "\n")
    }
}

/// The numbers as `Float.description` writes them (the shortest text that reads back exactly).
func numbers(_ values: [Float]) -> String { values.map(\.description).joined(separator: ",") }

/// `fraction` as a whole percentage.
private func percent(_ fraction: Double) -> String { String(Int((fraction * 100).rounded())) }

/// The 64-bit FNV-1a hash of a file's bytes, as 16 hex digits: a content checksum that notices a
/// changed file (any changed byte changes it, with odds of a miss near 2⁻⁶⁴), not a defence against
/// someone forging one. Fowler–Noll–Vo: h ← (h ⊕ byte) · 1099511628211, from 14695981039346656037.
func contentChecksum(of url: URL) throws -> String {
    let contents: Data
    do { contents = try InputFile(url).contents() } catch { throw fileError(url, error) }
    var hash: UInt64 = 14_695_981_039_346_656_037
    contents.withUnsafeBytes { bytes in
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
    }
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// What a checkpoint records of a user's data (`data.*`), read back and checked: a checkpoint is an
/// untrusted file, so a damaged record is an error, not a crash.
struct RecordedUserData {
    var checksums: String
    var inputShape: [Int]
    var inputColumns: [String]?
    var inputStandardization: Standardization?
    /// By task name.
    var targetStandardizations: [String: Standardization]

    init(metadata: [String: String], tasks: [TaskSpec]) throws {
        func damaged(_ key: String, _ problem: String) -> UsageError {
            UsageError(description: "the checkpoint's \(key) \(problem): was it damaged or edited?")
        }
        guard let checksums = metadata["data.checksums"], let shapeText = metadata["data.input-shape"] else {
            throw UsageError(description: "the checkpoint names user data (run.data or run.inputs) but has no "
                             + "data.checksums or data.input-shape: was it damaged or edited?")
        }
        self.checksums = checksums
        let shape = shapeText.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        // At most 2²² values per input (3×1024×1024 images fit): a larger shape, edited in, would build a
        // network too large for memory before its weights could be compared with the checkpoint's.
        guard [1, 3].contains(shape.count), shape.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 22 }),
              shape.reduce(1.0, { $0 * Double($1 ?? 0) }) <= Double(1 << 22) else {
            throw damaged("data.input-shape", "'\(excerpt(shapeText))' is not a shape [D] or [C, H, W] of at most "
                          + "\(1 << 22) values")
        }
        inputShape = shape.map { $0! }
        if inputShape.count == 3 && min(inputShape[1], inputShape[2]) < 8 {
            throw damaged("data.input-shape", "'\(excerpt(shapeText))' has images smaller than 8×8")
        }
        inputColumns = metadata["data.input-columns"].map { $0.split(separator: "\n").map(String.init) }
        if let columns = inputColumns, inputShape != [columns.count] {
            throw damaged("data.input-columns", "names \(columns.count) columns for inputs of shape \(inputShape)")
        }
        func statistics(_ meanKey: String, _ deviationKey: String, features: Int) throws -> Standardization? {
            guard let meanText = metadata[meanKey], let deviationText = metadata[deviationKey] else {
                guard metadata[meanKey] == nil && metadata[deviationKey] == nil else {
                    throw damaged(meanKey, "comes without \(deviationKey), or the other way round")
                }
                return nil
            }
            func parse(_ text: String) -> [Float]? {
                let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Float($0) }
                return values.contains(nil) ? nil : values.map { $0! }
            }
            guard let mean = parse(meanText), let deviation = parse(deviationText), mean.count == features else {
                throw damaged(meanKey, "does not hold \(features) numbers with \(deviationKey)")
            }
            do { return try Standardization(mean: mean, deviation: deviation) } catch {
                throw damaged(meanKey, "is unusable: \(error)")
            }
        }
        inputStandardization = try statistics("data.input-mean", "data.input-deviation", features: inputShape[0])
        targetStandardizations = [:]
        for spec in tasks {
            guard case .regression(let count) = spec.kind else { continue }
            targetStandardizations[spec.name] = try statistics("data.target-mean.\(spec.name)",
                                                               "data.target-deviation.\(spec.name)", features: count)
        }
    }
}

extension UserDataSource {
    /// Refuses files whose content differs from the checkpoint's record (checked before they are read
    /// as data, so that a changed file is reported as changed, not as whatever it now breaks).
    func checkUnchanged(_ recorded: RecordedUserData) throws {
        var stored: [String: String] = [:]
        for line in recorded.checksums.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            stored[String(parts[1].dropFirst())] = String(parts[0])
        }
        for url in allURLs {
            guard let old = stored[url.path] else {
                throw UsageError(description: "the checkpoint records no checksum of \(url.path): was it damaged or "
                                 + "edited?")
            }
            let now = "fnv1a64:" + (try contentChecksum(of: url))
            guard now == old else {
                throw UsageError(description: "\(url.path) has changed since the run was trained (checksum "
                                 + "\(excerpt(old)) then, \(now) now): its results would not be the run's; train "
                                 + "again, or restore the file")
            }
        }
    }

    /// Refuses a record whose statistics are not those the data give (an edited checkpoint).
    func checkStatistics(_ recorded: RecordedUserData, prepared: PreparedUserData, tasks: [TaskSpec]) throws {
        var same = recorded.inputStandardization == prepared.inputStandardization
        for (spec, statistics) in zip(tasks, prepared.targetStandardizations) {
            same = same && recorded.targetStandardizations[spec.name] == statistics
        }
        guard same else {
            throw UsageError(description: "the checkpoint's standardization statistics (data.input-mean, …) are not "
                             + "those of its training split: was it edited?")
        }
    }
}
