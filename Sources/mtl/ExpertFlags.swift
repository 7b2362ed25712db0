import MultiTaskKit

/// The flags of the expert architectures (`mtl train --architecture mmoe|cgc|ple`); the defaults
/// are `ArchitectureOptions`'.
let expertFlags: [Flag] = [
    Flag(name: "experts", kind: .integer(default: ArchitectureOptions().expertCount, range: 1...64),
         help: "mmoe: experts shared by the tasks, each a copy of the backbone (the default is the count of Ma "
            + "et al.'s synthetic experiments)"),
    Flag(name: "shared-experts", kind: .integer(default: ArchitectureOptions().sharedExpertCount, range: 0...64),
         help: "cgc, ple: experts shared by all tasks (per level)"),
    Flag(name: "task-experts", kind: .integer(default: ArchitectureOptions().taskExpertCount, range: 0...64),
         help: "cgc, ple: experts of each task's own (per level); with --shared-experts at least 1 in all"),
    Flag(name: "levels", kind: .integer(default: ArchitectureOptions().levelCount, range: 1...16),
         help: "ple: extraction levels, each a group of the backbone's blocks (at most 2 on vectors, 3 on images "
            + "with the plain backbone); more than 1 needs a shared expert"),
]

extension ArchitectureOptions {
    /// The options with the expert flags' values.
    mutating func setExpertCounts(from flags: Arguments) {
        expertCount = flags.integer("experts")!
        sharedExpertCount = flags.integer("shared-experts")!
        taskExpertCount = flags.integer("task-experts")!
        levelCount = flags.integer("levels")!
    }

    /// The expert flags' values as checkpoint metadata (`run.experts`, …).
    var expertMetadata: [String: String] {
        ["run.experts": String(expertCount), "run.shared-experts": String(sharedExpertCount),
         "run.task-experts": String(taskExpertCount), "run.levels": String(levelCount)]
    }
}

/// A study arm's expert option (`+experts=N` for mmoe, `+shared-experts=N` and `+task-experts=N` for cgc
/// and ple, `+levels=N` for ple), set in `options` with the flag's range check; false when `option` is
/// none of them (or does not apply to `architecture`: the caller then reports it as unknown).
func expertArmOption(_ option: String, of arm: String, architecture: Architecture,
                     into options: inout ArchitectureOptions) throws -> Bool {
    let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { return false }
    let applies: Bool
    switch parts[0] {
    case "experts": applies = architecture == .mixtureOfExperts
    case "shared-experts", "task-experts":
        applies = architecture == .customizedGateControl || architecture == .progressiveLayeredExtraction
    case "levels": applies = architecture == .progressiveLayeredExtraction
    default: applies = false
    }
    guard applies, let flag = expertFlags.first(where: { $0.name == parts[0] }) else { return false }
    do { _ = try Arguments.checked(parts[1], for: flag) } catch let error as UsageError {
        throw UsageError(description: "--arms: '\(excerpt(arm))': \(error.description.dropFirst(2))")
    }
    let value = Int(parts[1])!
    switch parts[0] {
    case "experts": options.expertCount = value
    case "shared-experts": options.sharedExpertCount = value
    case "task-experts": options.taskExpertCount = value
    default: options.levelCount = value
    }
    return true
}
