import Testing
import TensorCore

/// Whether `actual` and `expected` agree elementwise within `|a − e| ≤ atol + rtol·|e|`;
/// on failure records the worst element with both values.
@discardableResult
func isClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
             _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard actual.shape == expected.shape else {
        Issue.record("\(context): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
        return false
    }
    var worst = -1
    var worstError: Float = 0
    for i in 0..<actual.count {
        let error = abs(actual.scalars[i] - expected.scalars[i])
        if !(error <= atol + rtol * abs(expected.scalars[i])), worst < 0 || error > worstError || error.isNaN {
            worst = i; worstError = error
        }
    }
    if worst >= 0 {
        Issue.record("\(context): element \(worst) is \(actual.scalars[worst]), expected \(expected.scalars[worst])",
                     sourceLocation: sourceLocation)
        return false
    }
    return true
}

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
                Issue.record("\(context): ∂L/∂\(names[k])[\(index)] analytic \(value), numeric \(numeric)", sourceLocation: sourceLocation)
                return
            }
        }
    }
}

private func setValue(of variable: Variable, _ value: Tensor) { variable.assign(value) }
