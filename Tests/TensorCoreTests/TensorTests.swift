import Testing
import TestSupport
import Foundation
import TensorCore

/// Chapter 01 — tensors: storage, shapes, broadcasting, copy-on-write, reductions, softmax.
@Suite("Tensor")
struct TensorTests {
    @Test("creation: zeros, ones, full, arange, linspace, eye, oneHot")
    func creation() {
        #expect(Tensor.zeros([2, 3]).scalars == [0, 0, 0, 0, 0, 0])
        #expect(Tensor.ones([2]).scalars == [1, 1])
        #expect(Tensor.full([1, 2], value: 7).scalars == [7, 7])
        #expect(Tensor.arange(to: 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(from: 1, to: 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.linspace(from: 0, to: 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.eye(3) == Tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
        #expect(Tensor.oneHot([2, 0], classCount: 3) == Tensor([[0, 0, 1], [1, 0, 0]]))
        #expect(Tensor(3).shape == [] && Tensor(3).scalar == 3)
    }

    @Test("copy-on-write: a copy shares storage until one side is mutated")
    func copyOnWrite() {
        var a = Tensor.arange(to: 4)
        let b = a
        a.setScalar(10, at: [0])
        #expect(b.scalars == [0, 1, 2, 3])
        #expect(a.scalars == [10, 1, 2, 3])
        var c = b.reshaped(to: [2, 2])
        c[1] = Tensor([8, 9])
        #expect(c.scalars == [0, 1, 8, 9] && b.scalars == [0, 1, 2, 3])
    }

