import TensorCore

/// The outcome of `gradcheck`: whether the analytic gradients of a function agree with finite
/// differences, and where they disagree most.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// The name given to the check (usually the operation or the module).
    public var operation: String
    /// The shapes of the inputs.
    public var inputShapes: [[Int]]
    /// The names of the parameters checked besides the inputs (empty when only inputs were).
    public var parameterNames: [String] = []
    /// ⟨∇L, v⟩ from the backward pass, for the random direction v.
    public var projectedAnalytic: Double
    /// (L(x + εv) − L(x − εv)) / 2ε.
    public var projectedNumeric: Double
    /// The element whose analytic and numeric partial derivatives differ most beyond the tolerance
    /// (nil when no element was checked, or all agree). `input` counts the inputs first, then the
    /// parameters: input `inputShapes.count + k` is parameter k.
    public var worstElement: (input: Int, index: [Int], analytic: Double, numeric: Double)?
    /// Whether every comparison was within tolerance.
    public var passed: Bool

    /// The name of checked tensor `index` (an input or a parameter) in messages.
    public func name(ofChecked index: Int) -> String {
        index < inputShapes.count ? "input \(index)" : "parameter \(parameterNames[index - inputShapes.count])"
    }

    /// One line for a test failure: passed or FAILED, the shapes and parameters checked, the projected
    /// analytic and numeric derivatives, and the worst element with both of its values.
    public var description: String {
        var text = "gradcheck \(operation) \(passed ? "passed" : "FAILED") on inputs "
            + "\(inputShapes.map { "\($0)" }.joined(separator: ", "))"
        if !parameterNames.isEmpty { text += " and parameters \(parameterNames.joined(separator: ", "))" }
        text += ": projected analytic \(projectedAnalytic), numeric \(projectedNumeric)"
        if let worst = worstElement {
            text += "; worst element: \(name(ofChecked: worst.input)) at \(worst.index), analytic \(worst.analytic), "
                + "numeric \(worst.numeric)"
        }
        return text
    }
}

