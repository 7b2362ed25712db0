import Dispatch
import Foundation
import Synchronization

/// How many worker threads the kernels may use.
///
/// Default: the number of active processors (`ProcessInfo.activeProcessorCount`), or the value
/// of the environment variable **`MTL_NUM_THREADS`** when it is set to a positive integer.
/// Change it at run time with `Parallelism.threadCount = 1`.
///
/// Results never depend on this setting: every parallel kernel splits its *output* into pieces
/// that are each computed by exactly the same sequence of floating-point operations whichever
/// worker runs them, so 1, 2 or 16 threads give bit-identical tensors (the test suite checks it).
public enum Parallelism {
    private static let storedThreadCount = Atomic<Int>(0)

    /// The number of worker threads kernels may use (≥ 1).
    public static var threadCount: Int {
        get {
            let stored = storedThreadCount.load(ordering: .relaxed)
            return stored > 0 ? stored : defaultThreadCount
        }
        set {
            checkPrecondition(newValue >= 1, "Parallelism.threadCount: \(newValue) must be at least 1")
            storedThreadCount.store(newValue, ordering: .relaxed)
        }
    }

    /// The most worker threads accepted (from `MTL_NUM_THREADS` or `mtl --threads`).
    public static let maximumThreadCount = 256

    /// `MTL_NUM_THREADS` if set to an integer in 1...`maximumThreadCount`, else the active processor
    /// count (at most `maximumThreadCount`). The library ignores an invalid value; the `mtl` tool
    /// refuses it with a clear error.
    public static let defaultThreadCount: Int = {
        if let text = ProcessInfo.processInfo.environment["MTL_NUM_THREADS"],
           let value = Int(text.trimmingCharacters(in: .whitespaces)), (1...maximumThreadCount).contains(value) {
            return value
        }
        return Swift.min(maximumThreadCount, Swift.max(1, ProcessInfo.processInfo.activeProcessorCount))
    }()

