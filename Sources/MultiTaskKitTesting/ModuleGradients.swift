// MultiTaskKitTesting: the test helpers of MultiTaskKit's own suites, for your package's tests too
// (Swift Testing). Add the product to a test target:
//     .testTarget(name: "MyTests", dependencies: ["MyLayers",
//                 .product(name: "MultiTaskKitTesting", package: "MultiTaskKit")])
import Testing
import TensorCore
import Autodiff
import NeuralNetworks

/// Records a test issue unless the gradients of `module` — with respect to its input and to every
/// trainable parameter — match central finite differences (`gradcheck(_:input:)`). The issue names
/// the worst element, e.g. "parameter outer.weight at [2, 0]: analytic 0.61, numeric 0.30".
/// Returns whether they matched.
///
/// ```swift
/// @Test func gradients() {
///     checkModuleGradients(Linear(inputCount: 3, outputCount: 2), input: Tensor.normal([4, 3], seed: 1), "Linear")
/// }
/// ```
@discardableResult
public func checkModuleGradients(_ module: Module, input: Tensor, epsilon: Double = 1e-2,
                                 relativeTolerance: Double = 1e-2, absoluteTolerance: Double = 1e-3,
                                 elementLimit: Int = 300, _ context: String = "",
                                 sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    let result = gradcheck(module, input: input, epsilon: epsilon, relativeTolerance: relativeTolerance,
                           absoluteTolerance: absoluteTolerance, elementLimit: elementLimit)
    if !result.passed { Issue.record("\(context): \(result)", sourceLocation: sourceLocation) }
    return result.passed
}
