import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 06's exercises (`Exercises/Student/Chapter06.swift`), Δm% against the library's `deltaM`.
@Suite("Exercises06: multi-task basics")
struct Exercises06 {
    let chapter: any Chapter06Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter06Student.self, reference: Chapter06Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter06Student.self, reference: nil)
        #endif
    }

    @Test("06.1 Δm%: chapter 00's question 2, a zero baseline left out, and the library's deltaM on random metrics")
    func deltaM() throws {
        let twoTasks = try chapter.deltaM(multiTask: [[0.84], [0.55]], singleTask: [[0.80], [0.50]],
                                          higherIsBetter: [[true], [false]])
        #expect(abs(twoTasks - -2.5) < 1e-9, "\(twoTasks)")
        // Task 1's first metric has a zero baseline: only its second counts (+10%); task 0: +5%.
        let zeroBaseline = try chapter.deltaM(multiTask: [[1.05], [3, 1.1]], singleTask: [[1], [0, 1]],
                                              higherIsBetter: [[true], [true, true]])
        #expect(abs(zeroBaseline - 7.5) < 1e-9, "\(zeroBaseline)")
        var generator = SeededGenerator(seed: 6)
        let kinds = MetricKind.allCases
        for trial in 0..<30 {
            let taskCount = 1 + generator.nextInt(below: 4)
            var mtl: [[MetricKind: Double]] = [], stl: [[MetricKind: Double]] = [], order: [[MetricKind]] = []
            for _ in 0..<taskCount {
                let picks = generator.permutation(kinds.count).prefix(1 + generator.nextInt(below: 3))
                let chosen = picks.map { kinds[$0] }
                order.append(chosen)
                mtl.append(Dictionary(uniqueKeysWithValues: chosen.map { ($0, Double(0.1 + generator.nextFloat())) }))
                stl.append(Dictionary(uniqueKeysWithValues: chosen.map { ($0, Double(0.1 + generator.nextFloat())) }))
            }
            let value = try chapter.deltaM(multiTask: order.indices.map { t in order[t].map { mtl[t][$0]! } },
                                           singleTask: order.indices.map { t in order[t].map { stl[t][$0]! } },
                                           higherIsBetter: order.map { $0.map(\.higherIsBetter) })
            let expected = MultiTask.deltaM(multiTask: mtl, singleTask: stl)
            #expect(abs(value - expected) < 1e-9 * max(1, abs(expected)), "trial \(trial): \(value) vs \(expected)")
        }
    }

    @Test("06.2 correlated task weights: the formula, unit norm and cos(w₁, w₂) = ρ for orthonormal u")
    func relatedTaskWeights() throws {
        let u1 = Tensor.normal([6], seed: 1).scalars, u2 = Tensor.normal([6], seed: 2).scalars
        for rho: Float in [-0.5, 0, 0.2, 0.8, 1] {
            let (w1, w2) = try chapter.relatedTaskWeights(u1: u1, u2: u2, correlation: rho)
            #expect(w1 == u1)
            isClose(w2, zip(u1, u2).map { rho * $0 + (1 - rho * rho).squareRoot() * $1 }, rtol: 1e-6, atol: 1e-6,
                    "ρ \(rho)")
        }
        // Orthonormal u: e₁ and (0, 0.6, 0.8).
        for rho: Float in [0, 0.3, 0.5, 0.9] {
            let (w1, w2) = try chapter.relatedTaskWeights(u1: [1, 0, 0], u2: [0, 0.6, 0.8], correlation: rho)
            let norm = w2.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(abs(norm - 1) < 1e-6, "‖w₂‖ = \(norm) at ρ \(rho)")
            #expect(abs(zip(w1, w2).map { $0 * $1 }.reduce(0, +) / norm - rho) < 1e-6, "cos at ρ \(rho)")
        }
    }

    @Test("06.3 verdicts: the chapter's intervals, and endpoints at 0")
    func verdict() throws {
        #expect(try chapter.verdict(lower: 16.10, upper: 56.01) == "better")
        #expect(try chapter.verdict(lower: -151.47, upper: -17.61) == "worse")
        #expect(try chapter.verdict(lower: -10.45, upper: 7.30) == "no detectable difference")
        #expect(try chapter.verdict(lower: 0, upper: 3) == "no detectable difference")
        #expect(try chapter.verdict(lower: -2, upper: 0) == "no detectable difference")
    }
}
