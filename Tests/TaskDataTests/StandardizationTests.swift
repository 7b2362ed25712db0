import Foundation
import Testing
import TensorCore
import TaskData
import TestSupport

/// `Standardization` (μ and σ per column or channel, fitted to a training split) and the task kinds
/// inferred from a user's labels.
@Suite("Standardization and label kinds")
struct StandardizationTests {
    @Test("per column of [N, D]: μ, population σ, σ = 1 for a constant column; applied and restored")
    func columns() throws {
        let samples = Tensor([[1, 10, 5], [3, 10, 5], [5, 10, 5], [7, 10, 5]])
        let statistics = Standardization(fittedTo: samples)
        #expect(statistics.mean == [4, 10, 5])
        isClose(statistics.deviation, [Float(5).squareRoot(), 1, 1], rtol: 1e-6, "σ (constant columns get 1)")
        let standardized = statistics.applied(to: samples)
        let column = (0..<4).map { standardized.scalars[$0 * 3] }
        isClose([column.reduce(0, +) / 4, column.map { $0 * $0 }.reduce(0, +) / 4], [0, 1], rtol: 1e-5,
                "mean and variance of the standardized column \(column)")
        #expect((0..<4).allSatisfy { standardized.scalars[$0 * 3 + 1] == 0 })
        isClose(statistics.restored(standardized), samples, rtol: 1e-6, "restored(applied(x)) against x")
    }

    @Test("per channel of [N, C, H, W], and one pair for [N]")
    func channels() throws {
        // Channel 0 holds 0…7 over two samples of 2×2 pixels, channel 1 is 100 + the same.
        let values: [Float] = [0, 1, 2, 3, 100, 101, 102, 103, 4, 5, 6, 7, 104, 105, 106, 107]
        let statistics = Standardization(fittedTo: Tensor(shape: [2, 2, 2, 2], scalars: values))
        #expect(statistics.mean == [3.5, 103.5])
        let deviation = Float(5.25).squareRoot()
        isClose(statistics.deviation, [deviation, deviation], rtol: 1e-6, "σ per channel")
        let single = Standardization(fittedTo: Tensor([2, 4, 6]))
        #expect(single.featureCount == 1 && single.mean == [4])
    }

    @Test("statistics read back are checked: counts, finite means, positive finite deviations")
    func givenStatistics() throws {
        #expect(throws: DataLoadingError.self) { try Standardization(mean: [0, 1], deviation: [1]) }
        #expect(throws: DataLoadingError.self) { try Standardization(mean: [.nan], deviation: [1]) }
        #expect(throws: DataLoadingError.self) { try Standardization(mean: [0], deviation: [0]) }
        #expect(throws: DataLoadingError.self) { try Standardization(mean: [], deviation: []) }
        let statistics = try Standardization(mean: [1, 2], deviation: [2, 4])
        #expect(statistics.applied(to: Tensor([[3, 10]])) == Tensor([[1, 2]]))
    }

    @Test("kinds inferred from labels: whole numbers 0…31 classification, 0/1 columns multi-label, else regression")
    func inferredKinds() {
        #expect(TaskKind.inferred(fromLabels: Tensor([0, 2, 1, 2])) == .classification(classCount: 3))
        #expect(TaskKind.inferred(fromLabels: Tensor([0, 1, 0])) == .classification(classCount: 2))
        #expect(TaskKind.inferred(fromLabels: Tensor([0.5, 1, 2])) == .regression(outputCount: 1))
        #expect(TaskKind.inferred(fromLabels: Tensor([0, 40, 3])) == .regression(outputCount: 1), "beyond 31")
        #expect(TaskKind.inferred(fromLabels: Tensor([-1, 0, 1])) == .regression(outputCount: 1))
        #expect(TaskKind.inferred(fromLabels: Tensor([3, 3, 3])) == .regression(outputCount: 1), "one value only")
        #expect(TaskKind.inferred(fromLabels: Tensor([[0, 1], [1, 1]])) == .multiLabel(labelCount: 2))
        #expect(TaskKind.inferred(fromLabels: Tensor([[0, 2], [1, 1]])) == .regression(outputCount: 2))
    }

    @Test("the first label that does not fit its kind, with its sample")
    func misfits() {
        let classes = TaskKind.classification(classCount: 3)
        #expect(classes.firstMisfit(in: Tensor([0, 2, 1])) == nil)
        #expect(classes.firstMisfit(in: Tensor([0, 3, 1]))
                == LabelMisfit(sample: 1, value: 3, expected: "a class index in 0..<3"))
        #expect(classes.firstMisfit(in: Tensor([0, 1, 1.5]))?.sample == 2)
        #expect(TaskKind.multiLabel(labelCount: 2).firstMisfit(in: Tensor([[0, 1], [1, 0.5]]))?.sample == 1)
        #expect(TaskKind.regression(outputCount: 1).firstMisfit(in: Tensor([[1], [.infinity]]))?.sample == 1)
    }
}
