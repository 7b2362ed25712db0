import TensorCore
import Autodiff

/// Checks a module's gradients against central finite differences: ∂L/∂x for the input and ∂L/∂θ
/// for every trainable parameter θ of `module`, where L = Σ module(x) ⊙ u for a fixed random u.
///
/// A layer built from library operations gets correct gradients for free; one that adds its own
/// `Variable` operation (a custom backward rule) may get the input's gradient right and the weights'
/// wrong — and an input-only check never sees it. This one perturbs each parameter in place
/// (restoring it after), so the worst element names the parameter: "parameter outer.weight at
/// [2, 0]". Frozen parameters are skipped (they get no gradient).
///
/// ```swift
/// let result = gradcheck(Linear(inputCount: 3, outputCount: 2), input: Tensor.normal([4, 3], seed: 1))
/// print(result.passed)     // true: ∂L/∂x, ∂L/∂weight and ∂L/∂bias all match
/// ```
///
/// Tolerances and the elementwise limit are those of `gradcheck(_:inputs:parameters:…)`: the
/// projected check always runs; element by element when the input and parameters hold at most
/// `elementLimit` scalars in all. Put the module in a deterministic state first (`eval()` for
/// dropout), and keep the input away from kinks (ReLU at 0) by more than ε.
public func gradcheck(_ module: Module, input: Tensor, epsilon: Double = 1e-2, relativeTolerance: Double = 1e-2,
                      absoluteTolerance: Double = 1e-3, elementLimit: Int = 300,
                      seed: UInt64 = 7) -> GradientCheckResult {
    let named = module.namedParameters().filter { !$0.parameter.isFrozen }
    return gradcheck(String(describing: type(of: module)), inputs: [input], parameters: named.map(\.parameter),
                     parameterNames: named.map(\.name), epsilon: epsilon, relativeTolerance: relativeTolerance,
                     absoluteTolerance: absoluteTolerance, elementLimit: elementLimit, seed: seed) { module($0[0]) }
}
