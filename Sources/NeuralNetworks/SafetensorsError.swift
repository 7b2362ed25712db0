import Foundation
import TensorCore

/// Why a safetensors file could not be read, written or applied to a model: the file (when there is
/// one) and the problem, in words a user can act on.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file's path; nil for bytes decoded in memory (`Safetensors(data:)`).
    public var path: String?
    /// What is wrong.
    public var problem: Problem

    /// An error about the file at `path` (nil: bytes in memory).
    public init(path: String? = nil, _ problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// What is wrong with a file, its header or a tensor in it.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The file could not be opened or read ("no such file or directory").
        case cannotRead(reason: String)
        /// Fewer than the 8 bytes of the header length.
        case tooShort(byteCount: Int)
        /// A header longer than the format's cap (`Safetensors.maximumHeaderLength`, 100 MB).
        case headerTooLong(length: UInt64)
        /// A header length beyond the end of the file.
        case headerBeyondFile(length: UInt64, available: Int)
        /// The header is not UTF-8, does not start with `{`, or is not valid JSON.
        case headerNotJSON(reason: String)
        /// A tensor name that appears twice in the header.
        case duplicateName(String)
        /// A tensor with an empty name.
        case emptyName
        /// A tensor named `__metadata__` (the key reserved for the metadata), when writing.
        case reservedName
        /// A tensor entry whose fields are missing, unknown or of the wrong type.
        case malformedEntry(name: String, reason: String)
        /// A `__metadata__` entry that is not an object of strings.
        case malformedMetadata(reason: String)
        /// A tensor of a data type other than F32.
        case unsupportedDataType(name: String, dataType: String)
        /// A shape whose element count (or a stride) does not fit in an `Int`.
        case shapeTooLarge(name: String, shape: [Int])
        /// `end − begin` differs from the shape's element count × 4 bytes.
        case sizeMismatch(name: String, shape: [Int], expectedBytes: Int, foundBytes: Int)
        /// Data offsets that reach past the end of the byte buffer.
        case outsideBuffer(name: String, begin: Int, end: Int, bufferSize: Int)
        /// Two tensors whose data share bytes.
        case overlap(name: String, other: String)
        /// Bytes of the buffer that belong to no tensor (before tensor `before`; nil: at the end).
        case gap(offset: Int, length: Int, before: String?)
        /// Tensors the model has that the file lacks, and tensors in the file the model does not have.
        case namesDiffer(missing: [String], unexpected: [String])
        /// A tensor whose shape is not the one the model's parameter or buffer has.
        case shapeMismatch(name: String, expected: [Int], found: [Int])
        /// A buffer value its module refuses (a mask without an active unit, a NaN running mean).
        case invalidValue(name: String, reason: String)

        /// The problem in words, with the tensor's name where there is one.
        public var description: String {
            switch self {
            case .cannotRead(let reason): return reason
            case .tooShort(let count):
                return "the file has \(count) bytes, fewer than the 8 of the header length that starts it"
            case .headerTooLong(let length):
                return "the header length is \(length) bytes, more than the format's limit of "
                    + "\(Safetensors.maximumHeaderLength)"
            case .headerBeyondFile(let length, let available):
                return "the header length is \(length) bytes, but only \(available) follow it in the file"
            case .headerNotJSON(let reason): return "the header is not a JSON object: \(reason)"
            case .duplicateName(let name): return "tensor '\(excerpt(name))' appears twice in the header"
            case .emptyName: return "a tensor has an empty name"
            case .reservedName: return "a tensor is named '__metadata__', the key reserved for the metadata"
            case .malformedEntry(let name, let reason): return "tensor '\(excerpt(name))': \(reason)"
            case .malformedMetadata(let reason): return "the __metadata__ entry \(reason)"
            case .unsupportedDataType(let name, let dataType):
                return "tensor '\(excerpt(name))' has dtype \(excerpt(dataType)), which is not supported: only F32 "
                    + "tensors are read (F64, F16, BF16, the F8 types, the integer types I8…I64 and U8…U64, "
                    + "and BOOL are not; convert the tensor to float32 before saving it)"
            case .shapeTooLarge(let name, let shape):
                return "tensor '\(excerpt(name))' has shape \(shape), more elements than can be counted"
            case .sizeMismatch(let name, let shape, let expected, let found):
                return "tensor '\(excerpt(name))' of shape \(shape) needs \(expected) bytes of F32 data, "
                    + "but its data_offsets span \(found)"
            case .outsideBuffer(let name, let begin, let end, let size):
                return "tensor '\(excerpt(name))' has data_offsets [\(begin), \(end)], outside the \(size)-byte "
                    + "buffer after the header"
            case .overlap(let name, let other):
                return "the data of tensors '\(excerpt(other))' and '\(excerpt(name))' overlap"
            case .gap(let offset, let length, let before):
                return "\(length) bytes at buffer offset \(offset) belong to no tensor ("
                    + (before.map { "before tensor '\(excerpt($0))'" } ?? "after the last tensor")
                    + "; the tensors must cover the buffer exactly)"
            case .namesDiffer(let missing, let unexpected):
                var parts: [String] = []
                if !missing.isEmpty {
                    parts.append("the model's \(Self.list(missing)) \(missing.count == 1 ? "is" : "are") missing "
                                 + "from the file")
                }
                if !unexpected.isEmpty {
                    parts.append("the file's \(Self.list(unexpected)) \(unexpected.count == 1 ? "is" : "are") not "
                                 + "in the model")
                }
                return parts.joined(separator: ", and ")
                    + " (names are the model's dotted parameter names, e.g. trunk.layers.0.layers.0.weight)"
            case .shapeMismatch(let name, let expected, let found):
                return "tensor '\(excerpt(name))' has shape \(found), the model needs \(expected)"
            case .invalidValue(let name, let reason): return "tensor '\(excerpt(name))' is invalid: \(reason)"
            }
        }

        /// "tensor 'a'", "tensors 'a', 'b', 'c' and 4 more".
        static func list(_ names: [String]) -> String {
            let shown = names.prefix(3).map { "'\(excerpt($0, limit: 60))'" }.joined(separator: ", ")
            let more = names.count > 3 ? " and \(names.count - 3) more" : ""
            return (names.count == 1 ? "tensor " : "\(names.count) tensors ") + shown + more
        }
    }

    /// "safetensors file PATH: problem" (or "safetensors data: problem" for bytes in memory).
    public var description: String {
        (path.map { "safetensors file \($0)" } ?? "safetensors data") + ": \(problem)"
    }
}
