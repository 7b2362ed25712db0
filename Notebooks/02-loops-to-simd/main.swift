// %% [markdown]
// # 02 — From loops to SIMD
//
// The same matrix product four ways, each tested against the first:
// 1. `gemmNaive` — three loops, one multiply-add at a time;
// 2. `gemmDirect` — a row of C at a time, eight columns per `SIMD8<Float>` fused multiply-add;
// 3. `gemmBlocked` — packed panels, cache blocking and a 4×24 register-blocked micro-kernel;
// 4. `gemm` — the parallel driver: one slab of C per thread.
// Run it with `swift run -c release 02-loops-to-simd` (add `--quick` for a smaller problem).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")
let size = quick ? 128 : 512
var generator = SeededGenerator(seed: 0)
let a = Tensor.uniform([size, size], low: -1, high: 1, using: &generator)
let b = Tensor.uniform([size, size], low: -1, high: 1, using: &generator)

/// Runs one GEMM variant on the two matrices and returns C with the median time in milliseconds.
func measure(_ name: String, repeats: Int,
             _ variant: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void)
    -> ([Float], Double) {
    var c = [Float](repeating: 0, count: size * size)
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            variant(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!)
        } } }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return (c, times.sorted()[times.count / 2])
}

// %% [markdown]
// ## The four variants
// They share one signature: m, n, k, then each operand with its leading dimension and whether it
// is read transposed, then C and whether to add to it.

// %%
let n = size
let (reference, naiveTime) = measure("naive", repeats: 1) {
    gemmNaive(m: n, n: n, k: n, a: $0, lda: n, transposeA: false, b: $1, ldb: n, transposeB: false, c: $2, ldc: n,
              accumulate: false)
}
let (direct, directTime) = measure("direct", repeats: 3) {
    gemmDirect(m: n, n: n, k: n, a: $0, lda: n, transposeA: false, b: $1, ldb: n, transposeB: false, c: $2, ldc: n,
               accumulate: false)
}
let (blocked, blockedTime) = measure("blocked", repeats: 9) {
    gemmBlocked(m: n, n: n, k: n, a: $0, lda: n, transposeA: false, b: $1, ldb: n, transposeB: false, c: $2, ldc: n,
                accumulate: false)
}
let (parallel, parallelTime) = measure("parallel", repeats: 9) {
    gemm(m: n, n: n, k: n, a: $0, lda: n, transposeA: false, b: $1, ldb: n, transposeB: false, c: $2, ldc: n,
         accumulate: false)
}

// %% [markdown]
// ## Results on this machine
// GFLOP/s = 2·n³ / time. The largest difference to the naive result is rounding: the fast
// variants add the same products in another order.

// %%
let flops = 2 * Double(n * n * n)
print("\(n)×\(n)×\(n), \(Parallelism.threadCount) thread(s) for the parallel driver")
print("variant      ms        GFLOP/s   speed-up   max |difference|")
for (name, result, time) in [("naive", reference, naiveTime), ("direct", direct, directTime),
                             ("blocked", blocked, blockedTime), ("parallel", parallel, parallelTime)] {
    let difference = zip(result, reference).map { abs($0 - $1) }.max() ?? 0
    print(String(format: "%-10@ %9.3f %9.1f %9.0f×   %.1e", name as NSString, time, flops / time / 1e6,
                 naiveTime / time, difference))
}

// %% [markdown]
// ## Try next
// - Build without `-target-cpu native` (edit `Package.swift`) and watch `blocked` collapse: without
//   FMA each vector multiply-add becomes eight calls to `fmaf`.
// - Change `GEMMBlocking.kc` and see where the L1 cache stops holding a B micro-panel.