/// Checks the gradients of `function` against central finite differences — with respect to its
/// inputs and, when `parameters` are given, to those variables too.
///
/// The function may return a tensor of any shape; it is turned into the scalar
/// `L = Σ f(x) ⊙ u` with a fixed random `u`, so one backward pass (seed `u`) gives every ∂L/∂xᵢ.
/// 1. **Projected check** (any size): along a random direction v,
///    `⟨∇L, v⟩ ≈ (L(x + εv) − L(x − εv)) / 2ε` — one comparison that involves every element.
/// 2. **Elementwise check** (inputs and parameters of at most `elementLimit` scalars in all): each
///    partial derivative ∂L/∂xᵢⱼ against its own central difference, reporting the worst element.
///
/// `inputs` enter the function as fresh variables; `parameters` are leaves the function reads
/// itself (a layer's weights), so they are perturbed in place with `assign` and restored after.
/// Without them, a custom layer's parameter gradients — the ones its optimizer follows — are never
/// checked; `gradcheck(_:input:)` in NeuralNetworks passes a module's parameters with their names.
///
/// The function runs in Float32 (the library's precision), so the sums and differences are taken in
/// Double, and the default ε = 10⁻² balances truncation error (O(ε²)) against Float rounding
/// (O(10⁻⁷/ε)). Agreement means
/// `|analytic − numeric| ≤ absoluteTolerance·scale + relativeTolerance·|numeric|`,
/// with `scale` the largest analytic partial derivative (at least 1).
/// - Note: keep inputs away from kinks (ReLU at 0, ties of max) by more than ε, and the function
///   deterministic (no dropout, no sampling): it runs 2 + 2·(checked elements) times.
public func gradcheck(_ operation: String, inputs: [Tensor], parameters: [Variable] = [],
                      parameterNames: [String]? = nil, epsilon: Double = 1e-2,
                      relativeTolerance: Double = 1e-2, absoluteTolerance: Double = 1e-3,
                      elementLimit: Int = 300, seed: UInt64 = 7,
                      _ function: ([Variable]) -> Variable) -> GradientCheckResult {
    let names = parameterNames ?? parameters.indices.map { "\($0)" }
    checkPrecondition(names.count == parameters.count,
                      "gradcheck \(operation): \(names.count) names for \(parameters.count) parameters")
    checkPrecondition(parameters.allSatisfy { $0.isLeaf && $0.requiresGradient },
                      "gradcheck \(operation): parameters must be leaves that require gradients (not frozen)")
    var generator = SeededGenerator(seed: seed)
    let originals = parameters.map(\.value)
    defer { for (parameter, value) in zip(parameters, originals) { parameter.assign(value) } }
    // Analytic gradients of L = Σ f ⊙ u.
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = function(variables)
    let projection = Tensor.normal(output.shape, using: &generator)
    let analytic = gradients(of: output, wrt: variables + parameters, seed: projection)

    // L at `values`: the inputs first, then the parameters' values (assigned in place).
    func loss(_ values: [Tensor]) -> Double {
        for (parameter, value) in zip(parameters, values[inputs.count...]) { parameter.assign(value) }
        let result = withoutGradients { function(values[..<inputs.count].map { Variable($0) }).value }
        checkPrecondition(result.shape == projection.shape,
            "gradcheck \(operation): the output shape changed from \(projection.shape) to \(result.shape)")
        var total = 0.0
        for i in 0..<result.count { total += Double(result.scalars[i]) * Double(projection.scalars[i]) }
        return total
    }

    let checked = inputs + originals
    let scale = Swift.max(1, analytic.flatMap(\.scalars).map { Double(Swift.abs($0)) }.max() ?? 1)
    func agrees(_ a: Double, _ n: Double) -> Bool {
        Swift.abs(a - n) <= absoluteTolerance * scale + relativeTolerance * Swift.abs(n)
    }

    // 1. Projected check along a random direction.
    let directions = checked.map { Tensor.uniform($0.shape, low: -1, high: 1, using: &generator) }
    let step = Float(epsilon)
    let plus = zip(checked, directions).map { $0 + $1 * step }
    let minus = zip(checked, directions).map { $0 - $1 * step }
    let projectedNumeric = (loss(plus) - loss(minus)) / (2 * epsilon)
    var projectedAnalytic = 0.0
    for (gradient, direction) in zip(analytic, directions) {
        for i in 0..<gradient.count { projectedAnalytic += Double(gradient.scalars[i]) * Double(direction.scalars[i]) }
    }
    var passed = agrees(projectedAnalytic, projectedNumeric)

    // 2. Elementwise check for small inputs.
    var worst: (input: Int, index: [Int], analytic: Double, numeric: Double)?
    var worstExcess = 0.0
    if checked.reduce(0, { $0 + $1.count }) <= elementLimit {
        for (k, input) in checked.enumerated() {
            for flat in 0..<input.count {
                var up = checked, down = checked
                up[k][flat: flat] += step
                down[k][flat: flat] -= step
                let numeric = (loss(up) - loss(down)) / (2 * epsilon)
                let value = Double(analytic[k].scalars[flat])
                if !agrees(value, numeric) {
                    passed = false
                    let excess = Swift.abs(value - numeric)
                    if worst == nil || excess > worstExcess {
                        worstExcess = excess
                        worst = (k, unflatten(flat, shape: input.shape), value, numeric)
                    }
                }
            }
        }
    }
    return GradientCheckResult(operation: operation, inputShapes: inputs.map(\.shape), parameterNames: names,
                               projectedAnalytic: projectedAnalytic, projectedNumeric: projectedNumeric,
                               worstElement: worst, passed: passed)
}

/// The multi-index of row-major offset `flat` in `shape`.
func unflatten(_ flat: Int, shape: [Int]) -> [Int] {
    var index = [Int](repeating: 0, count: shape.count)
    var rest = flat
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}
