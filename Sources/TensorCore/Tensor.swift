/// An n-dimensional array of `Float` (32-bit), stored contiguously in row-major order.
///
/// `Tensor` is a value type: assigning it or passing it to a function behaves like copying it.
/// The copy is *lazy* (copy-on-write): the scalars live in a Swift `Array`, which shares its buffer
/// between copies until one of them is mutated, and only then duplicates it. So
/// `let b = a` costs nothing, and `b[0] = 1` after it copies once.
///
/// Element `(i₀, i₁, …, iₙ₋₁)` of a tensor with shape `[d₀, d₁, …, dₙ₋₁]` lives at offset
/// `i₀·s₀ + i₁·s₁ + … + iₙ₋₁·sₙ₋₁` with row-major strides
/// `sₖ = dₖ₊₁·…·dₙ₋₁` (`sₙ₋₁ = 1`).
/// Because storage is always contiguous, `reshaped(to:)` is free (only the shape changes), while
/// anything that would need other strides (`transposed`, `permuted`, slicing an inner axis)
/// copies the scalars into a new contiguous tensor and says so in its documentation.
///
/// A rank-0 tensor (shape `[]`) is a scalar with one element.
public struct Tensor: Sendable, Equatable {
    /// The size of each dimension, outermost first.
    public internal(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Float]

    /// Creates a tensor from its row-major scalars and a shape.
    /// - Precondition: `scalars.count` equals the product of `shape`, and no dimension is negative.
    public init(shape: [Int], scalars: [Float]) {
        let needed = Tensor.checkedElementCount(of: shape, "Tensor(shape:scalars:)")
        checkPrecondition(scalars.count == needed,
                     "Tensor(shape:scalars:): \(scalars.count) scalars do not fill shape \(shape) (needs \(needed))")
        self.shape = shape
        self.scalars = scalars
        _ = MemoryPolicy.isApplied   // once per process: keep freed buffers for reuse (MemoryPolicy.swift)
    }

    /// Creates a rank-0 tensor holding one scalar.
    public init(_ scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// Creates a rank-1 tensor from an array.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// Creates a rank-2 tensor from rows of equal length.
    public init(_ rows: [[Float]]) {
        let columnCount = rows.first?.count ?? 0
        checkPrecondition(rows.allSatisfy { $0.count == columnCount },
                          "Tensor(rows): rows have different lengths \(rows.map(\.count))")
        self.init(shape: [rows.count, columnCount], scalars: rows.flatMap { $0 })
    }

    /// Creates a tensor of the given shape whose scalars are written by `initializer`
    /// into uninitialized memory (every one of the `count` scalars must be written).
    public init(shape: [Int], unsafeUninitialized initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = Tensor.checkedElementCount(of: shape, "Tensor(shape:unsafeUninitialized:)")
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            initializer(buffer)
            initializedCount = count
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// The number of dimensions (0 for a scalar).
    public var rank: Int { shape.count }
    /// The number of scalars, the product of `shape`.
    public var count: Int { scalars.count }

    /// The single scalar of a one-element tensor.
    public var scalar: Float {
        checkPrecondition(count == 1, "Tensor.scalar: tensor of shape \(shape) has \(count) elements, not 1")
        return scalars[0]
    }

    /// The number of elements of `shape` (the product of its dimensions), or nil when a dimension
    /// is negative or the shape could not be indexed: the product of its non-zero dimensions must
    /// fit in an `Int`, so that strides never overflow — `[0, 2³², 2³²]` holds no element, but its
    /// first stride would not fit. Readers check every shape from a file with this first.
    public static func elementCount(of shape: [Int]) -> Int? {
        var nonZeroProduct = 1, hasZero = false
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { hasZero = true; continue }
            let (next, overflow) = nonZeroProduct.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            nonZeroProduct = next
        }
        return hasZero ? 0 : nonZeroProduct
    }

    /// `elementCount(of:)`, stopping the program with a message naming `operation` and the shape
    /// when the shape is invalid (a programmer error; shapes from files are checked before this).
    static func checkedElementCount(of shape: [Int], _ operation: String) -> Int {
        guard let count = elementCount(of: shape) else {
            fatalError("\(operation): shape \(shape) has a negative dimension or more elements than an Int can count")
        }
        return count
    }

    /// Row-major strides of `shape`: the distance in scalars between neighbours along each axis.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Turns a possibly negative axis (`-1` is the last) into `0..<rank`.
    public func normalizedAxis(_ axis: Int, operation: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        checkPrecondition(normalized >= 0 && normalized < Swift.max(rank, 1) && (rank > 0 || normalized == 0),
                     "\(operation): axis \(axis) is out of range for shape \(shape)")
        return normalized
    }

    /// Reads the scalar at a multi-index.
    public func scalar(at indices: [Int]) -> Float {
        scalars[offset(of: indices, operation: "scalar(at:)")]
    }

    /// Writes the scalar at a multi-index.
    public mutating func setScalar(_ value: Float, at indices: [Int]) {
        scalars[offset(of: indices, operation: "setScalar(_:at:)")] = value
    }

    /// The scalar at row-major offset `offset` (0 ..< count), read or written.
    public subscript(flat offset: Int) -> Float {
        get {
            checkPrecondition(offset >= 0 && offset < count,
                              "subscript(flat:): offset \(offset) out of bounds for \(count) scalars")
            return scalars[offset]
        }
        set {
            checkPrecondition(offset >= 0 && offset < count,
                              "subscript(flat:): offset \(offset) out of bounds for \(count) scalars")
            scalars[offset] = newValue
        }
    }

    func offset(of indices: [Int], operation: String) -> Int {
        checkPrecondition(indices.count == rank, "\(operation): \(indices.count) indices for shape \(shape)")
        var offset = 0
        for (axis, index) in indices.enumerated() {
            checkPrecondition(index >= 0 && index < shape[axis],
                              "\(operation): index \(indices) is out of bounds for shape \(shape)")
            offset = offset * shape[axis] + index
        }
        return offset
    }

    /// Calls `body` with a pointer to the scalars (read-only).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the scalars (copying them first if shared).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}

extension Tensor {
    /// Formats a shape the way error messages print it: `[2, 3]`.
    static func describe(_ shape: [Int]) -> String { "\(shape)" }
}
