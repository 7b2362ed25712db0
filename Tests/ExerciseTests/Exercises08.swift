import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 08's exercises (`Exercises/Student/Chapter08.swift`) against `SoftSharingNetwork`'s
/// penalty and its autodiff gradient.
@Suite("Exercises08: soft sharing")
struct Exercises08 {
    let chapter: any Chapter08Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter08Student.self, reference: Chapter08Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter08Student.self, reference: nil)
        #endif
    }

    /// A soft-sharing network of `taskCount` two-layer columns and its parameters, column by column.
    static func network(taskCount: Int, strength: Float) -> (SoftSharingNetwork, [[Tensor]]) {
        let network = SoftSharingNetwork(taskCount: taskCount, couplingStrength: strength) { task in
            let random = RandomSource(seed: UInt64(task + 1))
            return Sequential([Linear(inputCount: 3, outputCount: 4, random: random), ReLU(),
                               Linear(inputCount: 4, outputCount: 2, random: random)])
        }
        return (network, network.columns.map { $0.parameters().map(\.value) })
    }

    @Test("08.1 the penalty: by hand, λ = 0, equal columns, and SoftSharingNetwork.couplingPenalty()")
    func couplingPenalty() throws {
        // Two tasks, one parameter each: ‖(1, 2) − (0, 0)‖² = 5; a third task equal to the first adds 5 + 0.
        #expect(try chapter.couplingPenalty(columns: [[Tensor([1, 2])], [Tensor([0, 0])]], strength: 0.5) == 2.5)
        #expect(try chapter.couplingPenalty(columns: [[Tensor([1, 2])], [Tensor([0, 0])], [Tensor([1, 2])]],
                                            strength: 1) == 10)
        #expect(try chapter.couplingPenalty(columns: [[Tensor([1, 2])]], strength: 1) == 0)
        for taskCount in 2...4 {
            let (network, columns) = Self.network(taskCount: taskCount, strength: 0.3)
            let expected = network.couplingPenalty()!.value.scalar
            isClose([try chapter.couplingPenalty(columns: columns, strength: 0.3)], [expected], rtol: 1e-5,
                    atol: 1e-6, "\(taskCount) tasks")
            #expect(try chapter.couplingPenalty(columns: columns, strength: 0) == 0)
        }
    }

    @Test("08.2 the penalty's gradient: autodiff of the network's penalty for every task and parameter")
    func couplingGradient() throws {
        for taskCount in 2...4 {
            let (network, columns) = Self.network(taskCount: taskCount, strength: 0.7)
            let penalty = network.couplingPenalty()!
            for task in 0..<taskCount {
                let parameters = network.columns[task].parameters()
                let expected = gradients(of: penalty, wrt: parameters)
                let gradient = try chapter.couplingGradient(columns: columns, strength: 0.7, task: task)
                #expect(gradient.count == expected.count, "one gradient per parameter of column \(task)")
                for (k, (actual, reference)) in zip(gradient, expected).enumerated() {
                    isClose(actual, reference, rtol: 1e-4, atol: 1e-5,
                            "\(taskCount) tasks, task \(task), parameter \(k)")
                }
            }
        }
    }

    @Test("08.3 cross-stitch: by hand, α = I keeps the columns, a uniform α shares everything")
    func crossStitch() throws {
        let x = [Tensor([[1, 2]]), Tensor([[10, 20]])]
        let mixed = try chapter.crossStitch(activations: x, alpha: [[0.9, 0.1], [0.2, 0.8]])
        #expect(mixed.count == 2)
        isClose(mixed[0], Tensor([[1.9, 3.8]]), "x̃₀ = 0.9 x₀ + 0.1 x₁")
        isClose(mixed[1], Tensor([[8.2, 16.4]]), "x̃₁ = 0.2 x₀ + 0.8 x₁")
        let activations = (0..<3).map { Tensor.normal([4, 5], seed: UInt64($0)) }
        let identity = try chapter.crossStitch(activations: activations, alpha: [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        #expect(identity == activations)
        let third: Float = 1.0 / 3
        let uniform = try chapter.crossStitch(activations: activations, alpha: Array(repeating: [third, third, third],
                                                                                      count: 3))
        let mean = (activations[0] + activations[1] + activations[2]) * third
        for t in 0..<3 { isClose(uniform[t], mean, rtol: 1e-5, atol: 1e-6, "uniform α, task \(t)") }
    }
}
