#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An error writing a file, with the path and the reason.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes `data` to `url` atomically: into a temporary file in the same directory, flushed to disk
/// (`fsync`), renamed over the destination (`rename(2)` replaces it in one step), and the directory
/// flushed too, so that the rename itself survives a power cut. A crash or a full disk leaves either
/// the old file or the new one — never half of each. The temporary file is named
/// `.<name>.<process id>.<random>.tmp`; `removeStaleTemporaryFiles(of:)` deletes those left behind
/// by a process that was killed mid-write.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(
        ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw FileWriteError(path: url.path, reason: "cannot create a temporary file in \(directory.path)")
    }
    do {
        let handle = try FileHandle(forWritingTo: temporary)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        try handle.synchronize()
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw FileWriteError(path: url.path, reason: InputFile.reason(of: error))
    }
    if rename(temporary.path, url.path) != 0 {
        let reason = InputFile.reason(errno)
        try? FileManager.default.removeItem(at: temporary)
        throw FileWriteError(path: url.path, reason: reason)
    }
    synchronizeDirectory(directory)
}

/// Flushes a directory's entries (a rename or a new file in it) to disk; best effort.
func synchronizeDirectory(_ directory: URL) {
    let descriptor = open(directory.path, O_RDONLY)
    guard descriptor >= 0 else { return }
    _ = fsync(descriptor)
    close(descriptor)
}

/// Deletes the temporary files that `writeAtomically(_:to:)` left beside `url` when its process was
/// killed between creating and renaming them (`.<name>.<pid>.<random>.tmp` whose process no longer
/// runs). A write in progress in a live process is left alone. Returns the names removed.
@discardableResult
public func removeStaleTemporaryFiles(of url: URL) -> [String] {
    let directory = url.deletingLastPathComponent()
    let prefix = ".\(url.lastPathComponent)."
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
    var removed: [String] = []
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
        let parts = name.dropFirst(prefix.count).split(separator: ".")
        guard parts.count == 3, let pid = Int32(parts[0]) else { continue }
        // kill(pid, 0) probes without signalling: ESRCH means no such process.
        guard pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
        if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed.append(name) }
    }
    return removed
}
