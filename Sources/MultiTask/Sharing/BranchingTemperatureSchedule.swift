import Foundation
import TensorCore

/// The Gumbel-softmax temperature of a Learning to Branch search over its epochs, as LibMTL's
/// implementation of the method sets it (`LTB`: its `forward` reads the epoch e and the total E):
///
///     epochs e < E/100:  warm-up — every child reads the plain sum of all its parents (d = 1, no sampling);
///     afterwards:        τ(e) = (E / 20) / √(e + 1),
///
/// with e counted from 0. The warm-up covers ⌈E/100⌉ epochs (at least one). Guo et al. (*Learning to
/// Branch for Multi-Task Learning*, ICML 2020) anneal τ too but give no formula that carries over to
/// a short search, so this one is LibMTL's. τ shrinks with the epoch, so the samples grow sharper
/// and the architecture settles; a longer search starts hotter (τ(0) = E/20).
public struct BranchingTemperatureSchedule: Sendable, Equatable {
    /// E, the epochs of the search.
    public let searchEpochs: Int

    /// The schedule of a search of `searchEpochs` epochs (at least 1).
    public init(searchEpochs: Int) {
        checkPrecondition(searchEpochs >= 1, "BranchingTemperatureSchedule: searchEpochs \(searchEpochs) must be ≥ 1")
        self.searchEpochs = searchEpochs
    }

    /// The warm-up epochs ⌈E/100⌉: the epochs e with e < E/100.
    public var warmupEpochs: Int { (searchEpochs + 99) / 100 }

    /// Whether epoch `epoch` (from 0) is a warm-up epoch.
    public func isWarmup(epoch: Int) -> Bool { epoch < warmupEpochs }

    /// τ(e) = (E/20)/√(e + 1) for epoch `epoch` (from 0).
    public func temperature(epoch: Int) -> Float {
        Float(searchEpochs) / 20 / Float(max(0, epoch) + 1).squareRoot()
    }
}