    @Test("reshape is free and infers -1; permute and transpose copy in the right order")
    func shapes() {
        let x = Tensor.arange(to: 24).reshaped(to: [2, -1, 4])
        #expect(x.shape == [2, 3, 4])
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 {
            #expect(p.scalar(at: [k, i, j]) == x.scalar(at: [i, j, k]))
        } } }
        #expect(Tensor([[1, 2, 3], [4, 5, 6]]).transposed() == Tensor([[1, 4], [2, 5], [3, 6]]))
        #expect(x.expandingShape(at: 1).shape == [2, 1, 3, 4])
        #expect(x.expandingShape(at: -1).shape == [2, 3, 4, 1])
        #expect(Tensor.zeros([1, 3, 1]).squeezingShape().shape == [3])
    }

    @Test("slicing, selecting, gathering, subscripts")
    func slicing() {
        let x = Tensor.arange(to: 12).reshaped(to: [3, 4])
        #expect(x[1] == Tensor([4, 5, 6, 7]))
        #expect(x[1..<3].shape == [2, 4])
        #expect(x.sliced(1..<3, alongAxis: 1) == Tensor([[1, 2], [5, 6], [9, 10]]))
        #expect(x.selecting(3, alongAxis: 1) == Tensor([3, 7, 11]))
        #expect(x.gathering([2, 0, 2]) == Tensor([[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]]))
    }

    @Test("concatenate, stack, split, pad")
    func joining() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6]])
        #expect(Tensor(concatenating: [a, b]) == Tensor([[1, 2], [3, 4], [5, 6]]))
        #expect(Tensor(concatenating: [a, Tensor([[9], [9]])], alongAxis: 1) == Tensor([[1, 2, 9], [3, 4, 9]]))
        #expect(Tensor(stacking: [Tensor([1, 2]), Tensor([3, 4])], alongAxis: 1) == Tensor([[1, 3], [2, 4]]))
        let pieces = Tensor.arange(to: 10).split(sizes: [3, 7])
        #expect(pieces[0].scalars == [0, 1, 2] && pieces[1].count == 7)
        #expect(Tensor.arange(to: 6).reshaped(to: [2, 3]).split(count: 3, alongAxis: 1)[2] == Tensor([[2], [5]]))
        #expect(Tensor([[1, 2]]).padded(with: [(1, 0), (0, 2)], value: -1) == Tensor([[-1, -1, -1, -1],
                                                                                      [1, 2, -1, -1]]))
    }

    @Test("broadcasting follows NumPy's rules")
    func broadcasting() {
        #expect(Tensor.broadcastShape([4, 1, 3], [2, 1], operation: "test") == [4, 2, 3])
        #expect(Tensor.broadcastShape([], [5], operation: "test") == [5])
        let column = Tensor([[1], [2]]), row = Tensor([10, 20, 30])
        #expect(column + row == Tensor([[11, 21, 31], [12, 22, 32]]))
        #expect(row - column == Tensor([[9, 19, 29], [8, 18, 28]]))
        // Bias over channels: [N, C, H, W] + [1, C, 1, 1].
        let images = Tensor.zeros([2, 3, 2, 2]), bias = Tensor(shape: [1, 3, 1, 1], scalars: [1, 2, 3])
        let sum = images + bias
        #expect(sum.shape == [2, 3, 2, 2])
        #expect(sum.scalar(at: [1, 2, 1, 0]) == 3 && sum.scalar(at: [0, 1, 0, 1]) == 2)
        #expect((Tensor([2, 4]) * 0.5).scalars == [1, 2])
        #expect((1 / Tensor([2, 4])).scalars == [0.5, 0.25])
        #expect(Tensor([[1, 2, 3]]).broadcast(to: [2, 3]) == Tensor([[1, 2, 3], [1, 2, 3]]))
    }

    @Test("elementwise arithmetic matches scalar loops on random broadcast shapes")
    func randomBroadcasts() {
        var generator = SeededGenerator(seed: 31)
        for _ in 0..<50 {
            let rank = generator.nextInt(below: 4) + 1
            let full = (0..<rank).map { _ in generator.nextInt(below: 4) + 1 }
            let lhsShape = full.map { generator.nextInt(below: 3) == 0 ? 1 : $0 }
            let rhsShape = Array(full.map { generator.nextInt(below: 3) == 0 ? 1 : $0 }
                                     .dropFirst(generator.nextInt(below: rank)))
            let a = Tensor.uniform(lhsShape, low: 1, high: 2, using: &generator),
                b = Tensor.uniform(rhsShape, low: 1, high: 2, using: &generator)
            let outShape = Tensor.broadcastShape(lhsShape, rhsShape, operation: "test")
            let ea = a.broadcast(to: outShape), eb = b.broadcast(to: outShape)
            #expect((a + b).scalars == zip(ea.scalars, eb.scalars).map { $0 + $1 })
            #expect((a * b).scalars == zip(ea.scalars, eb.scalars).map { $0 * $1 })
            #expect((a / b).scalars == zip(ea.scalars, eb.scalars).map { $0 / $1 })
            #expect(Tensor.maximum(a, b).scalars == zip(ea.scalars, eb.scalars).map { max($0, $1) })
            // broadcast(to:) itself agrees with scalar(at:) of the stretched input.
            let index = outShape.map { generator.nextInt(below: $0) }
            let offset = lhsShape.count - outShape.count
            let sourceIndex = (0..<lhsShape.count).map { lhsShape[$0] == 1 ? 0 : index[$0 - offset] }
            #expect(ea.scalar(at: index) == a.scalar(at: sourceIndex))
        }
    }

    @Test("unary math")
    func unaryMath() {
        let x = Tensor([-2, -0.5, 0, 1, 3, 40, -40, 0.25, 9])
        isClose(x.relu(), Tensor([0, 0, 0, 1, 3, 40, 0, 0.25, 9]))
        isClose(x.abs(), Tensor(x.scalars.map { abs($0) }))
        isClose(x.sigmoid(), Tensor(x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }), rtol: 1e-6, atol: 1e-7)
        #expect(x.sigmoid().isFinite)
        isClose(x.tanh(), Tensor(x.scalars.map { Foundation.tanh($0) }))
        isClose(x.squared(), x * x)
        isClose(Tensor([4, 9]).squareRoot(), Tensor([2, 3]))
        isClose(Tensor([0, 1]).exp(), Tensor([1, Foundation.exp(Float(1))]))
        isClose(Tensor([1, Foundation.exp(Float(2))]).log(), Tensor([0, 2]))
        #expect(x.sign().scalars == [-1, -1, 0, 1, 1, 1, -1, 1, 1])
        #expect(x.clamped(to: -1...1).scalars == [-1, -0.5, 0, 1, 1, 1, -1, 0.25, 1])
        #expect((-x).scalars == x.scalars.map { -$0 })
    }

    @Test("comparisons give 0/1 masks; where selects with broadcasting")
    func comparisons() {
        let x = Tensor([1, 5, 3])
        #expect((x .> 2).scalars == [0, 1, 1])
        #expect((x .<= Tensor([1, 4, 3])).scalars == [1, 0, 1])
        #expect((x .== 3).scalars == [0, 0, 1])
        #expect(Tensor.where(x .> 2, x, Tensor(0)).scalars == [0, 5, 3])
        #expect(Tensor.where(Tensor([[1], [0]]), Tensor([1, 2]), Tensor(-1)) == Tensor([[1, 2], [-1, -1]]))
    }

    @Test("reductions over each axis, with and without keepingDimensions")
    func reductions() {
        let x = Tensor.arange(to: 24).reshaped(to: [2, 3, 4])
        for axis in 0..<3 {
            let sums = x.sum(alongAxis: axis)
            var expectedShape = x.shape
            expectedShape.remove(at: axis)
            #expect(sums.shape == expectedShape)
            #expect(x.sum(alongAxis: axis, keepingDimensions: true).shape == x.shape.enumerated().map {
                $0.offset == axis ? 1 : $0.element
            })
            // Compare every output element with a scalar loop over the reduced axis.
            for flat in 0..<sums.count {
                var index: [Int] = []
                var rest = flat
                for size in expectedShape.reversed() { index.insert(rest % size, at: 0); rest /= size }
                var total: Float = 0, largest = -Float.infinity, smallest = Float.infinity
                for a in 0..<x.shape[axis] {
                    var full = index
                    full.insert(a, at: axis)
                    let value = x.scalar(at: full)
                    total += value; largest = max(largest, value); smallest = min(smallest, value)
                }
                #expect(sums.scalars[flat] == total)
                #expect(x.max(alongAxis: axis).scalars[flat] == largest)
                #expect(x.min(alongAxis: axis).scalars[flat] == smallest)
                #expect(x.mean(alongAxis: axis).scalars[flat] == total / Float(x.shape[axis]))
            }
        }
        #expect(x.sum().scalar == 276)
        #expect(x.sum(alongAxes: [0, 2]).scalars == [60, 92, 124])
        #expect(x.mean(alongAxes: [-1, 0], keepingDimensions: true).shape == [1, 3, 1])
        #expect(Tensor([[1, 9, 3], [7, 2, 7]]).argmax(alongAxis: 1) == [1, 0])
        #expect(Tensor([[1, 9, 3], [7, 2, 7]]).argmin(alongAxis: 0) == [0, 1, 0])
        #expect(Tensor([3, 1, 4, 1, 5]).argmax() == 4)
        isClose(Tensor([1, 2, 3, 4]).variance(), Tensor(1.25))
        isClose(Tensor([1, 2, 3, 4]).variance(correction: 1), Tensor(5.0 / 3.0))
        isClose(Tensor([[1, 3], [2, 6]]).variance(alongAxes: [1]), Tensor([1, 4]))
        #expect(Tensor([1, .nan, 3]).max().scalar.isNaN)
    }

    @Test("softmax and log-softmax are stable for inputs of ±1e4")
    func softmaxStability() {
        let x = Tensor([[1e4, 0, -1e4], [-1e4, -1e4, -1e4], [1, 2, 3]])
        let s = x.softmax()
        #expect(s.isFinite)
        isClose(s.sum(alongAxis: 1), Tensor([1, 1, 1]))
        isClose(s[0], Tensor([1, 0, 0]))
        isClose(s[1], Tensor([1.0 / 3, 1.0 / 3, 1.0 / 3]))
        let e: [Float] = [Foundation.exp(1), Foundation.exp(2), Foundation.exp(3)], z = e.reduce(0, +)
        isClose(s[2], Tensor(e.map { $0 / z }))
        let logS = x.logSoftmax()
        #expect(logS.isFinite)
        isClose(logS[0], Tensor([0, -1e4, -2e4]))
        isClose(logS[2], Tensor(e.map { Foundation.log($0 / z) }), rtol: 1e-5, atol: 1e-5)
        isClose(x.logSumExp(alongAxis: 1), Tensor([1e4, -1e4 + Foundation.log(3), Foundation.log(z)]))
        // Along the first axis too.
        isClose(x.softmax(alongAxis: 0).sum(alongAxis: 0), Tensor([1, 1, 1]))
    }

    @Test("batched matmul equals one matmul per batch element; shared right operand; transposes")
    func batchedMatmul() {
        var generator = SeededGenerator(seed: 32)
        let a = Tensor.uniform([3, 4, 5], using: &generator), b = Tensor.uniform([3, 5, 2], using: &generator)
        let c = Tensor.matmul(a, b)
        #expect(c.shape == [3, 4, 2])
        for i in 0..<3 { isClose(c[i], Tensor.matmul(a[i], b[i])) }
        let shared = Tensor.uniform([5, 6], using: &generator)
        let d = Tensor.matmul(a, shared)
        for i in 0..<3 { isClose(d[i], a[i] • shared) }
        let m = Tensor.uniform([4, 7], using: &generator), n = Tensor.uniform([6, 7], using: &generator)
        isClose(Tensor.matmul(m, n, transposingRHS: true), m • n.transposed())
        isClose(Tensor.matmul(m, Tensor.uniform([4, 2], seed: 3), transposingLHS: true),
                m.transposed() • Tensor.uniform([4, 2], seed: 3))
    }

    @Test("description prints shape and values")
    func description() {
        #expect(Tensor([[1, 2], [3, 4.5]]).description.contains("shape: [2, 2]"))
        #expect(Tensor([[1, 2], [3, 4.5]]).description.contains("4.5"))
        #expect(Tensor.arange(to: 100).description.contains("…"))
        #expect(Tensor(2).description == "Tensor(shape: [], 2.)")
    }
}

