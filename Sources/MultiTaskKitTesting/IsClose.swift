import Testing
import TensorCore

/// Whether `actual` and `expected` agree elementwise within `|a − e| ≤ atol + rtol·|e|` (NumPy's
/// `isclose`). On failure, records an issue naming the worst element and both values.
@discardableResult
public func isClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6,
                    _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard actual.count == expected.count else {
        Issue.record("\(context): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return false
    }
    var worst = -1
    var worstExcess: Float = 0
    for i in actual.indices {
        let allowed = atol + rtol * abs(expected[i])
        let error = abs(actual[i] - expected[i])
        if !(error <= allowed) || actual[i].isNaN != expected[i].isNaN {
            let excess = error.isNaN ? .infinity : error - allowed
            if worst < 0 || excess > worstExcess { worst = i; worstExcess = excess }
        }
    }
    if worst >= 0 {
        Issue.record("""
            \(context): element \(worst) is \(actual[worst]), expected \(expected[worst]) \
            (rtol \(rtol), atol \(atol))
            """, sourceLocation: sourceLocation)
        return false
    }
    return true
}

/// `isClose` for tensors: shapes must match, then the scalars as above.
@discardableResult
public func isClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
                    _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    guard actual.shape == expected.shape else {
        Issue.record("\(context): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
        return false
    }
    return isClose(actual.scalars, expected.scalars, rtol: rtol, atol: atol, context, sourceLocation: sourceLocation)
}
