#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why a file could not be opened or read, in plain words ("is a directory", "no such file").
public struct FileReadError: Error, CustomStringConvertible, Equatable {
    /// The file's path as given.
    public var path: String
    /// Why it could not be read, in plain words.
    public var reason: String
    /// An error for `path`, saying `reason`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    /// "cannot read `path`: `reason`", the message a user sees (the `mtl` tool prints it).
    public var description: String { "cannot read \(path): \(reason)" }
}

/// A file handed in by a user, read the defensive way: every reader in MultiTaskKit (checkpoints,
/// `.npy`, IDX, CSV) opens its file through this type.
///
/// A file is untrusted even when it is well-formed. So a reader
/// 1. opens it once and learns its size from the open descriptor (`fstat`) — a directory, a FIFO
///    or a device such as `/dev/zero` is refused here, before a single byte is read (the open does
///    not block on a FIFO);
/// 2. reads a short `prefix` to check the magic number and header;
/// 3. compares the sizes the header declares with `size` before it allocates anything;
/// 4. only then reads the `contents` — exactly `size` bytes, once, into memory of its own, so a file
///    that shrinks or grows meanwhile cannot make a decoder read outside the bytes it checked (the
///    read comes up short and the reader throws).
///
/// A 2 GB file of zeros named as a checkpoint therefore costs a 12-byte read, not 2 GB of memory.
public final class InputFile {
    /// The file's location.
    public let url: URL
    /// The file's size in bytes when it was opened.
    public let size: Int
    private let descriptor: Int32

    /// Opens `url` for reading; throws a `FileReadError` with a plain reason when it is missing,
    /// unreadable, a directory or not a regular file.
    public init(_ url: URL) throws(FileReadError) {
        self.url = url
        let descriptor = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileReadError(path: url.path, reason: Self.reason(errno)) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw FileReadError(path: url.path, reason: Self.reason(code))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFDIR:
            close(descriptor)
            throw FileReadError(path: url.path, reason: "is a directory, not a file")
        default:
            close(descriptor)
            throw FileReadError(path: url.path, reason: "is not a regular file (a device, pipe or socket)")
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// The first `min(count, size)` bytes.
    public func prefix(_ count: Int) throws(FileReadError) -> Data {
        try read(Swift.max(0, Swift.min(count, size)))
    }

    /// The whole file: `size` bytes, read once into memory of its own. Throws when the file no longer
    /// holds them (it was cut while being read).
    public func contents() throws(FileReadError) -> Data {
        let data = try read(size)
        guard data.count == size else {
            throw FileReadError(path: url.path,
                                reason: "the file shrank from \(size) to \(data.count) bytes while being read")
        }
        return data
    }

    /// Up to `count` bytes from byte `offset` on (fewer at the end of the file): a decoder's look at
    /// a length field inside a file it has not read whole.
    public func bytes(at offset: Int, count: Int) throws(FileReadError) -> Data {
        guard offset >= 0, offset < size, count > 0 else { return Data() }
        return try read(Swift.min(count, size - offset), from: offset)
    }

    /// Up to `count` bytes from byte `offset` (`pread`, so the descriptor's position does not matter).
    private func read(_ count: Int, from offset: Int = 0) throws(FileReadError) -> Data {
        var data = Data(count: count)
        var done = 0
        var failure: Int32 = 0
        data.withUnsafeMutableBytes { buffer in
            while done < count {
                let result = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if result == 0 { return }
                done += result
            }
        }
        guard failure == 0 else { throw FileReadError(path: url.path, reason: Self.reason(failure)) }
        return done == count ? data : data.prefix(done)
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
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return reason(Int32(underlying.code))
        }
        switch nsError.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
        case NSFileWriteFileExistsError: return "a file of that name exists and is not a directory"
        default:
            // Foundation reports some POSIX failures (e.g. ENOTDIR when creating a directory under a
            // file) as a bare NSFileWriteUnknownError: look at the path itself.
            let path = nsError.userInfo[NSFilePathErrorKey] as? String
                ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
            if let path, let file = nonDirectoryAncestor(of: path) {
                return "a component of the path is not a directory: \(file)"
            }
            return error.localizedDescription
        }
    }

    /// The first proper ancestor of `path` that exists and is not a directory, if any.
    static func nonDirectoryAncestor(of path: String) -> String? {
        var ancestor = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent()
        var ancestors: [String] = []
        while ancestor.path != "/" && !ancestor.path.isEmpty {
            ancestors.append(ancestor.path)
            ancestor = ancestor.deletingLastPathComponent()
        }
        for candidate in ancestors.reversed() {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                if !isDirectory.boolValue { return candidate }
            } else {
                return nil
            }
        }
        return nil
    }
}

/// At most `limit` characters of user input for an error message, marked "…" when cut: a message
/// quotes enough to find the problem, never a whole line of a large file.
package func excerpt(_ text: String, limit: Int = 40) -> String {
    text.count <= limit ? text : String(text.prefix(limit)) + "…"
}