@Suite("Seeded random numbers")
struct RandomTests {
    @Test("the same seed gives the same stream; different seeds differ")
    func reproducible() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        #expect(Tensor.normal([10], seed: 5) == Tensor.normal([10], seed: 5))
        #expect(Tensor.uniform([10], seed: 5) != Tensor.uniform([10], seed: 6))
    }

    @Test("uniform and normal samples have the documented moments")
    func moments() {
        let u = Tensor.uniform([100_000], low: 2, high: 4, seed: 1)
        #expect(abs(u.mean().scalar - 3) < 0.01)
        #expect(u.min().scalar >= 2 && u.max().scalar < 4)
        let n = Tensor.normal([100_000], mean: 1, standardDeviation: 2, seed: 2)
        #expect(abs(n.mean().scalar - 1) < 0.03)
        #expect(abs(n.variance().scalar.squareRoot() - 2) < 0.03)
    }

    @Test("integers are in range and permutations are permutations")
    func integers() {
        var generator = SeededGenerator(seed: 3)
        let draws = (0..<10_000).map { _ in generator.nextInt(below: 7) }
        #expect(draws.allSatisfy { (0..<7).contains($0) })
        #expect(Set(draws).count == 7)
        #expect(generator.permutation(50).sorted() == Array(0..<50))
    }
}

@Suite("Memory policy")
struct MemoryPolicyTests {
    @Test("on glibc, creating a tensor raises the allocator thresholds once (unless opted out)")
    func applied() {
        _ = Tensor.zeros([1])
        #if canImport(Glibc)
        let optedOut = ProcessInfo.processInfo.environment["MTL_KEEP_MALLOC_DEFAULTS"] == "1"
        #expect(MemoryPolicy.isApplied == !optedOut)
        #else
        #expect(!MemoryPolicy.isApplied)
        #endif
    }
}
