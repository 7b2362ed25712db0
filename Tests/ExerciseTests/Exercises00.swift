import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 00's exercises (`Exercises/Student/Chapter00.swift`): the reference solutions, or the
/// student's under `MTL_GRADE=student`.
@Suite("Exercises00: getting started")
struct Exercises00 {
    let chapter: any Chapter00Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter00Student.self, reference: Chapter00Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter00Student.self, reference: nil)
        #endif
    }

    @Test("00.1 the objective Σ w_t L_t: by hand, equal weights, no tasks")
    func weightedObjective() throws {
        #expect(try chapter.weightedObjective(losses: [2, 0.5, 4], weights: [1, 4, 0.25]) == 5)
        #expect(try chapter.weightedObjective(losses: [0.3, 0.7], weights: [1, 1]) == 0.3 + 0.7)
        #expect(try chapter.weightedObjective(losses: [], weights: []) == 0)
        let losses = Tensor.uniform([9], low: 0, high: 3, seed: 1).scalars
        let weights = Tensor.uniform([9], low: 0, high: 2, seed: 2).scalars
        let expected = zip(losses, weights).map { Double($0) * Double($1) }.reduce(0, +)
        isClose([try chapter.weightedObjective(losses: losses, weights: weights)], [Float(expected)], rtol: 1e-5,
                atol: 1e-5, "Σ w_t L_t of random values")
    }

    @Test("00.2 F-score: by hand, edge cases, and the library's metric on random labels")
    func fScore() throws {
        // TP 2, FP 1, FN 1: P = R = 2/3, F = 2/3.
        let f = try chapter.fScore(predicted: [true, true, true, false, false],
                                   actual: [true, true, false, true, false])
        #expect(abs(f - 2.0 / 3) < 1e-12)
        #expect(try chapter.fScore(predicted: [false, false], actual: [true, false]) == 0)
        #expect(try chapter.fScore(predicted: [true, false], actual: [true, false]) == 1)
        var generator = SeededGenerator(seed: 1)
        for trial in 0..<20 {
            let count = 5 + generator.nextInt(below: 60)
            let predicted = (0..<count).map { _ in generator.nextFloat() < 0.5 }
            let actual = (0..<count).map { _ in generator.nextFloat() < 0.4 }
            var metric = TaskMetricAccumulator(spec: TaskSpec(name: "attribute", kind: .multiLabel(labelCount: 1)))
            metric.add(output: Tensor(shape: [count, 1], scalars: predicted.map { $0 ? 1 : -1 }),
                       target: Tensor(shape: [count, 1], scalars: actual.map { $0 ? 1 : 0 }))
            let value = try chapter.fScore(predicted: predicted, actual: actual)
            #expect(abs(value - metric.value(of: .fScore)) < 1e-6, "trial \(trial): \(value) vs the library's")
        }
    }

    @Test("00.3 negative transfer: each metric's direction decides")
    func negativeTransfer() throws {
        // Chapter 00, question 2: accuracy 0.80 → 0.84 (better), error 0.50 → 0.55 (worse).
        #expect(try chapter.negativeTransfer(singleTask: [0.80, 0.50], multiTask: [0.84, 0.55],
                                              higherIsBetter: [true, false]) == [1])
        #expect(try chapter.negativeTransfer(singleTask: [0.9, 0.2, 0.7, 0.4], multiTask: [0.8, 0.1, 0.7, 0.5],
                                              higherIsBetter: [true, false, true, true]) == [0])
        #expect(try chapter.negativeTransfer(singleTask: [1, 1], multiTask: [2, 0],
                                              higherIsBetter: [false, true]) == [0, 1])
    }
}
