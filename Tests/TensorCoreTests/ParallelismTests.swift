import Foundation
import Testing
import TensorCore

/// Chapter 02 — when a kernel call goes parallel, and what splitting it must not change.
@Suite("Parallelism: the cost model")
struct ParallelismTests {
    @Test("one worker below 4 wake-ups of work, ⌊√(s / c)⌋ above, never more than the threads")
    func workerCountFollowsTheModel() {
        let cost = 20e-6
        #expect(Parallelism.workerCount(seconds: 3.99 * cost, wakeUpCost: cost, threads: 2) == 1)
        #expect(Parallelism.workerCount(seconds: 4.01 * cost, wakeUpCost: cost, threads: 2) == 2)
        #expect(Parallelism.workerCount(seconds: 1.0, wakeUpCost: cost, threads: 2) == 2)
        #expect(Parallelism.workerCount(seconds: 1.0, wakeUpCost: cost, threads: 16) == 16)
        // √(50) ≈ 7.07: seven workers of sixteen.
        #expect(Parallelism.workerCount(seconds: 50 * cost, wakeUpCost: cost, threads: 16) == 7)
        // One thread, or no work: always inline.
        #expect(Parallelism.workerCount(seconds: 1.0, wakeUpCost: cost, threads: 1) == 1)
        #expect(Parallelism.workerCount(seconds: 0, wakeUpCost: 0, threads: 8) == 1)
        // A free wake-up: every thread for any work.
        #expect(Parallelism.workerCount(seconds: 1e-9, wakeUpCost: 0, threads: 8) == 8)
    }

    @Test("the model's time s / w + (w − 1)·c is never above one thread's s")
    func neverSlowerThanOneThreadInTheModel() {
        let cost = 25e-6
        for threads in 1...16 {
            for exponent in stride(from: -7.0, through: 0, by: 0.25) {
                let seconds = Foundation.pow(10, exponent)
                let workers = Parallelism.workerCount(seconds: seconds, wakeUpCost: cost, threads: threads)
                #expect((1...threads).contains(workers))
                let modelled = seconds / Double(workers) + Double(workers - 1) * cost
                #expect(modelled <= seconds, "\(threads) threads, s = \(seconds): \(workers) workers")
            }
        }
    }

    @Test("workerCount(work:of:) is the model at the kind's rate; elementwise work is the slower kind")
    func workKinds() {
        // The rates themselves (the globals are left alone: other suites change them concurrently).
        #expect(Parallelism.WorkKind.multiplyAdd.unitsPerSecond > Parallelism.WorkKind.elementwise.unitsPerSecond)
        let work = 4_000_000.0, cost = 25e-6
        let multiplyAdds = Parallelism.workerCount(seconds: work / Parallelism.WorkKind.multiplyAdd.unitsPerSecond,
                                                   wakeUpCost: cost, threads: 8)
        let elements = Parallelism.workerCount(seconds: work / Parallelism.WorkKind.elementwise.unitsPerSecond,
                                               wakeUpCost: cost, threads: 8)
        #expect(multiplyAdds < elements, "the same count of slower units deserves more workers")
    }

    @Test("elementwise operations, gathers and scatters split over workers give one run's bits, lengths 0…99",
          .serialized, arguments: [false, true])
    func elementwiseSplitKeepsBits(withSpecialValues: Bool) {
        var generator = SeededGenerator(seed: 41)
        let saved = (Parallelism.threadCount, Parallelism.wakeUpCost)
        defer { (Parallelism.threadCount, Parallelism.wakeUpCost) = saved }
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude]
        for n in 0..<100 {
            func values() -> Tensor {
                Tensor(shape: [n], scalars: (0..<n).map { _ in
                    withSpecialValues && generator.nextInt(below: 4) == 0
                        ? specials[generator.nextInt(below: specials.count)] : generator.nextFloat() * 2 - 1
                })
            }
            let (x, y) = (values(), values())
            // Rows of four, for the copies a layer computing a subset of its units makes.
            let grid = Tensor(shape: [n, 4], scalars: (0..<(4 * n)).map { _ in generator.nextFloat() })
            var results: [[Tensor]] = []
            for (threads, cost) in [(1, 25e-6), (3, 0.0), (2, 0.0)] {
                Parallelism.threadCount = threads
                Parallelism.wakeUpCost = cost
                let picked = grid.gathering([3, 1], alongAxis: 1)
                results.append([x + y, x * y, x.relu(), Tensor.reluGradient(upstream: y, input: x), x.exp(), picked,
                                picked.scattering([0, 2], into: 4, alongAxis: 1)])
            }
            for other in results.dropFirst() {
                for (a, b) in zip(results[0], other) {
                    let same = zip(a.scalars, b.scalars).allSatisfy { $0.bitPattern == $1.bitPattern
                                                                      || ($0.isNaN && $1.isNaN) }
                    #expect(same, "n = \(n)")
                }
            }
        }
    }
}
