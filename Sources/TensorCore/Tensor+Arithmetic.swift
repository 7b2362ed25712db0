// Elementwise arithmetic with NumPy broadcasting (see Broadcasting.swift).

extension Tensor {
    /// Applies a binary kernel elementwise to two broadcast-compatible tensors.
    static func zip<K: BinaryKernel>(_ lhs: Tensor, _ rhs: Tensor, _ kernel: K.Type, operation: String) -> Tensor {
        if lhs.shape == rhs.shape {
            // Same shape: one contiguous run, the common case.
            return Tensor(shape: lhs.shape) { out in
                withUnsafePointers(reading: lhs, rhs) { a, b in
                    binaryRunInParallel(K.self, a, b, out.baseAddress!, out.count)
                }
            }
        }
        let outputShape = broadcastShape(lhs.shape, rhs.shape, operation: operation)
        let iteration = BroadcastIteration(
            outputShape: outputShape,
            operandStrides: [strides(of: outputShape), broadcastStrides(of: lhs.shape, to: outputShape),
                             broadcastStrides(of: rhs.shape, to: outputShape)])
        let innerStrides = (iteration.strides[1].last!, iteration.strides[2].last!)
        return Tensor(shape: outputShape) { out in
            guard out.count > 0 else { return }
            withUnsafePointers(reading: lhs, rhs) { a, b in
                iteration.forEachInnerRun { offsets, n in
                    binaryRun(K.self, a + offsets[1], innerStrides.0, b + offsets[2], innerStrides.1,
                              out.baseAddress! + offsets[0], n)
                }
            }
        }
    }

    /// Applies a unary kernel elementwise, optionally stretching the input to a broadcast shape.
    static func map<K: UnaryKernel>(_ x: Tensor, to outputShape: [Int]? = nil, _ kernel: K.Type) -> Tensor {
        let outputShape = outputShape ?? x.shape
        if outputShape == x.shape {
            return Tensor(shape: x.shape) { out in
                x.scalars.withUnsafeBufferPointer { input in
                    unaryRunInParallel(K.self, input.baseAddress!, out.baseAddress!, out.count)
                }
            }
        }
        let iteration = BroadcastIteration(
            outputShape: outputShape,
            operandStrides: [strides(of: outputShape), broadcastStrides(of: x.shape, to: outputShape)])
        let innerStride = iteration.strides[1].last!
        return Tensor(shape: outputShape) { out in
            guard out.count > 0 else { return }
            x.scalars.withUnsafeBufferPointer { input in
                iteration.forEachInnerRun { offsets, n in
                    unaryRun(K.self, input.baseAddress! + offsets[1], innerStride, out.baseAddress! + offsets[0], n)
                }
            }
        }
    }

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { zip(lhs, rhs, AddKernel.self, operation: "add") }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        zip(lhs, rhs, SubtractKernel.self, operation: "subtract")
    }
    /// Elementwise (Hadamard) product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        zip(lhs, rhs, MultiplyKernel.self, operation: "multiply")
    }
    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { zip(lhs, rhs, DivideKernel.self, operation: "divide") }

    /// Adds the scalar `rhs` to every element of `lhs`: `lhs + Tensor(rhs)`, shape of `lhs`.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs + Tensor(rhs) }
    /// Subtracts the scalar `rhs` from every element of `lhs`: `lhs − rhs`, shape of `lhs`.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs - Tensor(rhs) }
    /// Scales every element of `lhs` by the scalar `rhs`: `lhs · rhs`, shape of `lhs`.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(rhs) }
    /// Divides every element of `lhs` by the scalar `rhs`: `lhs / rhs`, shape of `lhs` (IEEE: `x / 0` is ±inf or NaN).
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs / Tensor(rhs) }
    /// Adds every element of `rhs` to the scalar `lhs`: `lhs + rhs`, shape of `rhs`.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    /// The scalar `lhs` minus every element of `rhs`: `lhs − rhs`, shape of `rhs` (`1 - mask` flips a 0/1 mask).
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    /// The scalar `lhs` times every element of `rhs`: `lhs · rhs`, shape of `rhs`.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    /// The scalar `lhs` divided by every element of `rhs`: `lhs / rhs`, shape of `rhs` (`1 / x` is the reciprocal).
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

    /// In-place elementwise sum, `lhs ← lhs + rhs`; `rhs` must broadcast to the shape of the result.
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs = lhs + rhs }
    /// In-place elementwise difference, `lhs ← lhs − rhs` (broadcasting as `-`).
    public static func -= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs - rhs }
    /// In-place elementwise product, `lhs ← lhs ⊙ rhs` (broadcasting as `*`).
    public static func *= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs * rhs }
    /// In-place elementwise quotient, `lhs ← lhs / rhs` (broadcasting as `/`).
    public static func /= (lhs: inout Tensor, rhs: Tensor) { lhs = lhs / rhs }
    /// Adds the scalar `rhs` to every element of `lhs` in place, `lhs ← lhs + rhs`.
    public static func += (lhs: inout Tensor, rhs: Float) { lhs = lhs + rhs }
    /// Subtracts the scalar `rhs` from every element of `lhs` in place, `lhs ← lhs − rhs`.
    public static func -= (lhs: inout Tensor, rhs: Float) { lhs = lhs - rhs }
    /// Scales every element of `lhs` by the scalar `rhs` in place, `lhs ← lhs · rhs`.
    public static func *= (lhs: inout Tensor, rhs: Float) { lhs = lhs * rhs }
    /// Divides every element of `lhs` by the scalar `rhs` in place, `lhs ← lhs / rhs`.
    public static func /= (lhs: inout Tensor, rhs: Float) { lhs = lhs / rhs }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor { map(x, NegateKernel.self) }

    /// Elementwise maximum with broadcasting (NaN if either operand is NaN).
    public static func maximum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        zip(lhs, rhs, MaximumKernel.self, operation: "maximum")
    }
    /// Elementwise minimum with broadcasting (NaN if either operand is NaN).
    public static func minimum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        zip(lhs, rhs, MinimumKernel.self, operation: "minimum")
    }

    /// In-place `self += alpha · other` for equal shapes, without a temporary (optimizer updates
    /// and gradient accumulation use it).
    public mutating func addScaled(_ other: Tensor, by alpha: Float = 1) {
        checkPrecondition(shape == other.shape, "addScaled: shapes \(shape) and \(other.shape) differ")
        let n = count
        let factor = SIMD8<Float>(repeating: alpha)
        scalars.withUnsafeMutableBufferPointer { target in
            other.scalars.withUnsafeBufferPointer { source in
                let t = UnsafeMutableRawPointer(target.baseAddress!), s = UnsafeRawPointer(source.baseAddress!)
                var i = 0
                while i + 8 <= n {
                    let v = t.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                        .addingProduct(factor, s.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
                    t.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < n { target[i] = target[i].addingProduct(alpha, source[i]); i += 1 }
            }
        }
    }
}

struct NegateKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { -x }
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { -x }
}
