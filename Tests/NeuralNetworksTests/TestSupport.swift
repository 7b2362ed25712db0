import Testing
import TensorCore
import TestSupport

import Autodiff
import NeuralNetworks

/// Checks the gradients of `loss(module(input))` with respect to the input and every parameter
/// of `module` against central differences (Double sums), one element at a time.
func checkModuleGradients(_ module: Module, input: Tensor, epsilon: Float = 1e-2, tolerance: Double = 2e-2,
                          _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
    var generator = SeededGenerator(seed: 77)
    let x = Variable(input, requiresGradient: true)
    let probe = module(x)
    let projection = Tensor.normal(probe.shape, using: &generator)
    func loss() -> Double {
        let y = withoutGradients { module(Variable(x.value)) }.value
        return zip(y.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let targets: [Variable] = [x] + module.parameters()
    let analytic = gradients(of: module(x), wrt: targets, seed: projection)
    let names = ["input"] + module.namedParameters().map(\.name)
    for (k, variable) in targets.enumerated() {
        for index in 0..<variable.value.count {
            let original = variable.value
            var up = original, down = original
            up[flat: index] += epsilon
            down[flat: index] -= epsilon
            setValue(of: variable, up)
            let plus = loss()
            setValue(of: variable, down)
            let minus = loss()
            setValue(of: variable, original)
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let value = Double(analytic[k][flat: index])
            if abs(value - numeric) > tolerance * max(1, abs(numeric)) {
                Issue.record("\(context): ∂L/∂\(names[k])[\(index)] analytic \(value), numeric \(numeric)",
                             sourceLocation: sourceLocation)
                return
            }
        }
    }
}

private func setValue(of variable: Variable, _ value: Tensor) { variable.assign(value) }
