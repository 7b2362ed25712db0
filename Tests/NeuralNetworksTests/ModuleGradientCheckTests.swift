import Testing
import TestSupport
import TensorCore
import Autodiff
import NeuralNetworks

/// `gradcheck(_:input:)` checks a module's parameters, not only its input: a layer with its own
/// backward rule can get ∂L/∂x right and ∂L/∂w wrong, and only a parameter check sees it.
@Suite("Module gradient check")
struct ModuleGradientCheckTests {
    /// y = x ⊙ s with a hand-written backward rule whose ∂L/∂s is twice the truth (a planted bug).
    final class WrongScale: Module {
        let scale = Parameter(Tensor([0.5, -1.5, 2]))

        override func callAsFunction(_ input: Variable) -> Variable {
            let x = input.value, s = scale.value
            return Variable(x * s, operation: "wrongScale", parents: [input, scale]) { upstream, _ in
                [upstream * s, (upstream * x).sum(alongAxes: [0]) * 2]
            }
        }
    }

    @Test("a deliberately wrong parameter gradient is caught, named, and the parameter restored")
    func catchesWrongParameterGradient() {
        let module = WrongScale()
        let input = Tensor.normal([4, 3], seed: 1)
        let inputsOnly = gradcheck("WrongScale", inputs: [input]) { module($0[0]) }
        #expect(inputsOnly.passed, "an input-only check misses the bug: \(inputsOnly)")
        let result = gradcheck(module, input: input)
        #expect(!result.passed)
        #expect(result.parameterNames == ["scale"])
        #expect(result.description.contains("parameter scale at"), "\(result)")
        #expect(module.scale.value == Tensor([0.5, -1.5, 2]))
        // The testing product's helper records the failure as a test issue.
        withKnownIssue { checkModuleGradients(module, input: input, "WrongScale") }
    }

    @Test("correct layers pass, with every parameter checked; frozen parameters are skipped")
    func correctLayersPass() {
        let layer = Linear(inputCount: 3, outputCount: 2, random: RandomSource(seed: 2))
        let result = gradcheck(layer, input: Tensor.normal([4, 3], seed: 3))
        #expect(result.passed, "\(result)")
        #expect(result.parameterNames == ["weight", "bias"])
        layer.bias!.isFrozen = true
        #expect(gradcheck(layer, input: Tensor.normal([4, 3], seed: 3)).parameterNames == ["weight"])
    }
}
