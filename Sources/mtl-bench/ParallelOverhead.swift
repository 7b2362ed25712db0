import Foundation
import MultiTaskKit

// What going parallel costs (`--only parallel`, project-specific), the c of the cost model
// (`Parallelism.wakeUpCost`):
//   parallel_wake_up   one `Parallelism.forEachChunk` of as many chunks as threads, each writing one
//                      number: waking the workers and joining them, with no work to share. Before each
//                      timed call the calling thread works alone for 200 µs, as between a training
//                      step's kernels, so the workers have gone idle. Only at 2 threads and more (with
//                      one, the chunks run inline).

/// A pointer the workers may share: each chunk writes only its own slot.
private struct Slots: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}

func benchmarkParallelOverhead(threads: Int, repeats: Int) -> [Measurement] {
    guard threads > 1 else { return [] }
    let slots = Slots(base: .allocate(capacity: threads))
    defer { slots.base.deallocate() }
    slots.base.initialize(repeating: 0, count: threads)
    /// Busy work on the calling thread alone for about `microseconds`.
    func workAlone(microseconds: UInt64) {
        let end = DispatchTime.now().uptimeNanoseconds + microseconds * 1000
        var x = 1.0
        while DispatchTime.now().uptimeNanoseconds < end { x = x * 1.000001 + 1e-9 }
        slots.base[0] += x * 1e-300
    }
    var samples: [Double] = []
    for call in 0..<(20 + repeats * 20) {
        workAlone(microseconds: 200)
        let start = DispatchTime.now().uptimeNanoseconds
        Parallelism.forEachChunk(threads, maxThreads: threads) { chunk in slots.base[chunk] += 1 }
        if call >= 20 { samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
    }
    precondition(slots.base[threads - 1] > 0)
    samples.sort()
    return [Measurement(workload: "parallel_wake_up", threads: threads, milliseconds: samples[samples.count / 2],
                        flops: nil)]
}
