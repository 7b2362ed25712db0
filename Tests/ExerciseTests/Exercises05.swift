import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 05's exercises (`Exercises/Student/Chapter05.swift`) against the library's optimizers.
@Suite("Exercises05: modules and training")
struct Exercises05 {
    let chapter: any Chapter05Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter05Student.self, reference: Chapter05Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter05Student.self, reference: nil)
        #endif
    }

    @Test("05.1 SGD step: by hand, and six steps of the library's SGD (plain, momentum, Nesterov, weight decay)")
    func sgdStep() throws {
        // θ = 1, g = 2, η = 0.1, μ = 0.9: first step b = 2, θ = 0.8; second (g = 2) b = 3.8, θ = 0.42.
        let first = try chapter.sgdStep(parameter: Tensor([1]), gradient: Tensor([2]), momentumBuffer: nil,
                                        learningRate: 0.1, momentum: 0.9, nesterov: false, weightDecay: 0)
        isClose(first.parameter, Tensor([0.8]), "first step")
        #expect(first.momentumBuffer == Tensor([2]))
        let second = try chapter.sgdStep(parameter: first.parameter, gradient: Tensor([2]),
                                         momentumBuffer: first.momentumBuffer, learningRate: 0.1, momentum: 0.9,
                                         nesterov: false, weightDecay: 0)
        isClose(second.parameter, Tensor([0.42]), "second step")
        for (momentum, nesterov, decay) in [(Float(0), false, Float(0)), (0.9, false, 0), (0.8, true, 0),
                                            (0.5, false, 0.1), (0.9, true, 0.01)] {
            let parameter = Parameter(Tensor.normal([3, 4], seed: 1))
            let optimizer = SGD(parameters: [parameter], learningRate: 0.05, momentum: momentum, nesterov: nesterov,
                                weightDecay: decay)
            var theta = parameter.value
            var buffer: Tensor? = nil
            for step in 0..<6 {
                let gradient = Tensor.normal([3, 4], seed: UInt64(10 + step))
                parameter.grad = gradient
                optimizer.step()
                (theta, buffer) = try chapter.sgdStep(parameter: theta, gradient: gradient, momentumBuffer: buffer,
                                                      learningRate: 0.05, momentum: momentum, nesterov: nesterov,
                                                      weightDecay: decay)
                isClose(theta, parameter.value, rtol: 1e-5, atol: 1e-6,
                        "μ \(momentum), Nesterov \(nesterov), λ \(decay), step \(step)")
                #expect((buffer == nil) == (momentum == 0), "a buffer exactly when μ > 0")
            }
        }
    }

    @Test("05.2 Adam step: the first step moves every scalar by about η, and eight steps of the library's Adam")
    func adamStep() throws {
        // At t = 1 the bias-corrected step is η · g/(|g| + ε) ≈ η·sign(g), whatever g's scale.
        let gradient = Tensor([1e-3, -5, 200])
        let first = try chapter.adamStep(parameter: Tensor.zeros([3]), gradient: gradient,
                                         firstMoment: Tensor.zeros([3]), secondMoment: Tensor.zeros([3]), step: 1,
                                         learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0)
        isClose(first.parameter, Tensor([-0.01, 0.01, -0.01]), rtol: 1e-4, atol: 1e-7, "first step")
        isClose(first.firstMoment, gradient * 0.1, "m after one step")
        isClose(first.secondMoment, gradient * gradient * 0.001, rtol: 1e-4, atol: 1e-10, "v after one step")
        for decay in [Float(0), 0.05] {
            let parameter = Parameter(Tensor.normal([5], seed: 2))
            let optimizer = Adam(parameters: [parameter], learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6,
                                 weightDecay: decay)
            var (theta, m, v) = (parameter.value, Tensor.zeros([5]), Tensor.zeros([5]))
            for step in 1...8 {
                let gradient = Tensor.normal([5], seed: UInt64(20 + step))
                parameter.grad = gradient
                optimizer.step()
                (theta, m, v) = try chapter.adamStep(parameter: theta, gradient: gradient, firstMoment: m,
                                                     secondMoment: v, step: step, learningRate: 0.01, beta1: 0.8,
                                                     beta2: 0.99, epsilon: 1e-6, weightDecay: decay)
                isClose(theta, parameter.value, rtol: 1e-5, atol: 1e-6, "λ \(decay), step \(step)")
            }
        }
    }
}
