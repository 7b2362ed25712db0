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
