import Foundation

/// Why a checkpoint could not be read or applied — every case says which and where.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case cannotRead(path: String, reason: String)
    case notACheckpoint
    case unsupportedVersion(found: UInt32, supported: UInt32)
    case truncated(offset: Int, reading: String)
    case checksumMismatch(part: String)
    case malformed(offset: Int, reason: String)
    case missingTensor(name: String)
    case unexpectedTensor(name: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A value that is well-formed on disk but cannot be right: a NaN step count, a negative epoch,
    /// a mask with no active unit.
    case invalidValue(name: String, reason: String)

    /// The reason in plain words, naming the file or the entry (e.g. "cannot read checkpoint x.ckpt: …").
    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read checkpoint \(path): \(reason)"
        case .notACheckpoint: return "not a MultiTaskKit checkpoint (the magic header is missing)"
        case .unsupportedVersion(let found, let supported):
            return "checkpoint format version \(found) is not supported (this build reads version \(supported))"
        case .truncated(let offset, let reading):
            return "checkpoint truncated at byte \(offset) while reading \(reading)"
        case .checksumMismatch(let part): return "checkpoint corrupted: the checksum of \(part) does not match"
        case .malformed(let offset, let reason): return "malformed checkpoint at byte \(offset): \(reason)"
        case .missingTensor(let name): return "checkpoint has no tensor '\(name)' that the model needs"
        case .unexpectedTensor(let name): return "checkpoint has a tensor '\(name)' that the model does not have"
        case .shapeMismatch(let name, let expected, let found):
            return "checkpoint tensor '\(name)' has shape \(found), the model needs \(expected)"
        case .invalidValue(let name, let reason): return "checkpoint value '\(name)' is invalid: \(reason)"
        }
    }
}
