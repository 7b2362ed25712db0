import Foundation
import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 14's exercises (`Exercises/Student/Chapter14.swift`) through the contracts the trainer
/// and `evaluate` use: `LossBalancer.backward`, `CustomLoss`, `CustomMetric` in a `TaskSpec`.
@Suite("Exercises14: extending")
struct Exercises14 {
    let chapter: any Chapter14Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter14Student.self, reference: Chapter14Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter14Student.self, reference: nil)
        #endif
    }

    /// One step of `balancer` on leaf losses of `tasks` (values `values`), with an optional regularization
    /// leaf; returns the returned weights and the gradients on the losses and the regularization.
    static func step(_ balancer: any LossBalancer, losses values: [Float], tasks: [Int], regularized: Bool = false)
        -> (weights: [Float], gradients: [Float], regularization: Float?) {
        let model = MultiHeadNetwork(trunk: Identity(), heads: [Identity(), Identity(), Identity()])
        let losses = values.map { Variable(Tensor($0), requiresGradient: true) }
        let regularization = regularized ? Variable(Tensor(0.25), requiresGradient: true) : nil
        let weights = balancer.backward(losses: losses, context: BalancingContext(
            model: model, tasks: tasks, sharedParameters: model.sharedParameters(), regularization: regularization))
        return (weights, losses.map { $0.grad?.scalar ?? .nan }, regularization.map { $0.grad?.scalar ?? .nan })
    }

    @Test("14.1 inverse-loss balancer: its weights, the gradients it leaves, task subsets, regularization, no state")
    func inverseLossBalancer() throws {
        let balancer = try chapter.makeInverseLossBalancer(taskCount: 3)
        #expect(balancer.name == "inverse-loss")
        // 1/L = (1, 0.5, 0.25), Σ = 1.75: w = 3·(1, 0.5, 0.25)/1.75.
        let full = Self.step(balancer, losses: [1, 2, 4], tasks: [0, 1, 2])
        let expected: [Float] = [3 / 1.75, 1.5 / 1.75, 0.75 / 1.75]
        isClose(full.weights, expected, rtol: 1e-5, "returned weights")
        isClose(full.gradients, expected, rtol: 1e-5, "∂(Σ w_t L_t)/∂L_t on the losses")
        // Two tasks of three, as under task sampling: n = 2, every weighted loss equal.
        let sampled = Self.step(balancer, losses: [10, 0.1], tasks: [2, 0], regularized: true)
        isClose(sampled.weights, [2 * 0.1 / 10.1, 2 * 10 / 10.1], rtol: 1e-5, "weights of a sampled step")
        isClose([sampled.weights[0] * 10, sampled.weights.reduce(0, +)], [sampled.weights[1] * 0.1, 2], rtol: 1e-5,
                "equal weighted losses, weights summing to n")
        #expect(sampled.regularization == 1, "the regularization term is added once, unweighted")
        #expect(balancer.state.isEmpty, "a stateless balancer")
        #expect(throws: (any Error).self) { try balancer.restoreState(["weights": Tensor([1])]) }
    }

    @Test("14.2 log-cosh loss: values by hand, no overflow, gradcheck, and use through a TaskSpec")
    func logCoshLoss() throws {
        let loss = try chapter.logCoshLoss()
        #expect(loss.name == "log-cosh")
        let output = Variable(Tensor([0.5, -2, 3, 0]), requiresGradient: true)
        let target = Tensor([0, 0, 1, 0])
        let value = loss(output, target)
        let expected = [0.5, -2, 2, 0].map { Foundation.log(Foundation.cosh($0)) }.reduce(0, +) / 4
        isClose([value.value.scalars.first ?? .nan], [Float(expected)], rtol: 1e-5, atol: 1e-6, "mean log cosh")
        isClose(gradients(of: value, wrt: [output])[0], Tensor([0.5, -2, 2, 0].map { Float(Foundation.tanh($0) / 4) }),
                rtol: 1e-4, atol: 1e-6, "∂/∂ŷ = tanh(ŷ − y)/N")
        let large = loss(Variable(Tensor([200, -300])), Tensor([0, 0])).value.scalar
        isClose([large], [250 - Float(Foundation.log(2.0))], rtol: 1e-5, "no overflow for large errors")
        let result = gradcheck("log-cosh", inputs: [Tensor([[0.3, -1.2, 2.5], [-0.7, 0.9, 4]])]) {
            loss($0[0], Tensor([[0, 0.5, 1], [1, 0, 2]]))
        }
        #expect(result.passed, "\(result)")
        let spec = TaskSpec(name: "price", kind: .regression(outputCount: 1), customLoss: loss)
        #expect(spec.customLoss == loss)
    }

    @Test("14.3 within-tolerance metric: its name, and totals over two batches through TaskMetricAccumulator")
    func withinToleranceMetric() throws {
        let metric = try chapter.withinToleranceMetric(0.5)
        #expect(metric.name == "within 0.5" && metric.higherIsBetter)
        var accumulator = TaskMetricAccumulator(spec: TaskSpec(name: "price", kind: .regression(outputCount: 1),
                                                               customMetrics: [metric]))
        // Batch 1: 2 of 3 within 0.5; batch 2: 0 of 1 → 2/4 over the split (not the mean of 2/3 and 0).
        accumulator.add(output: Tensor(shape: [3, 1], scalars: [1, 2, 3]),
                        target: Tensor(shape: [3, 1], scalars: [1.4, 2.6, 3.5]))
        accumulator.add(output: Tensor(shape: [1, 1], scalars: [0]), target: Tensor(shape: [1, 1], scalars: [2]))
        #expect(accumulator.customValues["within 0.5"] == 0.5)
        let loose = try chapter.withinToleranceMetric(10)
        let measured = loose.measure(Tensor([1, 2]), Tensor([5, -3]))
        #expect(measured.sum == 2 && measured.count == 2, "one batch: \(measured)")
    }
}
