import Foundation
import Testing
import TensorCore
import TaskData
import MultiTask

/// A model and its data built from the same seed must not share random numbers: the study
/// protocol pairs runs by seed, and a first layer drawn from the stream that drew the task
/// directions would start aligned with the answer — an advantage no other seed gets.
@Suite("Seed independence")
struct SeedIndependenceTests {
    @Test("the first layer of makeNetwork(seed: s) is unrelated to RelatedRegression(seed: s)'s task directions")
    func modelAndDataStreamsDiffer() throws {
        var largest: Float = 0
        for seed: UInt64 in 0..<10 {
            let generator = try RelatedRegression(correlation: 0.5, seed: seed)
            let data = generator.dataset(sampleCount: 20, seed: seed &+ 1).split(seed: seed &+ 2)
            let model = makeNetwork(.singleTask, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                    options: ArchitectureOptions(width: 8, seed: seed))
            let first = model.namedParameters().first { $0.parameter.shape == [100, 8] }!.parameter.value
            for task in 0..<2 {
                let direction = (0..<100).map { generator.weights[flat: task * 100 + $0] }
                for unit in 0..<8 {
                    let column = (0..<100).map { first[flat: $0 * 8 + unit] }
                    let dot = zip(column, direction).reduce(0) { $0 + $1.0 * $1.1 }
                    let norms = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
                        * direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    largest = Swift.max(largest, Swift.abs(dot / norms))
                }
            }
        }
        // Independent directions in 100 dimensions: |cos| has standard deviation 0.1; the largest of
        // 160 such values is below 0.4 with probability > 0.99.
        #expect(largest < 0.4, "a first-layer unit has |cos| = \(largest) with a task direction of the same seed")
    }
}
