import Foundation
import TensorCore

/// The JSON of a safetensors header: what `JSONSerialization` does not tell (whether a value is an
/// integer, the keys of an object as written, repeats included), and text quoted for writing.
enum HeaderJSON {
    /// `text` as a JSON string (`jsonStringLiteral`).
    static func quoted(_ text: String) -> String { jsonStringLiteral(text) }

    /// A JSON integer as `JSONSerialization` returns it: an `NSNumber` of an integer type that fits
    /// an `Int` — not a boolean (`true` is an `NSNumber` too, of type "c"), not a number written
    /// with a fraction or an exponent ("d"), not one too large for 64 bits (`NSDecimalNumber`).
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !(number is NSDecimalNumber) else { return nil }
        guard let type = String(validatingCString: number.objCType), ["s", "i", "l", "q", "S", "I", "L", "Q"]
            .contains(type) else { return nil }
        return value as? Int
    }

    /// The keys of the top-level object of `bytes`, which must be valid JSON (parsed already), in
    /// the order written. A key with escapes is decoded by `JSONSerialization` itself.
    static func topLevelKeys(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0, inString = false, escaped = false, expectingKey = false
        var keyStart: Int?
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if let start = keyStart {
                        keys.append(decodedString(bytes[start...index]))
                        keyStart = nil
                    }
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                if depth == 1 && expectingKey { keyStart = index; expectingKey = false }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { expectingKey = true }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                if depth == 1 { expectingKey = true }
            default:
                break
            }
        }
        return keys
    }

    /// A JSON string literal (quotes included) as text.
    private static func decodedString(_ literal: ArraySlice<UInt8>) -> String {
        guard literal.contains(UInt8(ascii: "\\")) else {
            return String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)
        }
        let decoded = try? JSONSerialization.jsonObject(with: Data(literal), options: .fragmentsAllowed)
        return decoded as? String ?? String(decoding: literal, as: UTF8.self)
    }
}
