import Foundation
import Testing
import TensorCore
import TaskData
import MultiTask

/// `SyntheticDataset.make` with one seed, or with the problem and the samples seeded apart.
@Suite("Dataset seeds")
struct DatasetSeedTests {
    static func same(_ a: DatasetSplits<MultiTaskDataset>, _ b: DatasetSplits<MultiTaskDataset>) -> Bool {
        let pairs: [(MultiTaskDataset, MultiTaskDataset)] = [(a.train, b.train), (a.validation, b.validation),
                                                             (a.test, b.test)]
        for (x, y) in pairs where x.inputs != y.inputs || x.targets != y.targets || x.tasks != y.tasks {
            return false
        }
        return true
    }

    @Test("one seed s is exactly problemSeed s and sampleSeed s, for every dataset",
          arguments: SyntheticDataset.allCases)
    func singleSeedUnchanged(_ dataset: SyntheticDataset) throws {
        let one = try dataset.make(sampleCount: 20, seed: 5, correlation: 0.3)
        let two = try dataset.make(sampleCount: 20, problemSeed: 5, sampleSeed: 5, correlation: 0.3)
        #expect(Self.same(one, two))
        if dataset != .regression && dataset != .blocks {
            // Fixed rules: the problem seed changes nothing.
            let otherProblem = try dataset.make(sampleCount: 20, problemSeed: 9, sampleSeed: 5, correlation: 0.3)
            #expect(Self.same(one, otherProblem))
        }
    }

    /// The RMS of y − f(x) over the training split, with f the noise-free label of
    /// `RelatedRegression(correlation: 0.5, seed: problemSeed)` for task 0.
    static func residual(_ data: MultiTaskDataset, problemSeed: UInt64) throws -> Float {
        let generator = try RelatedRegression(correlation: 0.5, seed: problemSeed)
        let linear = generator.linearParts(of: data.inputs)
        var sum: Float = 0
        for n in 0..<data.count {
            let z = linear.scalars[n * 2]
            var y = z
            for (a, b) in zip(generator.frequencies, generator.phases) { y += sin(a * z + b) }
            sum += (data.targets[0].scalars[n] - y) * (data.targets[0].scalars[n] - y)
        }
        return (sum / Float(data.count)).squareRoot()
    }

    @Test("regression: a fixed problem seed keeps the task weights and sines while the sample seed redraws the data")
    func problemAndSamplesApart() throws {
        let first = try SyntheticDataset.regression.make(sampleCount: 200, problemSeed: 1, sampleSeed: 2)
        let second = try SyntheticDataset.regression.make(sampleCount: 200, problemSeed: 1, sampleSeed: 3)
        #expect(first.train.inputs != second.train.inputs)
        // Both are problem 1's labels plus noise of σ = 0.1, and far from problem 4's.
        #expect(try Self.residual(first.train, problemSeed: 1) < 0.15)
        #expect(try Self.residual(second.train, problemSeed: 1) < 0.15)
        #expect(try Self.residual(first.train, problemSeed: 4) > 1)
        // One seed redraws both: make(seed: 3) is problem 3.
        let single = try SyntheticDataset.regression.make(sampleCount: 200, seed: 3)
        #expect(try Self.residual(single.train, problemSeed: 3) < 0.15)
        #expect(try Self.residual(single.train, problemSeed: 1) > 1)
    }
}
