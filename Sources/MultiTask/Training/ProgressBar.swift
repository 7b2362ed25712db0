import Foundation
import TensorCore

/// A one-line progress bar on a terminal (standard error, redrawn with `\r`), or nothing when
/// standard error is not a terminal — then the trainer prints one plain line per epoch instead.
public struct ProgressBar {
    /// Whether standard error is a terminal.
    public static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    let isEnabled: Bool
    let total: Int
    let label: String
    var lastDrawn = -1

    /// A bar for `total` steps (at least 1) titled `label`; disabled, it draws nothing.
    public init(total: Int, label: String, isEnabled: Bool = ProgressBar.isTerminal) {
        self.total = max(1, total)
        self.label = label
        self.isEnabled = isEnabled
    }

    /// Draws `done` of `total` with a trailing note (the running loss); redraws at most 50 times.
    public mutating func update(done: Int, note: String) {
        guard isEnabled else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let tick = done * 50 / total
        guard tick != lastDrawn || done == total else { return }
        lastDrawn = tick
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        writeToStandardError("\r\(label) \(bar) \(done)/\(total) \(note)\u{1B}[K")
    }

    /// Ends the bar's line.
    public func finish() {
        guard isEnabled else { return }
        writeToStandardError("\r\u{1B}[K")
    }
}
