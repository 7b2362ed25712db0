import Foundation
import TensorCore

/// Spearman's rank correlation ρ_s of two equally long lists: the Pearson correlation of their
/// ranks, ties sharing the mean of their ranks. 1: the same order, −1: reversed, 0: unrelated; nil
/// when either list is constant (no ranking) or shorter than 2.
///
/// The relatedness lab scores an affinity estimator by ρ_s between its off-diagonal entries and the
/// ground-truth correlations: only the order matters, so estimators on different scales
/// (probabilities, cosines, loss ratios) compare fairly.
public func spearmanCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
    checkPrecondition(x.count == y.count, "spearmanCorrelation: \(x.count) and \(y.count) values")
    guard x.count >= 2 else { return nil }
    return pearsonCorrelation(averageRanks(x), averageRanks(y))
}

/// Ranks 1…n of `values`, ties getting the mean of the ranks they span.
public func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = Array(repeating: 0.0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start
        while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
        let rank = Double(start + end) / 2 + 1
        for position in start...end { ranks[order[position]] = rank }
        start = end + 1
    }
    return ranks
}

/// The Pearson correlation of two lists; nil when either is constant.
public func pearsonCorrelation(_ x: [Double], _ y: [Double]) -> Double? {
    let count = Double(x.count)
    let meanX = x.reduce(0, +) / count, meanY = y.reduce(0, +) / count
    var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
    for (a, b) in zip(x, y) {
        covariance += (a - meanX) * (b - meanY)
        varianceX += (a - meanX) * (a - meanX)
        varianceY += (b - meanY) * (b - meanY)
    }
    guard varianceX > 0, varianceY > 0 else { return nil }
    return covariance / (varianceX * varianceY).squareRoot()
}
