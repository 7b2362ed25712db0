import TensorCore

/// A comparison of two methods run on the same seeds: the paired differences d_s = A(s) − B(s),
/// their mean and standard deviation, and a 95% confidence interval for the mean by the percentile
/// bootstrap over seeds.
///
/// Why paired: two runs with the same seed share the data split (and whatever else the seed fixes),
/// so most seed-to-seed variation cancels in d_s. Why the bootstrap: with 5–20 seeds the differences
/// are not known to be normal; resampling the n differences with replacement B times and taking the
/// 2.5th and 97.5th percentiles of the B resampled means needs no such assumption (Efron &
/// Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13). With B = 10,000 the percentiles
/// are stable to about a hundredth of the interval's width.
///
/// Reading it: an interval that excludes 0 is a detectable difference at n seeds; one that contains
/// 0 means **no detectable difference** — not "no difference". Below 5 seeds no verdict is given.
/// The interval of a method against itself with other initialization seeds (the noise floor) shows
/// what chance alone produces.
public struct PairedComparison: Sendable, Equatable {
    /// The differences d_s, one per seed, in seed order.
    public let differences: [Double]
    /// The mean of d_s.
    public let mean: Double
    /// The sample standard deviation of d_s (n − 1 in the denominator; 0 for one seed).
    public let standardDeviation: Double
    /// The bootstrap confidence interval of the mean (percentile method).
    public let confidenceInterval: (lower: Double, upper: Double)
    /// The interval's level (0.95).
    public let level: Double

    /// Compares paired values: `differences` are A(s) − B(s).
    ///
    /// - Parameters:
    ///   - differences: d_s = A(s) − B(s), one per seed s.
    ///   - resamples: B, the bootstrap resamples (10,000).
    ///   - level: the confidence level (0.95: the 2.5th and 97.5th percentiles).
    ///   - seed: the resampling seed (the interval is deterministic for a seed).
    public init(differences: [Double], resamples: Int = 10_000, level: Double = 0.95, seed: UInt64 = 0) {
        checkPrecondition(!differences.isEmpty, "PairedComparison: no differences")
        checkPrecondition(resamples >= 1 && level > 0 && level < 1,
                          "PairedComparison: \(resamples) resamples at level \(level)")
        self.differences = differences
        self.level = level
        let n = Double(differences.count)
        let average = differences.reduce(0, +) / n
        mean = average
        standardDeviation = differences.count > 1
            ? (differences.reduce(0) { $0 + ($1 - average) * ($1 - average) } / (n - 1)).squareRoot() : 0
        confidenceInterval = Self.bootstrapInterval(differences, resamples: resamples, level: level, seed: seed)
    }

    /// Compares paired results: `a[s] − b[s]`.
    public init(_ a: [Double], minus b: [Double], resamples: Int = 10_000, level: Double = 0.95, seed: UInt64 = 0) {
        checkPrecondition(a.count == b.count, "PairedComparison: \(a.count) and \(b.count) paired values")
        self.init(differences: zip(a, b).map { $0 - $1 }, resamples: resamples, level: level, seed: seed)
    }

    /// The percentile bootstrap: the (1 − level)/2 and (1 + level)/2 quantiles of the means of
    /// `resamples` samples of n values drawn with replacement. Quantile q of the sorted means m is
    /// m[⌊q·(B − 1)⌉] (nearest rank).
    public static func bootstrapInterval(_ values: [Double], resamples: Int = 10_000, level: Double = 0.95,
                                         seed: UInt64 = 0) -> (lower: Double, upper: Double) {
        var generator = SeededGenerator(seed: seed)
        let n = values.count
        var means = [Double](repeating: 0, count: resamples)
        for b in 0..<resamples {
            var total = 0.0
            for _ in 0..<n { total += values[generator.nextInt(below: n)] }
            means[b] = total / Double(n)
        }
        means.sort()
        func quantile(_ q: Double) -> Double { means[Int((q * Double(resamples - 1)).rounded())] }
        return (quantile((1 - level) / 2), quantile((1 + level) / 2))
    }

    /// Whether the interval excludes 0.
    public var isDetectable: Bool { confidenceInterval.lower > 0 || confidenceInterval.upper < 0 }

    /// The fewest seeds a verdict is given for: below it the percentile bootstrap's interval is too
    /// narrow to trust (with 2 seeds it is the range of the two differences).
    public static let minimumSeedsForVerdict = 5

    /// "better", "worse" or "no detectable difference" — for a quantity where positive is better;
    /// "too few seeds" below `minimumSeedsForVerdict`.
    public var verdict: String {
        guard differences.count >= Self.minimumSeedsForVerdict else { return "too few seeds (\(differences.count))" }
        return confidenceInterval.lower > 0 ? "better" : confidenceInterval.upper < 0 ? "worse"
                                                                                      : "no detectable difference"
    }

    /// `+1.23 [−0.40, +2.85]` (mean and interval, `decimals` digits).
    public func formatted(decimals: Int = 2) -> String {
        func signed(_ value: Double) -> String {
            let text = String(format: "%+.\(decimals)f", value)
            return text.replacingOccurrences(of: "-", with: "−")
        }
        return "\(signed(mean)) [\(signed(confidenceInterval.lower)), \(signed(confidenceInterval.upper))]"
    }

    /// Equal when the differences, the interval and the confidence level are equal.
    public static func == (lhs: PairedComparison, rhs: PairedComparison) -> Bool {
        lhs.differences == rhs.differences && lhs.confidenceInterval == rhs.confidenceInterval && lhs.level == rhs.level
    }
}
