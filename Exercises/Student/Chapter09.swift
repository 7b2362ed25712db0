// Exercises for chapter 09, "Maximum Roaming" (Tutorials/09-maximum-roaming.md).
// Fill in the bodies of `Chapter09Student`, then grade them:
//     MTL_GRADE=student swift test -c release --filter Exercises09
import MultiTaskKit

/// The exercises of chapter 09: one roaming update of one task's mask, the progress r(c), and the coverage.
public protocol Chapter09Exercises {
    /// **09.1 One roaming update for one task** (chapter 09, first section; Pascal et al., AAAI 2021).
    ///
    /// Task t's mask m_t over a layer's C units is swapped: one never-visited unit (not in B_t) becomes
    /// active, one active unit becomes inactive, both drawn uniformly at random; the new unit joins B_t.
    /// The number of active units stays the same. When every unit has been visited (B_t is all units), or
    /// no unit is active, nothing changes.
    ///
    /// - Parameters:
    ///   - active: m_t, C flags (which units task t uses now).
    ///   - visited: B_t, C flags (which units task t has ever used; every active unit is visited).
    ///   - generator: draw the unit to activate first, `generator.nextInt(below: unvisited.count)`, then the
    ///     unit to deactivate, `generator.nextInt(below: active.count)` (lists in ascending unit order).
    /// - Returns: the new (active, visited).
    static func roam(active: [Bool], visited: [Bool],
                     using generator: inout SeededGenerator) throws -> (active: [Bool], visited: [Bool])

    /// **09.2 The paper's progress r(c)** (chapter 09, first section).
    ///
    /// With round-robin initialization every task starts with round(p·C) active units and each update adds
    /// one never-visited unit, so a layer needs C − round(p·C) updates to finish. After c updates,
    /// r(c) = min(1, c / (C − round(p·C))); r = 1 when no update is needed (p = 1).
    ///
    /// - Parameters: updateCount c ≥ 0; unitCount C ≥ 1; sharingRatio p ∈ [0, 1].
    /// - Returns: r(c) ∈ [0, 1].
    /// - Hint: `(p * Double(C)).rounded()` rounds half away from zero, as the library does.
    static func progress(updateCount: Int, unitCount: Int, sharingRatio: Double) throws -> Double

    /// **09.3 The coverage** (chapter 09, first section; `TaskMask.coverage`).
    ///
    /// The fraction of units visited: the mean over tasks of |B_t| / C.
    ///
    /// - Parameter visited: B_t for every task, `visited[t]` with C flags.
    /// - Returns: the coverage ∈ [0, 1].
    static func coverage(visited: [[Bool]]) throws -> Double
}

/// Your solutions to chapter 09's exercises: replace each `throw` with your code.
public enum Chapter09Student: Chapter09Exercises {
    public static func roam(active: [Bool], visited: [Bool],
                            using generator: inout SeededGenerator) throws -> (active: [Bool], visited: [Bool]) {
        throw ExerciseError.notDone("09.1 roam")
    }

    public static func progress(updateCount: Int, unitCount: Int, sharingRatio: Double) throws -> Double {
        throw ExerciseError.notDone("09.2 progress")
    }

    public static func coverage(visited: [[Bool]]) throws -> Double {
        throw ExerciseError.notDone("09.3 coverage")
    }
}
