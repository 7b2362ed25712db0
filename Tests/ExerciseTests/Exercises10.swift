import Foundation
import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 10's exercises (`Exercises/Student/Chapter10.swift`) against the library's balancers,
/// by hand and with `gradcheck`.
@Suite("Exercises10: balancing losses")
struct Exercises10 {
    let chapter: any Chapter10Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter10Student.self, reference: Chapter10Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter10Student.self, reference: nil)
        #endif
    }

    @Test("10.1 DWA: 1 for the first two epochs, equal rates give equal weights, and DynamicWeightAverage")
    func dwaWeights() throws {
        #expect(try chapter.dwaWeights(history: [], taskCount: 2, temperature: 2) == [1, 1])
        #expect(try chapter.dwaWeights(history: [[3, 1, 2]], taskCount: 3, temperature: 2) == [1, 1, 1])
        isClose(try chapter.dwaWeights(history: [[4, 2], [2, 1]], taskCount: 2, temperature: 2), [1, 1], "equal rates")
        var generator = SeededGenerator(seed: 10)
        for temperature: Float in [0.5, 2, 10] {
            let balancer = DynamicWeightAverage(taskCount: 3, temperature: temperature)
            var history: [[Float]] = []
            for epoch in 0..<5 {
                isClose(try chapter.dwaWeights(history: history, taskCount: 3, temperature: temperature),
                        balancer.currentWeights,
                        rtol: 1e-5, atol: 1e-6, "τ \(temperature), epoch \(epoch)")
                let losses = (0..<3).map { _ in 0.1 + 3 * generator.nextFloat() }
                history.append(losses)
                balancer.epochDidEnd(meanLosses: losses)
            }
        }
        // A task whose loss fell less gets more weight; the weights sum to T.
        let weights = try chapter.dwaWeights(history: [[1, 1], [0.9, 0.5]], taskCount: 2, temperature: 2)
        #expect(weights.count == 2 && weights[0] > weights[1] && abs(weights.reduce(0, +) - 2) < 1e-5, "\(weights)")
    }

    @Test("10.2 uncertainty loss: its value, gradcheck, and ∂L/∂s_t = 0 at e^{s_t} = L_t")
    func uncertaintyLoss() throws {
        let losses = Tensor([0.5, 4, 100]), s = Tensor([-0.5, 0, 1])
        let value = try chapter.uncertaintyLoss(losses: Variable(losses), logVariances: Variable(s))
        let expected = zip(losses.scalars, s.scalars).map { Double($0) / (2 * exp(Double($1))) + Double($1) / 2 }
            .reduce(0, +)
        #expect(value.shape == [], "a scalar")
        isClose([value.value.scalars.first ?? .nan], [Float(expected)], rtol: 1e-5, atol: 1e-5, "L")
        let result = gradcheck("uncertaintyLoss", inputs: [Tensor([0.7, 2, 5]), Tensor([-0.5, 0.3, 1.2])]) {
            (try? chapter.uncertaintyLoss(losses: $0[0], logVariances: $0[1])) ?? ($0[0] * $0[1] * 0).sum()
        }
        #expect(result.passed, "\(result)")
        let optimum = Variable(losses.log(), requiresGradient: true)
        let atOptimum = try chapter.uncertaintyLoss(losses: Variable(losses), logVariances: optimum)
        isClose(gradients(of: atOptimum, wrt: [optimum])[0], Tensor.zeros([3]), atol: 1e-5, "∂L/∂s at s = log L")
    }

    @Test("10.3 geometric loss: its value, its implicit weights L/(T·L_t), scale invariance, and gradcheck")
    func geometricLoss() throws {
        let losses = Variable(Tensor([1, 4, 16]), requiresGradient: true)
        let value = try chapter.geometricLoss(losses: losses)
        #expect(value.shape == [], "a scalar")
        isClose([value.value.scalars.first ?? .nan], [4], rtol: 1e-5, "(1·4·16)^{1/3}")
        isClose(gradients(of: value, wrt: [losses])[0], Tensor([4.0 / 3, 1.0 / 3, 1.0 / 12]), rtol: 1e-4,
                "implicit weights L/(T·L_t)")
        // Scaling one task's loss by 100 scales L by 100^{1/3} and leaves the relative weights L_t·w_t alone.
        let scaled = try chapter.geometricLoss(losses: Variable(Tensor([100, 4, 16])))
        isClose([scaled.value.scalars.first ?? .nan], [4 * Float(pow(100.0, 1.0 / 3))], rtol: 1e-4, "scaled")
        let result = gradcheck("geometricLoss", inputs: [Tensor([0.5, 2, 3, 7])]) {
            (try? chapter.geometricLoss(losses: $0[0])) ?? ($0[0] * 0).sum()
        }
        #expect(result.passed, "\(result)")
    }
}
