import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import MultiTask

/// The function classes chapter 07 teaches, checked numerically: where the conditioning enters
/// decides what it can express.
@Suite("Conditioning equivalences")
struct ConditioningEquivalenceTests {
    @Test("FiLM before a linear decoder is a multi-head network: any linear heads v_t·h + c_t are reproduced")
    func filmBeforeLinearIsMultiHead() {
        var generator = SeededGenerator(seed: 11)
        let featureCount = 6, taskCount = 2
        let h = Tensor.normal([5, featureCount], using: &generator)
        // The multi-head network's heads.
        let heads = (0..<taskCount).map { _ in Tensor.normal([featureCount, 1], using: &generator) }
        let biases: [Float] = [0.3, -1.2]
        // A shared linear decoder w·x + b with no zero weight, and FiLM with a one-hot descriptor:
        // γ_t = row t of the scale weights (bias 0), β_t = row t of the shift weights (bias 0).
        let decoder = Linear(inputCount: featureCount, outputCount: 1, random: RandomSource(seed: 12))
        let w = decoder.weight.value.scalars, b = decoder.bias!.value.scalars[0]
        #expect(w.allSatisfy { $0 != 0 })
        let film = FiLM(featureCount: featureCount, descriptor: TaskDescriptor(kind: .oneHot, taskCount: taskCount))
        var gamma = [Float](), beta = [Float]()
        let squaredNorm = w.reduce(0) { $0 + $1 * $1 }
        for task in 0..<taskCount {
            gamma += (0..<featureCount).map { heads[task].scalars[$0] / w[$0] }          // (γ_t ⊙ h)·w = v_t·h
            beta += w.map { $0 * (biases[task] - b) / squaredNorm }                      // β_t·w + b = c_t
        }
        film.scale.weight.assign(Tensor(shape: [taskCount, featureCount], scalars: gamma))
        film.scale.bias!.assign(Tensor.zeros([featureCount]))
        film.shift.weight.assign(Tensor(shape: [taskCount, featureCount], scalars: beta))
        for task in 0..<taskCount {
            let conditioned = decoder(film(Variable(h), task: task)).value
            let multiHead = Tensor.matmul(h, heads[task]) + biases[task]
            #expect(isClose(conditioned.scalars, multiHead.scalars, tolerance: 1e-4), "task \(task)")
        }
    }

    @Test("additive or concatenated conditioning before a linear decoder only shifts each task's output by a constant")
    func additiveBeforeLinearIsABias() {
        var generator = SeededGenerator(seed: 13)
        let h = Tensor.normal([7, 4], using: &generator)
        let descriptor = TaskDescriptor(kind: .oneHot, taskCount: 2)
        let additive = AdditiveConditioning(featureCount: 4, descriptor: descriptor)
        for parameter in additive.parameters() { parameter.assign(Tensor.normal(parameter.shape, using: &generator)) }
        let decoder = Linear(inputCount: 4, outputCount: 1, random: RandomSource(seed: 14))
        let outputs = (0..<2).map { decoder(additive(Variable(h), task: $0)).value.scalars }
        let differences = zip(outputs[0], outputs[1]).map { $0 - $1 }
        #expect(differences.allSatisfy { Swift.abs($0 - differences[0]) < 1e-4 }, "\(differences)")
        // With a nonlinear layer between (as makeNetwork builds it), the tasks differ by more than a constant.
        let hidden = Sequential(Linear(inputCount: 4, outputCount: 8, random: RandomSource(seed: 15)), ReLU(),
                                Linear(inputCount: 8, outputCount: 1, random: RandomSource(seed: 16)))
        let nonlinear = (0..<2).map { hidden(additive(Variable(h), task: $0)).value.scalars }
        let spread = zip(nonlinear[0], nonlinear[1]).map { $0 - $1 }
        #expect(spread.contains { Swift.abs($0 - spread[0]) > 1e-3 }, "\(spread)")
    }
}

/// Element-wise closeness of two arrays.
private func isClose(_ a: [Float], _ b: [Float], tolerance: Float) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * (1 + Swift.abs($1)) }
}
