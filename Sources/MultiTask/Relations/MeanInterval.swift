import Foundation
import TensorCore

/// The mean of `values` with its 95% Student-t confidence interval, x̄ ± t_{0.975, n−1} · s / √n
/// (s the sample standard deviation). nil for fewer than 2 values. The relatedness lab reports each
/// estimator's Spearman correlation over seeds this way.
///
/// t_{0.975, ν} comes from a table for ν ≤ 30 and from the Cornish–Fisher expansion
/// z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²) beyond (error < 10⁻⁴).
public func meanWithConfidenceInterval(_ values: [Double]) -> (mean: Double, lower: Double, upper: Double)? {
    let count = values.count
    guard count >= 2 else { return nil }
    let mean = values.reduce(0, +) / Double(count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
    let half = studentTQuantile975(degreesOfFreedom: count - 1) * (variance / Double(count)).squareRoot()
    return (mean, mean - half, mean + half)
}

/// t_{0.975, ν}, the two-sided 95% critical value of Student's t with ν ≥ 1 degrees of freedom.
public func studentTQuantile975(degreesOfFreedom: Int) -> Double {
    checkPrecondition(degreesOfFreedom >= 1, "studentTQuantile975: ν = \(degreesOfFreedom) must be ≥ 1")
    let table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
                 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
                 2.045, 2.042]
    if degreesOfFreedom <= table.count { return table[degreesOfFreedom - 1] }
    let z = 1.959964, nu = Double(degreesOfFreedom)
    return z + (z * z * z + z) / (4 * nu) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * nu * nu)
}
