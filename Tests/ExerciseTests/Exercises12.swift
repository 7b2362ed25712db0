import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 12's exercises (`Exercises/Student/Chapter12.swift`) by hand and by the statistic's
/// properties.
@Suite("Exercises12: task dominance")
struct Exercises12 {
    let chapter: any Chapter12Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter12Student.self, reference: Chapter12Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter12Student.self, reference: nil)
        #endif
    }

    @Test("12.1 AU: by hand, and a constant update converges to u²")
    func updateAverages() throws {
        let next = try chapter.updateAverages([[1, 0], [0, 2]], updates: [[2, -1], [0.5, 0]], beta: 0.9)
        #expect(next.count == 2)
        isClose(next.flatMap { $0 }, [0.9 + 0.4, 0.1, 0.025, 1.8], "β·AU + (1 − β)·u²")
        var averages: [[Float]] = [[0, 0, 0]]
        for _ in 0..<400 { averages = try chapter.updateAverages(averages, updates: [[3, -2, 0.1]], beta: 0.98) }
        isClose(averages[0], [9, 4, 0.01], rtol: 1e-3, atol: 1e-6, "the average of a constant u² is u²")
    }

    @Test("12.2 dominance: by hand, ties, all-zero scalars, and shares that sum to the nonzero fraction")
    func dominance() throws {
        // Scalar 0: task 1 dominates (shares 0.25, 0.75); scalar 1: task 0 (1, 0); scalar 2: a tie → task 0
        // (0.5, 0.5); scalar 3: all zero → task 0 dominates, adds nothing to the shares.
        let result = try chapter.dominance([[1, 2, 3, 0], [3, 0, 3, 0]])
        #expect(result.dominatedCounts == [3, 1])
        isClose(result.meanShares.map(Float.init), [(0.25 + 1 + 0.5) / 4, (0.75 + 0.5) / 4], "mean shares")
        var generator = SeededGenerator(seed: 12)
        for trial in 0..<10 {
            let averages = (0..<3).map { task in (0..<50).map { _ in generator.nextFloat() * Float(task + 1) } }
            let (counts, shares) = try chapter.dominance(averages)
            #expect(counts.reduce(0, +) == 50, "trial \(trial): every scalar has one dominant task")
            #expect(abs(shares.reduce(0, +) - 1) < 1e-6, "trial \(trial): shares sum to 1")
            for t in 0..<3 {
                let expected = (0..<50).filter { i in
                    (0..<3).allSatisfy { averages[$0][i] < averages[t][i] || $0 == t }
                }
                #expect(counts[t] == expected.count, "trial \(trial), task \(t)")
            }
            #expect(shares[2] > shares[0], "trial \(trial): the task with the largest updates has the largest share")
        }
    }
}
