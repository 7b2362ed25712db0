import Testing
import TestSupport
import Foundation
import TensorCore
import Autodiff
import NeuralNetworks

/// Chapter 05 — losses against hand computations, with gradient checks.
@Suite("Losses")
struct LossTests {
    @Test("cross-entropy: value, class weights, ignored index, dense shapes, reductions")
    func crossEntropyValues() {
        let logits = Variable(Tensor([[0, 0], [0, Foundation.log(3)]]))
        // Row 0: −log ½; row 1, target 1: −log ¾.
        let perSample = crossEntropy(logits: logits, targets: [0, 1], reduction: .none).value
        isClose(perSample, Tensor([Foundation.log(2), -Foundation.log(0.75)]))
        isClose(crossEntropy(logits: logits, targets: [0, 1]).value,
                Tensor((Foundation.log(2) - Foundation.log(0.75)) / 2))
        isClose(crossEntropy(logits: logits, targets: [0, 1], reduction: .sum).value,
                Tensor(Foundation.log(2) - Foundation.log(0.75)))
        // Weighted mean: (w₀ℓ₀ + w₁ℓ₁) / (w₀ + w₁) with w = (1, 3).
        let weighted = crossEntropy(logits: logits, targets: [0, 1], classWeights: Tensor([1, 3])).value
        isClose(weighted, Tensor((Foundation.log(2) - 3 * Foundation.log(0.75)) / 4))
        isClose(crossEntropy(logits: logits, targets: [0, -1], ignoredIndex: -1).value, Tensor(Foundation.log(2)))
        #expect(crossEntropy(logits: logits, targets: [-1, -1], ignoredIndex: -1).value.scalar == 0)
        // Dense: [N, C, H, W] with per-pixel targets equals the flat version.
        var generator = SeededGenerator(seed: 3)
        let dense = Tensor.normal([2, 3, 2, 2], using: &generator)
        let targets = (0..<8).map { $0 % 3 }
        let flat = dense.permuted([0, 2, 3, 1]).reshaped(to: [8, 3])
        isClose(crossEntropy(logits: Variable(dense), targets: targets).value,
                crossEntropy(logits: Variable(flat), targets: targets).value)
    }

    @Test("the other losses against their formulas")
    func regressionLosses() {
        let prediction = Variable(Tensor([0.5, -2, 3]))
        let target = Tensor([1, 0, 3])
        isClose(meanSquaredError(prediction: prediction, target: target).value, Tensor((0.25 + 4) / 3))
        isClose(l1Loss(prediction: prediction, target: target, reduction: .sum).value, Tensor(2.5))
        // Huber with β = 1: ½·0.25, 2 − ½, 0.
        isClose(smoothL1Loss(prediction: prediction, target: target, reduction: .none).value, Tensor([0.125, 1.5, 0]))
        // BCE: −[y log σ(z) + (1−y) log(1−σ(z))].
        let z: [Float] = [0, 2, -30], y: [Float] = [1, 0, 0]
        let expected = zip(z, y).map { z, y -> Float in
            let s = 1 / (1 + Foundation.exp(-z))
            return -(y * Foundation.log(s) + (1 - y) * Foundation.log(1 - s))
        }
        isClose(binaryCrossEntropy(logits: Variable(Tensor(z)), targets: Tensor(y), reduction: .none).value,
                Tensor(expected), atol: 1e-6)
        #expect(binaryCrossEntropy(logits: Variable(Tensor([1000, -1000])), targets: Tensor([0, 1])).value.isFinite)
        // Cosine: identical directions give 0, opposite give 2.
        let normals = Tensor(shape: [1, 3, 1, 2], scalars: [1, 0, 0, 1, 0, 0])
        isClose(cosineLoss(prediction: Variable(normals * 2), target: normals, reduction: .none).value,
                Tensor(shape: [1, 1, 2], scalars: [0, 0]), atol: 1e-6)
        isClose(cosineLoss(prediction: Variable(-normals), target: normals).value, Tensor(2), atol: 1e-6)
    }

