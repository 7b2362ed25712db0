import TensorCore

// Derivative rule of the matrix product C = op(A) · op(B), op = identity or transpose:
//   ∂L/∂op(A) = ∂L/∂C · op(B)ᵀ        ∂L/∂op(B) = op(A)ᵀ · ∂L/∂C
// and a transposed operand gets the transpose of that. The transposes are never materialized:
// the GEMM kernel reads its operands transposed in place. A rank-2 operand shared by a batch
// receives the sum of its gradients over the batch.

extension Variable {
    /// The matrix product `op(lhs) · op(rhs)` (2-D or batched, see `Tensor.matmul`).
    public static func matmul(_ lhs: Variable, _ rhs: Variable,
                              transposingLHS transposeA: Bool = false, transposingRHS transposeB: Bool = false)
        -> Variable {
        let (a, b) = (lhs.value, rhs.value)
        let output = Tensor.matmul(a, b, transposingLHS: transposeA, transposingRHS: transposeB)
        return Variable(output, operation: "matmul", parents: [lhs, rhs]) { dC, needed in
            var dA: Tensor?, dB: Tensor?
            if needed[0] {
                // dA = dC·op(B)ᵀ, or its transpose op(B)·dCᵀ when A was used transposed.
                dA = transposeA ? Tensor.matmul(b, dC, transposingLHS: transposeB, transposingRHS: true)
                                : Tensor.matmul(dC, b, transposingRHS: !transposeB)
                dA = dA!.summed(toShape: a.shape)
            }
            if needed[1] {
                // dB = op(A)ᵀ·dC, or its transpose dCᵀ·op(A) when B was used transposed.
                dB = transposeB ? Tensor.matmul(dC, a, transposingLHS: true, transposingRHS: transposeA)
                                : Tensor.matmul(a, dC, transposingLHS: !transposeA)
                dB = dB!.summed(toShape: b.shape)
            }
            return [dA, dB]
        }
    }

    /// The affine map `x · W + b` (rank-2 `x`) as one node: `Tensor.affine` forward; backward
    /// `∂x = ∂y · Wᵀ`, `∂W = xᵀ · ∂y`, `∂b = Σ_rows ∂y`.
    public static func affine(_ x: Variable, weight: Variable, bias: Variable) -> Variable {
        let (input, w) = (x.value, weight.value)
        let output = Tensor.affine(input, weight: w, bias: bias.value)
        return Variable(output, operation: "affine", parents: [x, weight, bias]) { dY, needed in
            [needed[0] ? Tensor.matmul(dY, w, transposingRHS: true) : nil,
             needed[1] ? Tensor.matmul(input, dY, transposingLHS: true) : nil,
             needed[2] ? dY.sum(alongAxis: 0) : nil]
        }
    }

    /// `matmul(self, other)`.
    public func matmul(_ other: Variable) -> Variable { Variable.matmul(self, other) }

    /// Matrix product (`a • b`).
    public static func • (lhs: Variable, rhs: Variable) -> Variable { matmul(lhs, rhs) }
}
