import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 11's exercises (`Exercises/Student/Chapter11.swift`) against `MinimumNormSolver` and
/// `PCGrad`, and by their defining properties.
@Suite("Exercises11: multi-objective optimization")
struct Exercises11 {
    let chapter: any Chapter11Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter11Student.self, reference: Chapter11Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter11Student.self, reference: nil)
        #endif
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

    @Test("11.1 MGDA: the chapter's geometry, the clamps, equal gradients, the library and a grid search")
    func mgdaWeight() throws {
        // Chapter 11's figure: g₁ = (−0.5, 0.09), g₂ = (0.5, −1): α ≈ 0.73 on the shorter gradient g₁.
        let figure = try chapter.mgdaWeight([-0.5, 0.09], [0.5, -1])
        #expect(abs(figure - 0.73) < 0.01, "\(figure)")
        #expect(try chapter.mgdaWeight([1, 0], [2, 0]) == 1, "g₁ inside the segment's short end: clamped to 1")
        #expect(try chapter.mgdaWeight([2, 0], [1, 0]) == 0, "clamped to 0")
        #expect(try chapter.mgdaWeight([1, 2], [1, 2]) == 0.5, "equal gradients")
        for seed in 0..<20 {
            let g1 = Tensor.normal([7], seed: UInt64(2 * seed)).scalars
            let g2 = (Tensor.normal([7], seed: UInt64(2 * seed + 1)) * Float(1 + seed % 3)).scalars
            let gamma = try chapter.mgdaWeight(g1, g2)
            let expected = MinimumNormSolver.twoVectorWeight(Self.dot(g1, g1), Self.dot(g1, g2), Self.dot(g2, g2))
            #expect(abs(gamma - expected) < 1e-6, "seed \(seed): \(gamma) vs \(expected)")
            // No γ on a grid of [0, 1] gives a shorter combination.
            func squaredNorm(_ weight: Double) -> Double {
                zip(g1, g2).reduce(0) { let v = weight * Double($1.0) + (1 - weight) * Double($1.1); return $0 + v * v }
            }
            let best = (0...200).map { squaredNorm(Double($0) / 200) }.min()!
            #expect(squaredNorm(gamma) <= best + 1e-9, "seed \(seed): not the minimum-norm point")
        }
    }

    @Test("11.2 PCGrad: no projection without conflict, orthogonality with it, and the library's PCGrad")
    func pcGrad() throws {
        let agreeing = try chapter.pcGrad([1, 2], [2, 1])
        #expect(agreeing.first == [1, 2] && agreeing.second == [2, 1], "g₁·g₂ > 0: unchanged")
        let zero = try chapter.pcGrad([1, 2], [0, 0])
        #expect(zero.first == [1, 2] && zero.second == [0, 0], "a zero gradient projects nothing")
        for seed in 0..<20 {
            let g1 = Tensor.normal([6], seed: UInt64(100 + seed)).scalars
            let g2 = Tensor.normal([6], seed: UInt64(200 + seed)).scalars
            let (first, second) = try chapter.pcGrad(g1, g2)
            let expected = PCGrad(seed: 0).project([g1, g2], step: seed)
            isClose(first, expected[0], rtol: 1e-5, atol: 1e-6, "seed \(seed), g₁ᴾᶜ")
            isClose(second, expected[1], rtol: 1e-5, atol: 1e-6, "seed \(seed), g₂ᴾᶜ")
            if Self.dot(g1, g2) < 0 {
                #expect(abs(Self.dot(first, g2)) < 1e-5 && abs(Self.dot(second, g1)) < 1e-5, "seed \(seed): orthogonal")
                #expect(Self.dot(first, second) >= -1e-6, "seed \(seed): no conflict remains")
            }
        }
    }
}
