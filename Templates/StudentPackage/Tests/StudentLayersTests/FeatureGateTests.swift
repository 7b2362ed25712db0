import Testing
import MultiTaskKit
import MultiTaskKitTesting
import StudentLayers

/// Run with `swift build -c release --build-tests && swift test -c release --skip-build`.
@Suite("FeatureGate")
struct FeatureGateTests {
    @Test("its parameter is found, half-open gates halve the input, and its gradients match finite differences")
    func featureGate() {
        let gate = FeatureGate(featureCount: 3)
        #expect(gate.namedParameters().map(\.name) == ["logits"])
        isClose(gate(Variable(Tensor.ones([2, 3]))).value, Tensor.full([2, 3], value: 0.5), "σ(0) = ½")
        gate.logits.assign(Tensor([-1, 0.5, 2]))
        checkModuleGradients(gate, input: Tensor.normal([4, 3], seed: 1), "FeatureGate")
    }
}
