#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why a file could not be opened or read, in plain words ("is a directory", "no such file").
public struct FileReadError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "cannot read \(path): \(reason)" }
}

/// A file handed in by a user, read the defensive way: every reader in MultiTaskKit (checkpoints,
/// `.npy`, IDX, CSV) opens its file through this type.
///
/// A file is untrusted even when it is well-formed. So a reader
/// 1. opens it and learns its size without reading it (`stat`) — a directory, a FIFO or a device
///    such as `/dev/zero` is refused here, before a single byte is read;
/// 2. reads a short `prefix` to check the magic number and header;
/// 3. compares the sizes the header declares with `size` before it allocates anything;
/// 4. only then maps the `contents` (`mmap`: the kernel pages the file in as it is read, and nothing
///    is copied into the process's own memory until the reader decodes the values it needs).
///
/// A 2 GB file of zeros named as a checkpoint therefore costs a 12-byte read, not 2 GB of memory.
public struct InputFile {
    public let url: URL
    /// The file's size in bytes.
    public let size: Int

    /// Opens `url` for reading; throws a `FileReadError` with a plain reason when it is missing,
    /// unreadable, a directory or not a regular file.
    public init(_ url: URL) throws(FileReadError) {
        self.url = url
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw FileReadError(path: url.path, reason: Self.reason(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw FileReadError(path: url.path, reason: "is a directory, not a file")
        default: throw FileReadError(path: url.path, reason: "is not a regular file (a device, pipe or socket)")
        }
        guard access(url.path, R_OK) == 0 else { throw FileReadError(path: url.path, reason: Self.reason(errno)) }
        size = Int(info.st_size)
    }

    /// The first `min(count, size)` bytes.
    public func prefix(_ count: Int) throws(FileReadError) -> Data {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw FileReadError(path: url.path, reason: Self.reason(of: error))
        }
        defer { try? handle.close() }
        do { return try handle.read(upToCount: Swift.max(0, Swift.min(count, size))) ?? Data() } catch {
            throw FileReadError(path: url.path, reason: Self.reason(of: error))
        }
    }

    /// The whole file, memory-mapped (read lazily by the kernel; no copy is made).
    public func contents() throws(FileReadError) -> Data {
        do { return try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw FileReadError(path: url.path, reason: Self.reason(of: error))
        }
    }

    /// A plain-words reason for a C error number.
    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "is a directory, not a file"
        case ENOTDIR: return "a component of the path is not a directory"
        case ENOSPC: return "no space left on the device"
        case EDQUOT: return "disk quota exceeded"
        case EROFS: return "the file system is read-only"
        default: return String(cString: strerror(code))
        }
    }

    /// A plain-words reason for an error from Foundation (whose own descriptions read
    /// "The operation could not be completed. (NSCocoaErrorDomain error 256.)").
    public static func reason(of error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return reason(Int32(nsError.code)) }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(Int32(underlying.code))
        }
        switch nsError.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
        default: return error.localizedDescription
        }
    }
}

/// At most `limit` characters of user input for an error message, marked "…" when cut: a message
/// quotes enough to find the problem, never a whole line of a large file.
public func excerpt(_ text: String, limit: Int = 40) -> String {
    text.count <= limit ? text : String(text.prefix(limit)) + "…"
}
