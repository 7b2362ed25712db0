import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 15's exercises (`Exercises/Student/Chapter15.swift`) against the library's `mixExperts`,
/// `gradcheck`, and by hand.
@Suite("Exercises15: learning to share")
struct Exercises15 {
    let chapter: any Chapter15Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter15Student.self, reference: Chapter15Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter15Student.self, reference: nil)
        #endif
    }

    @Test("15.1 gated mixture: equal logits average, one expert is itself, mixExperts, and gradcheck")
    func mixture() throws {
        let experts = [Variable(Tensor([[1, 2], [3, 4]])), Variable(Tensor([[5, 6], [7, 8]]))]
        let average = try chapter.mixture(expertOutputs: experts, gateLogits: Variable(Tensor([[0, 0], [3, 3]])))
        isClose(average.value, Tensor([[3, 4], [5, 6]]), "equal logits: the mean of the experts")
        let single = Variable(Tensor.normal([3, 4], seed: 1))
        let alone = try chapter.mixture(expertOutputs: [single], gateLogits: Variable(Tensor.normal([3, 1], seed: 2)))
        isClose(alone.value, single.value, "one expert: its gate is 1")
        let outputs = (0..<3).map { Variable(Tensor.normal([4, 5], seed: UInt64(10 + $0))) }
        let logits = Variable(Tensor.normal([4, 3], standardDeviation: 2, seed: 20))
        isClose(try chapter.mixture(expertOutputs: outputs, gateLogits: logits).value,
                mixExperts(outputs, weights: logits.softmax(alongAxis: 1)).value, rtol: 1e-5, atol: 1e-6, "mixExperts")
        let inputs = [Tensor.normal([4, 3], seed: 30)] + (0..<3).map { Tensor.normal([4, 2], seed: UInt64(31 + $0)) }
        let result = gradcheck("mixture", inputs: inputs) {
            (try? chapter.mixture(expertOutputs: Array($0[1...]), gateLogits: $0[0])) ?? $0[1] * 0
        }
        #expect(result.passed, "gradients to the gate and to every expert: \(result)")
    }

    @Test("15.2 utilization: by hand, rows summing to 1, and uniform gates at 1/n")
    func utilization() throws {
        let u = try chapter.utilization(gateWeights: [Tensor([[0.5, 0.5], [1, 0]]), Tensor([[0.2, 0.8], [0.4, 0.6]])])
        #expect(u.count == 2)
        isClose(u.flatMap { $0 }.map(Float.init), [0.75, 0.25, 0.3, 0.7], "per-task means")
        let gates = (0..<3).map {
            Tensor.normal([50, 4], standardDeviation: 3, seed: UInt64(40 + $0)).softmax(alongAxis: 1)
        }
        let random = try chapter.utilization(gateWeights: gates)
        for (t, row) in random.enumerated() {
            #expect(row.count == 4 && abs(row.reduce(0, +) - 1) < 1e-5, "task \(t): \(row)")
        }
        let uniform = try chapter.utilization(gateWeights: [Tensor.full([7, 4], value: 0.25)])
        isClose(uniform[0].map(Float.init), [0.25, 0.25, 0.25, 0.25], "a gate that has not chosen")
    }
}
