import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 09's exercises (`Exercises/Student/Chapter09.swift`) with invariants of roaming and the
/// chapter's numbers.
@Suite("Exercises09: Maximum Roaming")
struct Exercises09 {
    let chapter: any Chapter09Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter09Student.self, reference: Chapter09Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter09Student.self, reference: nil)
        #endif
    }

    @Test("09.1 roaming: one swap per update, the new unit never visited, complete after C − round(pC) updates")
    func roam() throws {
        var generator = SeededGenerator(seed: 9)
        let unitCount = 10
        var active = (0..<unitCount).map { $0 % 2 == 0 }   // 5 active units, p = 0.5
        var visited = active
        for update in 0..<(unitCount - 5) {
            let (newActive, newVisited) = try chapter.roam(active: active, visited: visited, using: &generator)
            let added = (0..<unitCount).filter { newActive[$0] && !active[$0] }
            let removed = (0..<unitCount).filter { !newActive[$0] && active[$0] }
            #expect(added.count == 1 && removed.count == 1, "update \(update): added \(added), removed \(removed)")
            #expect(added.allSatisfy { !visited[$0] }, "update \(update): the new unit must be a never-visited one")
            #expect(newVisited == (0..<unitCount).map { visited[$0] || added.contains($0) },
                    "update \(update): B_t grows by the new unit only")
            (active, visited) = (newActive, newVisited)
        }
        #expect(visited.allSatisfy { $0 }, "every unit visited after C − round(pC) updates")
        let (finalActive, finalVisited) = try chapter.roam(active: active, visited: visited, using: &generator)
        #expect(finalActive == active && finalVisited == visited, "nothing changes once every unit was visited")
    }

    @Test("09.1 roaming draws uniformly: every candidate unit is chosen, with the draws in the documented order")
    func roamIsRandom() throws {
        let active = [true, true, true, false, false, false, true, false]
        let visited = [true, true, true, false, true, false, true, false]
        var addedCounts = [Int](repeating: 0, count: 8), removedCounts = addedCounts
        for seed in 0..<300 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let (newActive, _) = try chapter.roam(active: active, visited: visited, using: &generator)
            for unit in 0..<8 where newActive[unit] != active[unit] {
                if newActive[unit] { addedCounts[unit] += 1 } else { removedCounts[unit] += 1 }
            }
            // The documented draws: the added unit first, then the removed one.
            var replay = SeededGenerator(seed: UInt64(seed))
            let unvisited = [3, 5, 7], current = [0, 1, 2, 6]
            let added = unvisited[replay.nextInt(below: 3)], removed = current[replay.nextInt(below: 4)]
            #expect(newActive[added] && !newActive[removed], "seed \(seed): expected +\(added) −\(removed)")
        }
        #expect([3, 5, 7].allSatisfy { addedCounts[$0] > 60 } && addedCounts[4] == 0, "added: \(addedCounts)")
        #expect([0, 1, 2, 6].allSatisfy { removedCounts[$0] > 40 }, "removed: \(removedCounts)")
    }

    @Test("09.2 progress r(c): the chapter's layers of 16, 32 and 64 units at p = 0.5, and the ends")
    func progress() throws {
        for (units, needed) in [(16, 8), (32, 16), (64, 32)] {
            #expect(try chapter.progress(updateCount: 0, unitCount: units, sharingRatio: 0.5) == 0)
            #expect(try chapter.progress(updateCount: needed / 2, unitCount: units, sharingRatio: 0.5) == 0.5)
            #expect(try chapter.progress(updateCount: needed, unitCount: units, sharingRatio: 0.5) == 1)
            #expect(try chapter.progress(updateCount: needed + 5, unitCount: units, sharingRatio: 0.5) == 1)
        }
        // round(0.3 · 10) = 3: 7 updates.
        #expect(abs(try chapter.progress(updateCount: 2, unitCount: 10, sharingRatio: 0.3) - 2.0 / 7) < 1e-12)
        // round(0.25 · 10) = round(2.5) = 3 (half away from zero): 7 updates.
        #expect(abs(try chapter.progress(updateCount: 1, unitCount: 10, sharingRatio: 0.25) - 1.0 / 7) < 1e-12)
        #expect(try chapter.progress(updateCount: 0, unitCount: 8, sharingRatio: 1) == 1)
    }

    @Test("09.3 coverage: the library's TaskMask while it roams, and coverage = p + (1 − p)·r")
    func coverage() throws {
        let mask = TaskMask(unitCount: 16, taskCount: 3, sharingRatio: 0.5, seed: 4)
        var generator = SeededGenerator(seed: 5)
        for update in 0...8 {
            let rows = (0..<3).map { t in (0..<16).map { mask.visited.value.scalars[t * 16 + $0] == 1 } }
            let value = try chapter.coverage(visited: rows)
            #expect(abs(value - mask.coverage) < 1e-12, "update \(update): \(value) vs \(mask.coverage)")
            let r = try chapter.progress(updateCount: update, unitCount: 16, sharingRatio: 0.5)
            #expect(abs(value - (0.5 + 0.5 * r)) < 1e-12, "update \(update): coverage vs r")
            mask.roam(selection: .random, using: &generator)
        }
    }
}
