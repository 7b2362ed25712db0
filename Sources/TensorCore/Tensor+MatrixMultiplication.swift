// Matrix products on top of the GEMM kernels (Kernels/GEMM.swift).

extension Tensor {
    /// The matrix product `op(lhs) · op(rhs)`, where `op` optionally transposes the last two axes.
    ///
    /// - Rank 2: `[M, K] · [K, N] → [M, N]`.
    /// - Batched (rank ≥ 3): `[B…, M, K] · [B…, K, N] → [B…, M, N]`; either side may also be rank 2
    ///   and is then shared by every batch element.
    /// The transposed operands are read in place by the kernel (no copy), which is how the backward
    /// pass computes `dA = dC · Bᵀ` and `dB = Aᵀ · dC`.
    public static func matmul(_ lhs: Tensor, _ rhs: Tensor,
                              transposingLHS transposeLHS: Bool = false, transposingRHS transposeRHS: Bool = false)
        -> Tensor {
        checkPrecondition(lhs.rank >= 2 && rhs.rank >= 2,
                          "matmul: needs rank ≥ 2 operands, got \(lhs.shape) and \(rhs.shape)")
        let (lhsRows, lhsColumns) = (lhs.shape[lhs.rank - 2], lhs.shape[lhs.rank - 1])
        let (rhsRows, rhsColumns) = (rhs.shape[rhs.rank - 2], rhs.shape[rhs.rank - 1])
        let m = transposeLHS ? lhsColumns : lhsRows, k = transposeLHS ? lhsRows : lhsColumns
        let kRight = transposeRHS ? rhsColumns : rhsRows, n = transposeRHS ? rhsRows : rhsColumns
        checkPrecondition(k == kRight,
                     "matmul: inner dimensions differ: \(lhs.shape)\(transposeLHS ? "ᵀ" : "") · "
                     + "\(rhs.shape)\(transposeRHS ? "ᵀ" : "") (\(k) vs \(kRight))")
        let lhsBatch = Array(lhs.shape.dropLast(2)), rhsBatch = Array(rhs.shape.dropLast(2))
        checkPrecondition(lhsBatch.isEmpty || rhsBatch.isEmpty || lhsBatch == rhsBatch,
                     "matmul: batch dimensions differ: \(lhs.shape) · \(rhs.shape)")
        let batchShape = lhsBatch.isEmpty ? rhsBatch : lhsBatch
        let batchCount = batchShape.reduce(1, *)
        let lhsStep = lhsBatch.isEmpty ? 0 : lhsRows * lhsColumns, rhsStep = rhsBatch.isEmpty ? 0 : rhsRows * rhsColumns
        return Tensor(shape: batchShape + [m, n]) { out in
            guard out.count > 0 else { return }
            withUnsafePointers(reading: lhs, rhs) { a, b in
                for batch in 0..<batchCount {
                    gemm(m: m, n: n, k: k,
                         a: a + batch * lhsStep, lda: lhsColumns, transposeA: transposeLHS,
                         b: b + batch * rhsStep, ldb: rhsColumns, transposeB: transposeRHS,
                         c: out.baseAddress! + batch * m * n, ldc: n, accumulate: false)
                }
            }
        }
    }

    /// `matmul(self, other)`.
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }
}

extension Tensor {
    /// The affine map `x · W + b` of a rank-2 `x` `[N, K]`, `W` `[K, M]`, `b` `[M]` → `[N, M]`, in one
    /// pass: the output starts as `b` in every row and the GEMM accumulates `x · W` onto it (no
    /// temporary for the product, no second pass for the bias).
    public static func affine(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        checkPrecondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[0]
                          && bias.shape == [weight.shape[1]],
                          "affine: input \(x.shape), weight \(weight.shape) and bias \(bias.shape) do not fit ([N, K], "
                          + "[K, M], [M])")
        let (n, k, m) = (x.shape[0], x.shape[1], weight.shape[1])
        return Tensor(shape: [n, m]) { out in
            guard out.count > 0 else { return }
            withUnsafePointers(reading: x, weight, bias) { a, w, b in
                for row in 0..<n { (out.baseAddress! + row * m).update(from: b, count: m) }
                gemm(m: n, n: m, k: k, a: a, lda: k, transposeA: false,
                     b: w, ldb: m, transposeB: false, c: out.baseAddress!, ldc: m, accumulate: true)
            }
        }
    }
}

infix operator • : MultiplicationPrecedence

extension Tensor {
    /// Matrix product (`a • b` is `Tensor.matmul(a, b)`).
    public static func • (lhs: Tensor, rhs: Tensor) -> Tensor { matmul(lhs, rhs) }
}
