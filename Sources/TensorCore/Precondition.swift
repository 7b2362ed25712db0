/// Stops the program with `message` when `condition` is false — like `precondition`, except that
/// the message survives optimized builds.
///
/// Swift's `precondition` drops its message under `-O` (the trap says only "precondition
/// failure"), and MultiTaskKit is meant to be run in release mode. A shape error must say which
/// operation failed and on which shapes, so every check in the library goes through this function.
@inline(__always)
public func checkPrecondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                              file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        fatalError(message(), file: file, line: line)
    }
}
