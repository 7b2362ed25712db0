// Kernels take raw pointers; a tensor lends one pointer per closure (`withUnsafeBufferPointer`),
// so a kernel with four operands would sit four closures deep. These functions lend the pointers of
// several tensors at once, and a kernel call reads as one closure (Adam's step):
//
//   withUnsafePointers(reading: gradient, writing: &value, &m, &v) { g, θ, mp, vp in
//       adamUpdate(parameter: θ, gradient: g, firstMoment: mp, secondMoment: vp, count: n, settings)
//   }
//
// One overload per count of operands: reading 2–4 tensors (or 2 and an optional bias), or reading
// 1–3 and writing 1–3. Each only nests the tensors' own closures — no pointer escapes `body`, and
// nothing is allocated — and a written tensor is made unique first (copy-on-write), so other copies
// of it never see the writes.

/// Calls `body` with pointers to the scalars of two tensors, read-only.
///
/// Each pointer addresses the tensor's `count` scalars in row-major order (none for an empty
/// tensor: then it must not be read) and is valid only inside `body` — do not store or return it.
/// The caller checks the shapes, once, before the call: the kernel in `body` trusts them.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>) throws -> Result
) rethrows -> Result {
    try a.withUnsafeBufferPointer { a in
        try b.withUnsafeBufferPointer { b in try body(a.baseAddress!, b.baseAddress!) }
    }
}

/// Calls `body` with pointers to the scalars of three tensors, read-only (see the two-tensor form).
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, _ c: Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) throws -> Result
) rethrows -> Result {
    try withUnsafePointers(reading: a, b) { a, b in
        try c.withUnsafeBufferPointer { c in try body(a, b, c.baseAddress!) }
    }
}

/// Like the two-tensor form, plus a third operand that may be absent (an optional bias): its
/// pointer is nil when `c` is.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, optional c: Tensor?,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?) throws -> Result
) rethrows -> Result {
    try withUnsafePointers(reading: a, b) { a, b in
        guard let c else { return try body(a, b, nil) }
        return try c.withUnsafeBufferPointer { c in try body(a, b, c.baseAddress!) }
    }
}

/// Calls `body` with pointers to the scalars of four tensors, read-only (see the two-tensor form).
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) throws -> Result
) rethrows -> Result {
    try withUnsafePointers(reading: a, b, c) { a, b, c in
        try d.withUnsafeBufferPointer { d in try body(a, b, c, d.baseAddress!) }
    }
}

/// Calls `body` with a read-only pointer to the scalars of `a` and a mutable one to those of `x`.
///
/// `x` is made unique first (copy-on-write), so the writes reach `x` and no other copy of it; a
/// tensor passed both to read and to write is therefore read as it was before the call. Pointers
/// are valid only inside `body`, and the caller checks the shapes before the call.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, writing x: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try x.withUnsafeMutableBufferPointer { x in
        try a.withUnsafeBufferPointer { a in try body(a.baseAddress!, x.baseAddress!) }
    }
}

/// Reading one tensor, writing two (see the one-and-one form).
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, writing x: inout Tensor, _ y: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try y.withUnsafeMutableBufferPointer { y in
        try withUnsafePointers(reading: a, writing: &x) { a, x in try body(a, x, y.baseAddress!) }
    }
}

/// Reading one tensor, writing three (see the one-and-one form):
/// an optimizer step that updates a parameter and its two moments from its gradient.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, writing x: inout Tensor, _ y: inout Tensor, _ z: inout Tensor,
    _ body: (UnsafePointer<Float>,
             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try z.withUnsafeMutableBufferPointer { z in
        try withUnsafePointers(reading: a, writing: &x, &y) { a, x, y in try body(a, x, y, z.baseAddress!) }
    }
}

/// Reading two tensors, writing one (see the one-and-one form): a product `x = a · b`.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, writing x: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try x.withUnsafeMutableBufferPointer { x in
        try withUnsafePointers(reading: a, b) { a, b in try body(a, b, x.baseAddress!) }
    }
}

/// Reading two tensors, writing two (see the one-and-one form).
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, writing x: inout Tensor, _ y: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>,
             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try y.withUnsafeMutableBufferPointer { y in
        try withUnsafePointers(reading: a, b, writing: &x) { a, b, x in try body(a, b, x, y.baseAddress!) }
    }
}

/// Reading two tensors, writing three (see the one-and-one form).
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, writing x: inout Tensor, _ y: inout Tensor, _ z: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>,
             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try z.withUnsafeMutableBufferPointer { z in
        try withUnsafePointers(reading: a, b, writing: &x, &y) { a, b, x, y in try body(a, b, x, y, z.baseAddress!) }
    }
}

/// Reading three tensors, writing one (see the one-and-one form): a forward pass with a bias.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, _ c: Tensor, writing x: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
             UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try x.withUnsafeMutableBufferPointer { x in
        try withUnsafePointers(reading: a, b, c) { a, b, c in try body(a, b, c, x.baseAddress!) }
    }
}

/// Reading three tensors, writing two (see the one-and-one form).
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, _ c: Tensor, writing x: inout Tensor, _ y: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try y.withUnsafeMutableBufferPointer { y in
        try withUnsafePointers(reading: a, b, c, writing: &x) { a, b, c, x in try body(a, b, c, x, y.baseAddress!) }
    }
}

/// Reading three tensors, writing three (see the one-and-one form):
/// a backward pass that writes the gradients of three operands.
@inlinable
public func withUnsafePointers<Result>(
    reading a: Tensor, _ b: Tensor, _ c: Tensor, writing x: inout Tensor, _ y: inout Tensor, _ z: inout Tensor,
    _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
             UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) throws -> Result
) rethrows -> Result {
    try z.withUnsafeMutableBufferPointer { z in
        try withUnsafePointers(reading: a, b, c, writing: &x, &y) { a, b, c, x, y in
            try body(a, b, c, x, y, z.baseAddress!)
        }
    }
}