    @Test("cosine loss: finite gradient at a zero prediction, the old values away from zero")
    func cosineLossAtZero() {
        // Position 0 predicts the zero vector; position 1 an ordinary one. Shape [N 1, C 3, W 2].
        let target = Tensor(shape: [1, 3, 2], scalars: [0.6, 1, 0, 0, 0.8, 2])
        let prediction = Variable(Tensor(shape: [1, 3, 2], scalars: [0, 3, 0, -1, 0, 0.5]), requiresGradient: true)
        let loss = cosineLoss(prediction: prediction, target: target)
        let gradient = gradients(of: loss, wrt: [prediction])[0]
        #expect(gradient.scalars.allSatisfy { $0.isFinite }, "∂ℓ/∂ŷ \(gradient.scalars)")
        // At ŷ = 0 (norm clamped to ε): ∂ℓ/∂ŷ = −y / (ε ‖y‖) / 2 (the mean over 2 positions),
        // ‖y‖ = 1.
        let atZero = [gradient.scalars[0], gradient.scalars[2], gradient.scalars[4]]
        isClose(atZero, [-0.6e8 / 2, 0, -0.8e8 / 2], rtol: 1e-5, atol: 0, "∂ℓ/∂ŷ at ŷ = 0")
        // ℓ = 1 there (cos = 0), and away from zero the value is the old 1 − ŷ·y / (‖ŷ‖‖y‖ + ε).
        var generator = SeededGenerator(seed: 21)
        let p = randomScalars(24, &generator), y = randomScalars(24, &generator)
        let perPosition = cosineLoss(prediction: Variable(Tensor(shape: [2, 3, 4], scalars: p)),
                                     target: Tensor(shape: [2, 3, 4], scalars: y), reduction: .none).value
        let expected: [Float] = (0..<8).map { position in
            let (n, w) = (position / 4, position % 4)
            let components = (0..<3).map { n * 12 + $0 * 4 + w }
            let dot = components.reduce(0.0) { $0 + Double(p[$1]) * Double(y[$1]) }
            let pNorm = components.reduce(0.0) { $0 + Double(p[$1] * p[$1]) }.squareRoot()
            let yNorm = components.reduce(0.0) { $0 + Double(y[$1] * y[$1]) }.squareRoot()
            return Float(1 - dot / (pNorm * yNorm + 1e-8))
        }
        isClose(perPosition, Tensor(shape: [2, 4], scalars: expected), atol: 1e-6, "ℓ per position")
        isClose(cosineLoss(prediction: Variable(Tensor(shape: [1, 3, 1], scalars: [0, 0, 0])),
                           target: Tensor(shape: [1, 3, 1], scalars: [0, 0, 1])).value, Tensor(1), "ℓ at ŷ = 0")
    }

    @Test("every loss passes gradcheck")
    func lossGradients() {
        var generator = SeededGenerator(seed: 8)
        let target = Tensor.uniform([3, 4], low: -1, high: 1, using: &generator)
        let probabilities = Tensor.uniform([3, 4], using: &generator)
        let checks: [(String, ([Variable]) -> Variable)] = [
            ("crossEntropy", { crossEntropy(logits: $0[0], targets: [3, 0, 2], classWeights: Tensor([1, 2, 0.5, 1])) }),
            ("crossEntropy dense", { crossEntropy(logits: $0[0].reshaped(to: [1, 3, 2, 2]), targets: [0, 2, 1, 1]) }),
            ("binaryCrossEntropy", { binaryCrossEntropy(logits: $0[0], targets: probabilities) }),
            ("meanSquaredError", { meanSquaredError(prediction: $0[0], target: target) }),
            ("smoothL1Loss", { smoothL1Loss(prediction: $0[0] * 3, target: target, beta: 0.5) }),
            ("cosineLoss", { cosineLoss(prediction: $0[0], target: target, axis: 1) }),
        ]
        let input = Tensor.uniform([3, 4], low: -1, high: 1, using: &generator)
        for (name, function) in checks {
            let result = gradcheck(name, inputs: [input], function)
            #expect(result.passed, "\(result)")
        }
    }
}