    /// Runs `body(chunk)` for every `chunk` in `0..<chunkCount`, on up to `threadCount` threads.
    ///
    /// Chunks are dealt to workers in contiguous runs (worker w gets chunks
    /// `w·n/W ..< (w+1)·n/W`); each chunk must write only its own part of the output, so the result
    /// is the same for any number of workers. With one worker (or one chunk) it runs inline: waking a
    /// Dispatch worker costs tens of microseconds (`wakeUpCost`), more than small kernels take — pass
    /// `maxThreads: workerCount(work:of:)` to let the cost model decide.
    public static func forEachChunk(_ chunkCount: Int, maxThreads: Int? = nil, _ body: @Sendable (Int) -> Void) {
        let workers = Swift.min(chunkCount, maxThreads ?? threadCount)
        if workers <= 1 {
            for chunk in 0..<chunkCount { body(chunk) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = worker * chunkCount / workers
            let end = (worker + 1) * chunkCount / workers
            for chunk in start..<end { body(chunk) }
        }
    }

    /// Like `forEachChunk`, but hands each worker its whole contiguous run of chunks at once, so
    /// it can allocate a workspace (an im2col buffer, packing panels) once per worker, not per chunk.
    public static func forEachChunkRange(_ chunkCount: Int, maxThreads: Int? = nil,
                                         _ body: @Sendable (Range<Int>) -> Void) {
        let workers = Swift.min(chunkCount, maxThreads ?? threadCount)
        if workers <= 1 {
            if chunkCount > 0 { body(0..<chunkCount) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            body((worker * chunkCount / workers)..<((worker + 1) * chunkCount / workers))
        }
    }

    // MARK: When to go parallel: the cost model

    /// What one unit of a kernel's work is, and how fast one core does it (the estimate behind
    /// `workerCount(work:of:)`).
    public enum WorkKind: Sendable {
        /// A multiply-add in the GEMM micro-kernel or the implicit-GEMM convolution.
        case multiplyAdd
        /// One element read and compared or combined (pooling, reductions, elementwise maps).
        case elementwise

        /// Units per second on one core: multiply-adds well below the micro-kernel's full rate
        /// (small products never reach it), a memory-bound pass at a few elements per nanosecond
        /// (Benchmarks/README.md compares these estimates with measured rates). Conservative on
        /// purpose: underestimating the time only keeps a call on one thread, which is never slower
        /// than one thread.
        public var unitsPerSecond: Double {
            switch self {
            case .multiplyAdd: return 40e9
            case .elementwise: return 2e9
            }
        }
    }

    /// What handing part of a kernel call to another worker costs, in seconds: waking a Dispatch
    /// worker thread and joining it at the end of `DispatchQueue.concurrentPerform`.
    ///
    /// Default 35 µs: more than an empty `forEachChunk` costs (`mtl-bench --only parallel`,
    /// `parallel_wake_up`), because splitting a real call also moves its data between the cores'
    /// caches. Calibrated in place, between a product that was slower split and a convolution that
    /// was faster split, each timed at several values (`mtl-bench --wake-up-cost`;
    /// Benchmarks/README.md, "When to go parallel"). Set it to your machine's figure, here or with
    /// the environment variable **`MTL_WAKE_UP_MICROSECONDS`**; 0 splits every call that has work
    /// for more than one worker. Stored in whole nanoseconds, at most one second.
    public static var wakeUpCost: Double {
        get { Double(storedWakeUpNanoseconds.load(ordering: .relaxed)) * 1e-9 }
        set {
            checkPrecondition(newValue >= 0 && newValue.isFinite, "Parallelism.wakeUpCost: \(newValue) must be ≥ 0")
            storedWakeUpNanoseconds.store(Int((Swift.min(newValue, 1) * 1e9).rounded()), ordering: .relaxed)
        }
    }
    private static let storedWakeUpNanoseconds = Atomic<Int>(defaultWakeUpNanoseconds)

    /// `MTL_WAKE_UP_MICROSECONDS` if set to a number in 0...1,000,000, else 35 µs (see `wakeUpCost`).
    private static let defaultWakeUpNanoseconds: Int = {
        if let text = ProcessInfo.processInfo.environment["MTL_WAKE_UP_MICROSECONDS"],
           let value = Double(text.trimmingCharacters(in: .whitespaces)), value >= 0, value <= 1_000_000 {
            return Int((value * 1000).rounded())
        }
        return 35_000
    }()

    /// How many workers a kernel call of `work` units of `kind` should use (1...`threadCount`).
    ///
    /// A call that takes s seconds on one core takes about T(w) = s / w + (w − 1)·c on w workers,
    /// c = `wakeUpCost`. T is least near w = √(s / c); the call uses ⌊√(s / c)⌋ workers — the
    /// cautious side of that optimum, on purpose — at least 1 and at most `threadCount`: a second
    /// worker only once s ≥ 4c, where it saves at least a quarter of the time. The margin covers
    /// what the model leaves out (uneven shares, caches the cores share). The choice changes only
    /// the speed, never the results: every parallel kernel computes the same operations in the same
    /// order for any worker count.
    public static func workerCount(work: Int, of kind: WorkKind) -> Int {
        workerCount(seconds: Double(Swift.max(0, work)) / kind.unitsPerSecond, wakeUpCost: wakeUpCost,
                    threads: threadCount)
    }

    /// The cost model itself, as a pure function: for a call of `seconds` on one core and a wake-up
    /// cost of `cost` seconds, ⌊√(s / c)⌋ workers clamped to 1...`threads`; every thread when c = 0
    /// and there is work.
    public static func workerCount(seconds: Double, wakeUpCost cost: Double, threads: Int) -> Int {
        guard threads > 1, seconds > 0 else { return 1 }
        guard cost > 0 else { return threads }
        let best = (seconds / cost).squareRoot()
        return best >= Double(threads) ? threads : Swift.max(1, Int(best))
    }
}

/// A pointer that may cross into a `@Sendable` closure of `Parallelism.forEachChunk`.
///
/// Swift cannot prove that parallel workers write disjoint parts of one buffer; the kernels do,
/// by construction (each chunk owns a slice of the output). This one small type carries that
/// promise instead of marking whole kernels `@unchecked Sendable`.
@usableFromInline
struct SendablePointer<Pointee>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Pointee>
    @usableFromInline init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
}

/// Read-only twin of `SendablePointer`.
@usableFromInline
struct SendableConstPointer<Pointee>: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Pointee>
    @usableFromInline init(_ base: UnsafePointer<Pointee>) { self.base = base }
}

extension Tensor {
    /// Creates a tensor of shape `[count] + itemShape` whose items (slices along the first axis)
    /// are written in parallel by `fill(index, item)`; `item` holds the `itemShape.product` scalars
    /// of item `index`, uninitialized, and `fill` must write all of them.
    ///
    /// The items are dealt to workers in a fixed partition and each call writes only its own item,
    /// so the result does not depend on the thread count — as long as `fill` itself depends only on
    /// `index` (give a random item its own generator, seeded from the index, not a shared one).
    /// The data generators render their images this way.
    public init(count: Int, itemShape: [Int],
                parallelFill fill: @Sendable (_ index: Int, _ item: UnsafeMutableBufferPointer<Float>) -> Void) {
        checkPrecondition(count >= 0 && itemShape.allSatisfy { $0 >= 0 },
                          "Tensor(count:itemShape:parallelFill:): negative size in \(count) × \(itemShape)")
        let itemSize = itemShape.reduce(1, *)
        self.init(shape: [count] + itemShape) { buffer in
            guard let start = buffer.baseAddress, itemSize > 0 else { return }
            let base = SendablePointer(start)
            Parallelism.forEachChunk(count) { index in
                fill(index, UnsafeMutableBufferPointer(start: base.base + index * itemSize, count: itemSize))
            }
        }
    }
}
