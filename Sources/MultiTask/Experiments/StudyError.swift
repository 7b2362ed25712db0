import Foundation

/// Why a study cannot continue from its runs file.
public enum StudyError: Error, Equatable, CustomStringConvertible {
    /// `trainsMissingRuns` is off and no seed has a run of every arm yet.
    case noCompleteSeed
    /// The runs file was written by a study with other settings (listed).
    case changedSettings(path: String, differences: [String])
    /// The runs file's columns are not this study's tasks.
    case otherTasks(path: String)
    /// Runs re-run now differ from those in the runs file, or are missing from it (listed).
    case notReproduced(path: String, runs: [String])
    /// An arm's task groups (`StudyArm.taskGroups`) do not partition the data's tasks.
    case invalidTaskGroups(arm: String, taskCount: Int)
    /// An arm asks for a depth → normals consistency term, but the data have no tasks named "depth"
    /// and "normals".
    case noConsistencyTasks(arm: String)
    /// An arm asks for a swap-cost option (`resetsMomentsOnSwap`, `zeroesUnvisitedHeadWeights`) but is
    /// not one Maximum Roaming network trained with Adam.
    case swapOptionNeedsRoaming(arm: String)

    /// The reason in plain words, with the runs file's path and what differs or is missing.
    public var description: String {
        switch self {
        case .changedSettings(let path, let differences):
            return "\(path) holds runs of a study with other settings (\(differences.joined(separator: "; "))); "
                + "use another output directory"
        case .otherTasks(let path): return "\(path) holds runs on other tasks; use another output directory"
        case .notReproduced(let path, let runs):
            return "these runs do not reproduce \(path): \(runs.joined(separator: ", "))"
        case .invalidTaskGroups(let arm, let taskCount):
            return "arm \(arm): its task groups must split the tasks 0...\(taskCount - 1) into non-empty groups, "
                + "each task in exactly one"
        case .noCompleteSeed: return "no seed has a finished run of every arm yet: nothing to summarize"
        case .noConsistencyTasks(let arm):
            return "arm \(arm): a consistency term needs tasks named depth and normals (the scenes data)"
        case .swapOptionNeedsRoaming(let arm):
            return "arm \(arm): resetting moments and zeroing heads at swaps need one roaming network (no task "
                + "groups) trained with Adam"
        }
    }
}
