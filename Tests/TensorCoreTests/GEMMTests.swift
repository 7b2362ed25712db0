import Testing
import TestSupport
import TensorCore

/// Chapter 02 — GEMM: every fast variant against the triple loop.
@Suite("GEMM kernels")
struct GEMMTests {
    enum Variant: String, CaseIterable { case direct, blocked, parallel }

    /// Runs a GEMM variant on stored matrices; `a` is stored M×K (or K×M when transposed), etc.
    static func run(_ variant: Variant?, m: Int, n: Int, k: Int, a: [Float], transposeA: Bool,
                    b: [Float], transposeB: Bool, c initial: [Float], accumulate: Bool, threads: Int = 2) -> [Float] {
        var c = Tensor(initial)
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        withUnsafePointers(reading: Tensor(a), Tensor(b), writing: &c) { a, b, c in
            switch variant {
            case nil:
                gemmNaive(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                          transposeB: transposeB, c: c, ldc: n, accumulate: accumulate)
            case .direct:
                gemmDirect(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                           transposeB: transposeB, c: c, ldc: n, accumulate: accumulate)
            case .blocked:
                gemmBlocked(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                            transposeB: transposeB, c: c, ldc: n, accumulate: accumulate)
            case .parallel:
                gemm(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb,
                     transposeB: transposeB, c: c, ldc: n, accumulate: accumulate, threads: threads)
            }
        }
        return c.scalars
    }

    /// Edge sizes: 1, primes, non-multiples of the 4×24 tile and of the 144/256 blocks, K = 1.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (1, 7, 3), (5, 1, 9), (4, 24, 1), (3, 25, 2), (7, 23, 13), (13, 29, 31),
        (37, 53, 71), (64, 48, 1), (145, 97, 257), (150, 3100, 20), (33, 200, 600),
        // Right edges of exactly 8 and 16 columns (the narrow micro-kernels), full and ragged rows.
        (12, 136, 33), (9, 40, 17), (256, 128, 100),
    ]

    @Test("fast variants match gemmNaive on edge shapes, all transposes, with and without accumulate",
          arguments: Variant.allCases)
    func matchesNaive(variant: Variant) {
        var generator = SeededGenerator(seed: 11)
        for (m, n, k) in Self.shapes {
            let a = randomScalars(m * k, &generator), b = randomScalars(k * n, &generator),
                c0 = randomScalars(m * n, &generator)
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    for accumulate in [false, true] {
                        let expected = Self.run(nil, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b,
                                                transposeB: transposeB, c: c0, accumulate: accumulate)
                        let actual = Self.run(variant, m: m, n: n, k: k, a: a, transposeA: transposeA, b: b,
                                              transposeB: transposeB, c: c0, accumulate: accumulate)
                        // Different summation order (blocked FMA vs sequential) → tolerance grows with √K.
                        isClose(actual, expected, rtol: 1e-4, atol: 2e-6 * Float(k).squareRoot() * 4,
                                "\(variant) m \(m) n \(n) k \(k) Aᵀ \(transposeA) Bᵀ \(transposeB) "
                                    + "acc \(accumulate)")
                    }
                }
            }
        }
    }

    @Test("results are bit-identical for 1, 2 and 3 threads")
    func threadCountDoesNotChangeBits() {
        var generator = SeededGenerator(seed: 12)
        for (m, n, k) in [(256, 256, 256), (300, 70, 500), (32, 3000, 144), (97, 1000, 33), (256, 128, 128)] {
            let a = randomScalars(m * k, &generator), b = randomScalars(k * n, &generator),
                c0 = [Float](repeating: 0, count: m * n)
            for transposeB in [false, true] {
                let one = Self.run(.parallel, m: m, n: n, k: k, a: a, transposeA: false, b: b, transposeB: transposeB,
                                   c: c0, accumulate: false, threads: 1)
                let two = Self.run(.parallel, m: m, n: n, k: k, a: a, transposeA: false, b: b, transposeB: transposeB,
                                   c: c0, accumulate: false, threads: 2)
                let three = Self.run(.parallel, m: m, n: n, k: k, a: a, transposeA: false, b: b, transposeB: transposeB,
                                     c: c0, accumulate: false, threads: 3)
                #expect(one == two, "1 vs 2 threads differ at \(m)×\(n)×\(k)")
                #expect(one == three, "1 vs 3 threads differ at \(m)×\(n)×\(k)")
            }
        }
    }

    @Test("the dot-product path equals its definition bit for bit (strided operands, depths under 8, ±0, ±∞, NaN)")
    func dotProductsMatchTheirDefinition() {
        var generator = SeededGenerator(seed: 31)
        for trial in 0..<400 {
            let m = 1 + generator.nextInt(below: 40), n = 1 + generator.nextInt(below: 20)
            let k = trial % 5 == 0 ? generator.nextInt(below: 8) : generator.nextInt(below: 70)
            let transposeA = generator.nextInt(below: 2) == 1, transposeB = generator.nextInt(below: 2) == 1
            let accumulate = generator.nextInt(below: 2) == 1
            // Leading dimensions with some padding; zeros of both signs among the values.
            let lda = (transposeA ? m : k) + generator.nextInt(below: 3)
            let ldb = (transposeB ? k : n) + generator.nextInt(below: 3)
            // Zeros of both signs among the values, and in one trial of four infinities and NaN.
            let special = trial % 4 == 1
            func values(_ count: Int) -> [Float] {
                randomScalars(count, &generator).map {
                    $0 > 0.9 ? 0 : $0 < -0.9 ? -0.0 : special && $0 > 0.85 ? .infinity
                        : special && $0 < -0.85 ? -.infinity : special && abs($0) < 0.01 ? .nan : $0
                }
            }
            let a = values(max(1, (transposeA ? k : m) * lda)), b = values(max(1, (transposeB ? n : k) * ldb))
            let ldc = n + generator.nextInt(below: 3)
            let start = values(m * ldc)
            var fast = start, naive = start
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    gemmDotProducts(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, transposeA: transposeA,
                                    b: b.baseAddress!, ldb: ldb, transposeB: transposeB, c: &fast, ldc: ldc,
                                    accumulate: accumulate)
                    gemmDotProductsNaive(m: m, n: n, k: k, a: a.baseAddress!, lda: lda, transposeA: transposeA,
                                         b: b.baseAddress!, ldb: ldb, transposeB: transposeB, c: &naive, ldc: ldc,
                                         accumulate: accumulate)
                }
            }
            // NaN against NaN whatever the payload (the compiler may order a NaN's operands either way).
            let same = zip(fast, naive).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
            #expect(same, "m \(m) n \(n) k \(k) Aᵀ \(transposeA) Bᵀ \(transposeB) acc \(accumulate)")
        }
    }

    @Test("K = 0 gives zeros, or leaves C unchanged when accumulating")
    func emptyReduction() {
        let c0: [Float] = [1, 2, 3, 4, 5, 6]
        #expect(Self.run(.parallel, m: 2, n: 3, k: 0, a: [0], transposeA: false, b: [0], transposeB: false, c: c0,
                         accumulate: false) == [0, 0, 0, 0, 0, 0])
        #expect(Self.run(.parallel, m: 2, n: 3, k: 0, a: [0], transposeA: false, b: [0], transposeB: false, c: c0,
                         accumulate: true) == c0)
    }

    @Test("a hand-computed 2×3 · 3×2 product")
    func handComputed() {
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
        let result = Tensor.matmul(Tensor([[1, 2, 3], [4, 5, 6]]), Tensor([[7, 8], [9, 10], [11, 12]]))
        #expect(result == Tensor([[58, 64], [139, 154]]))
    }
}
