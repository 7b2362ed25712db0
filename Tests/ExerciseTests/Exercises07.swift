import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 07's exercises (`Exercises/Student/Chapter07.swift`).
@Suite("Exercises07: task conditioning")
struct Exercises07 {
    let chapter: any Chapter07Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter07Student.self, reference: Chapter07Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter07Student.self, reference: nil)
        #endif
    }

    @Test("07.1 FiLM: by hand on [N, C], and the definition on a [N, C, H, W] feature map")
    func film() throws {
        let h = Tensor([[1, 2], [3, 4]])
        #expect(try chapter.film(features: h, gamma: [2, -1], beta: [0.5, 1]) == Tensor([[2.5, -1], [6.5, -3]]))
        let map = Tensor.normal([2, 3, 4, 5], seed: 7)
        let gamma = Tensor.normal([3], seed: 8).scalars, beta = Tensor.normal([3], seed: 9).scalars
        let out = try chapter.film(features: map, gamma: gamma, beta: beta)
        #expect(out.shape == map.shape)
        var expected = map
        for n in 0..<2 { for c in 0..<3 { for y in 0..<4 { for x in 0..<5 {
            expected.setScalar(gamma[c] * map.scalar(at: [n, c, y, x]) + beta[c], at: [n, c, y, x])
        } } } }
        isClose(out, expected, "γ_c · h[n, c, y, x] + β_c")
    }

    @Test("07.2 FiLM parameters reproduce any linear head through the shared output layer")
    func filmParameters() throws {
        for seed in 0..<10 {
            let width = 3 + seed % 4
            let w = Tensor.normal([width], seed: UInt64(100 + seed)).scalars.map { $0 + ($0 < 0 ? -0.2 : 0.2) }
            let v = Tensor.normal([width], seed: UInt64(200 + seed)).scalars
            let (b, c): (Float, Float) = (Float(seed) * 0.3 - 1, 2 - Float(seed) * 0.5)
            let (gamma, beta) = try chapter.filmParameters(sharedWeight: w, sharedBias: b, taskWeight: v, taskBias: c)
            #expect(gamma.count == width && beta.count == width)
            guard gamma.count == width && beta.count == width else { continue }
            for trial in 0..<5 {
                let h = Tensor.normal([width], seed: UInt64(1000 * seed + trial)).scalars
                var shared = b, head = c
                for i in 0..<width { shared += w[i] * (gamma[i] * h[i] + beta[i]); head += v[i] * h[i] }
                isClose([shared], [head], rtol: 1e-4, atol: 1e-4,
                        "seed \(seed), h #\(trial): w·(γ⊙h+β)+b vs v·h+c")
            }
        }
    }
}
