import Foundation
import Testing
import TensorCore

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

    @Test("workerCount(work:of:) turns work into seconds with the kind's rate")
    func workIntoSeconds() {
        // 10⁹ multiply-adds take 25 ms at 40·10⁹ per second: all threads; 10 take nothing: one.
        let many = Parallelism.workerCount(work: 1_000_000_000, of: .multiplyAdd)
        #expect(many == Parallelism.threadCount)
        #expect(Parallelism.workerCount(work: 10, of: .multiplyAdd) == 1)
        #expect(Parallelism.workerCount(work: 10, of: .elementwise) == 1)
    }
}
