/// The seeded pseudo-random generator used by everything random in MultiTaskKit.
///
/// Algorithm: **xoshiro256\*\*** (Blackman & Vigna, 2018) — 256 bits of state, period 2²⁵⁶ − 1,
/// fast and statistically strong for simulation (not for cryptography). The 64-bit seed is
/// expanded into the four state words with **SplitMix64**, as the authors recommend, so nearby
/// seeds (0, 1, 2, …) give unrelated streams.
///
/// Derived values:
/// - `nextFloat()`: the top 24 bits of a draw, scaled to `[0, 1)` (every representable step of
///   a Float in that range is equally likely).
/// - `nextNormal()`: Box–Muller, `√(−2 ln u₁) · cos(2π u₂)` with `u₁ ∈ (0, 1]`, one value per call
///   (the sine partner is not cached, so a stream never depends on call history beyond its count).
///
/// The same seed gives the same numbers on every machine and at every thread count: random
/// tensors are filled sequentially, never from parallel workers.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Float in `[0, 1)`.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Float in `[low, high)`.
    public mutating func nextFloat(in range: Range<Float>) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextFloat()
    }

    /// A standard normal sample (mean 0, standard deviation 1) by Box–Muller.
    public mutating func nextNormal() -> Float {
        // Double precision inside keeps the tails accurate; u1 ∈ (0, 1] so log never sees 0.
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// A uniform integer in `0..<upperBound` (unbiased, by rejection).
    public mutating func nextInt(below upperBound: Int) -> Int {
        checkPrecondition(upperBound > 0, "nextInt(below:): upper bound \(upperBound) must be positive")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    /// A random permutation of `0..<count` (Fisher–Yates, driven by this generator).
    public mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                result.swapAt(i, nextInt(below: i + 1))
            }
        }
        return result
    }
}

import Synchronization

/// A shared, thread-safe stream of seeded random numbers for the objects that draw from it over
/// time — layer initializers, dropout masks, data shuffling.
///
/// `SeededGenerator` is a value type: copying it copies its future. A `RandomSource` is a reference,
/// so many layers can draw from one stream: build a model with `RandomSource(seed: 42)` and you get
/// the same weights every run. `RandomSource.default` (seed 0) is used when none is given; reseed it
/// with `RandomSource.default.reseed(42)` (like `torch.manual_seed`).
public final class RandomSource: Sendable {
    private let generator: Mutex<SeededGenerator>

    /// A stream determined by `seed`.
    public init(seed: UInt64) { generator = Mutex(SeededGenerator(seed: seed)) }

    /// The stream used when no other is given (seed 0 at program start).
    public static let `default` = RandomSource(seed: 0)

    /// Restarts the stream from `seed`.
    public func reseed(_ seed: UInt64) { generator.withLock { $0 = SeededGenerator(seed: seed) } }

    /// Runs `body` with exclusive access to the underlying generator.
    public func withGenerator<Result>(_ body: (inout SeededGenerator) throws -> Result) rethrows -> Result {
        try generator.withLock { try body(&$0) }
    }

    /// A new independent seed drawn from this stream (to seed a child stream).
    public func nextSeed() -> UInt64 { withGenerator { $0.next() } }
}
