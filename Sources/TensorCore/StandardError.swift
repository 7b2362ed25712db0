import Foundation

/// Writes `text` to standard error and ignores a failed write. A progress line or a warning is never
/// worth the run it describes: `FileHandle.write(_:)` traps when the descriptor is full or closed
/// (`2>/dev/full`, a closed terminal), and a training run would die before its checkpoint. The
/// messages that matter are the exit status and standard output, which the command line checks.
public func writeToStandardError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
}
