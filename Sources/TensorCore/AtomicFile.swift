#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An error writing a file, with the path and the reason.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    /// The path of the file that could not be written, as given.
    public var path: String
    /// Why the write failed, in plain words (e.g. "no such directory", "disk full").
    public var reason: String
    /// An error for `path`, saying `reason`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    /// "cannot write `path`: `reason`", the message a user sees (the `mtl` tool prints it).
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes `data` to `url` atomically: into a temporary file in the same directory, flushed to disk
/// (`fsync`), renamed over the destination (`rename(2)` replaces it in one step), and the directory
/// flushed too, so that the rename itself survives a power cut. A crash or a full disk leaves either
/// the old file or the new one — never half of each. The temporary file, `.<name>.<process
/// id>.<random>.tmp`, is locked (`flock`) while it is written, so `removeStaleTemporaryFiles(of:)`
/// can tell one left by a killed process from one being written.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(
        ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        throw FileWriteError(path: url.path,
                             reason: "cannot create a temporary file in \(directory.path): \(InputFile.reason(errno))")
    }
    _ = flock(descriptor, LOCK_EX)
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    do {
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
    try? handle.close()
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
/// killed between creating and renaming them (`.<name>.*.tmp`). A file still being written is
/// locked by its writer and left alone, whatever its process id says (ids are reused, and differ
/// between containers). Returns the names removed.
@discardableResult
public func removeStaleTemporaryFiles(of url: URL) -> [String] {
    let directory = url.deletingLastPathComponent()
    let prefix = ".\(url.lastPathComponent)."
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
    var removed: [String] = []
    for name in names.sorted() where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
        let path = directory.appendingPathComponent(name).path
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { continue }
        defer { close(descriptor) }
        // A writer holds the lock until it renames the file: if we get it, nobody is writing.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { continue }
        if unlink(path) == 0 { removed.append(name) }
    }
    return removed
}
