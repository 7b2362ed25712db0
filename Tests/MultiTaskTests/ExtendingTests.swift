import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TestSupport
import MultiTask

/// Chapter 14 — how to test what you add: a custom layer against finite differences, a balancer
/// on hand-made losses. Copy this file's pattern into your own test target.
@Suite("Extending MultiTaskKit")
struct ExtendingTests {
    /// A learned gate per feature: y = x ⊙ σ(a).
    final class FeatureGate: Module {
        let logits: Parameter
        init(featureCount: Int) { logits = Parameter(Tensor.zeros([featureCount])) }
        override func callAsFunction(_ input: Variable) -> Variable { input * logits.sigmoid() }
    }

    @Test("a custom layer: its parameters are found, and its gradients match finite differences")
    func customLayer() {
        let gate = FeatureGate(featureCount: 3)
        #expect(gate.namedParameters().map(\.name) == ["logits"])
        let result = gradcheck("FeatureGate",
                               inputs: [Tensor.normal([4, 3], seed: 1), Tensor.normal([3], seed: 2)]) { inputs in
            inputs[0] * inputs[1].sigmoid()
        }
        #expect(result.passed, "\(result)")
        let x = Variable(Tensor.ones([2, 3]))
        #expect(isClose(gate(x).value, Tensor.full([2, 3], value: 0.5)))
    }

    @Test("a balancer: the weights it returns are the ones on the losses' gradients")
    func customBalancer() {
        let model = MultiHeadNetwork(trunk: Linear(inputCount: 2, outputCount: 2), heads: [Identity(), Identity()])
        let losses = [Variable(Tensor(3), requiresGradient: true), Variable(Tensor(5), requiresGradient: true)]
        let balancer = StaticWeighting(weights: [0.25, 2])
        let weights = balancer.backward(losses: losses,
                                        context: BalancingContext(model: model, tasks: [0, 1],
                                                                  sharedParameters: model.sharedParameters()))
        #expect(weights == [0.25, 2])
        #expect(losses.map { $0.grad!.scalar } == [0.25, 2])
    }
}
