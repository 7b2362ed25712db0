import Foundation

/// `text` as a JSON string literal: quotes and backslashes escaped, newline, tab and carriage return
/// as `\n`, `\t`, `\r`, other control characters as `\uXXXX` (RFC 8259, section 7). Used where this
/// framework writes JSON by hand — the training log's JSON lines and the safetensors header — so
/// that user text (task names, metadata) cannot break the file.
public func jsonStringLiteral(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
        default: result.unicodeScalars.append(scalar)
        }
    }
    return result + "\""
}
