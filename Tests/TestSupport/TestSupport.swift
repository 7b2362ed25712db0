// The helpers every test target shares. `isClose` and the module gradient check are public API in
// the MultiTaskKitTesting product (a student's package imports them too); they are re-exported here
// so the tests' `import TestSupport` keeps working.
@_exported import MultiTaskKitTesting
import TensorCore

/// Uniform random scalars in [−1, 1).
public func randomScalars(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in generator.nextFloat() * 2 - 1 }
}
