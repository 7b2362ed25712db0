// Printing tensors: nested brackets like NumPy, with the shape, and "…" past 6 items per axis.

extension Tensor: CustomStringConvertible {
    /// The shape, then the values in nested brackets like a NumPy array, with "…" past 6 items per axis.
    public var description: String {
        let prefix = "Tensor(shape: \(shape), "
        return prefix + formatted(axis: 0, offset: 0, indent: prefix.count) + ")"
    }

    private func formatted(axis: Int, offset: Int, indent: Int) -> String {
        if rank == 0 { return format(scalars[0]) }
        let size = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        let shown: [Int] = size <= 6 ? Array(0..<size) : [0, 1, 2, -1, size - 3, size - 2, size - 1]
        let items = shown.map { index -> String in
            if index < 0 { return "…" }
            if axis == rank - 1 { return format(scalars[offset + index]) }
            return formatted(axis: axis + 1, offset: offset + index * stride, indent: indent)
        }
        // Rows of an inner axis line up under the first: the prefix width plus one column per "[".
        let separator = axis == rank - 1 ? ", " : ",\n" + String(repeating: " ", count: indent + axis + 1)
        return "[" + items.joined(separator: separator) + "]"
    }

    private func format(_ value: Float) -> String {
        if value.isNaN || value.isInfinite { return "\(value)" }
        if value == value.rounded() && Swift.abs(value) < 1e7 { return "\(Int(value))." }
        return String(describing: value)
    }
}
