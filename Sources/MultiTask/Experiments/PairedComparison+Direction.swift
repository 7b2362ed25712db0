/// The verdict of a paired difference in a metric's own direction.
extension PairedComparison {
    /// "better", "worse" or "no detectable difference" for a difference A − B of a metric where a
    /// larger value is better (`higherIsBetter`) or a smaller one (errors: a negative difference is
    /// "better"); "too few seeds" below `minimumSeedsForVerdict`. `verdict` is the case
    /// `higherIsBetter: true`.
    public func verdict(higherIsBetter: Bool) -> String {
        guard differences.count >= Self.minimumSeedsForVerdict else { return "too few seeds (\(differences.count))" }
        guard isDetectable else { return "no detectable difference" }
        return (confidenceInterval.lower > 0) == higherIsBetter ? "better" : "worse"
    }
}
