import Foundation
import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 04's exercises (`Exercises/Student/Chapter04.swift`) with `gradcheck` and by hand.
@Suite("Exercises04: autodiff")
struct Exercises04 {
    let chapter: any Chapter04Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter04Student.self, reference: Chapter04Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter04Student.self, reference: nil)
        #endif
    }

    @Test("04.1 softplus: its values, its name, its rule σ(x), and gradcheck on inputs of both signs")
    func softplus() throws {
        let x = Tensor([-3, -0.5, 0, 0.7, 2.5, 6])
        let input = Variable(x, requiresGradient: true)
        let y = try chapter.softplus(input)
        #expect(y.operation == "softplus", "build the output with Variable(_:operation: \"softplus\", …)")
        isClose(y.value.scalars, x.scalars.map { Float(log(1 + exp(Double($0)))) }, rtol: 1e-5, atol: 1e-6, "values")
        // The rule itself, to Float precision: ∂(Σ y)/∂x = σ(x) (gradcheck below allows about 1%).
        isClose(gradients(of: y.sum(), wrt: [input])[0].scalars, x.scalars.map { Float(1 / (1 + exp(-Double($0)))) },
                rtol: 1e-5, atol: 1e-6, "∂y/∂x = σ(x)")
        for (index, shape) in [[5], [2, 3], [2, 1, 4]].enumerated() {
            let input = Tensor.normal(shape, standardDeviation: 2, seed: UInt64(index))
            let result = gradcheck("softplus", inputs: [input]) { (try? chapter.softplus($0[0])) ?? $0[0] * 0 }
            #expect(result.passed, "\(result)")
        }
    }

    @Test("04.2 squared difference: values, name, gradcheck with broadcasting, and the `needed` flags")
    func squaredDifference() throws {
        let a = Variable(Tensor([[1, 2], [3, 4]]), requiresGradient: true), b = Variable(Tensor([1, 0]))
        let y = try chapter.squaredDifference(a, b)
        #expect(y.operation == "squaredDifference")
        #expect(y.value == Tensor([[0, 4], [4, 16]]))
        y.sum().backward()
        #expect(a.grad == Tensor([[0, 4], [4, 8]]), "∂/∂a = 2(a − b)")
        #expect(b.grad == nil, "b needs no gradient")
        for (index, shapes) in [([3, 4], [4]), ([2, 1, 3], [4, 1]), ([1], [2, 2]), ([3, 2], [3, 2])].enumerated() {
            let inputs = [Tensor.normal(shapes.0, seed: UInt64(2 * index)),
                          Tensor.normal(shapes.1, seed: UInt64(2 * index + 1))]
            let result = gradcheck("squaredDifference", inputs: inputs) {
                (try? chapter.squaredDifference($0[0], $0[1])) ?? $0[0] * $0[1] * 0
            }
            #expect(result.passed, "\(shapes): \(result)")
        }
    }

    @Test("04.3 gradient cosine: known geometry, ±1, zero gradients, and .grad left untouched")
    func gradientCosine() throws {
        // L = ½‖θ − a‖² has gradient θ − a.
        func loss(_ theta: Variable, _ a: [Float]) -> Variable { ((theta - Variable(Tensor(a))).squared()).sum() * 0.5 }
        let theta = Variable(Tensor([1, 1]), requiresGradient: true)
        // g₁ = (1, 0), g₂ = (1, 1): cos = 1/√2.
        let value = try chapter.gradientCosine(firstLoss: loss(theta, [0, 1]), secondLoss: loss(theta, [0, 0]),
                                               shared: theta)
        #expect(abs(value - 1 / Float(2).squareRoot()) < 1e-6)
        #expect(theta.grad == nil, "use gradients(of:wrt:), which does not write .grad")
        // The notebook's situation: random conflicting tasks on a shared matrix.
        let shared = Variable(Tensor.normal([4, 3], seed: 1), requiresGradient: true)
        let inputs = Variable(Tensor.normal([8, 4], seed: 2))
        let first = ((inputs • shared) - Variable(Tensor.normal([8, 3], seed: 3))).squared().mean()
        let second = ((inputs • shared) - Variable(Tensor.normal([8, 3], seed: 4))).squared().mean()
        let g1 = gradients(of: first, wrt: [shared])[0].scalars, g2 = gradients(of: second, wrt: [shared])[0].scalars
        let dot: Double = zip(g1, g2).map { Double($0) * Double($1) }.reduce(0, +)
        let squaredNorm1: Double = g1.map { Double($0) * Double($0) }.reduce(0, +)
        let squaredNorm2: Double = g2.map { Double($0) * Double($0) }.reduce(0, +)
        let expected = dot / (squaredNorm1 * squaredNorm2).squareRoot()
        let cosine = try chapter.gradientCosine(firstLoss: first, secondLoss: second, shared: shared)
        #expect(abs(Double(cosine) - expected) < 1e-5, "\(cosine) vs \(expected)")
        #expect(abs(try chapter.gradientCosine(firstLoss: first, secondLoss: first, shared: shared) - 1) < 1e-5)
        #expect(abs(try chapter.gradientCosine(firstLoss: first, secondLoss: first * -2, shared: shared) + 1) < 1e-5)
        #expect(try chapter.gradientCosine(firstLoss: first, secondLoss: (shared * 0).sum(), shared: shared) == 0)
    }
}
