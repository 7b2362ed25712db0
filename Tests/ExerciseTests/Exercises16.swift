import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 16's exercises (`Exercises/Student/Chapter16.swift`) against the library's
/// `AHPNormalization`, `lookaheadAffinity`, `bestTaskGrouping` and `selectSources` on seeded random inputs,
/// and by hand.
@Suite("Exercises16: task relationships")
struct Exercises16 {
    let chapter: any Chapter16Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter16Student.self, reference: Chapter16Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter16Student.self, reference: nil)
        #endif
    }

    /// A seeded matrix of `rows` × `columns` values drawn by `draw`.
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64,
                       _ draw: (inout SeededGenerator) -> Double) -> [[Double]] {
        var generator = SeededGenerator(seed: seed)
        return (0..<rows).map { _ in (0..<columns).map { _ in draw(&generator) } }
    }

    @Test("16.1 AHP affinities: wins by hand, ties and clipping, and AHPNormalization on random losses")
    func ahp() throws {
        // Transfer 0 wins 3 of 4 samples: W′ = [[1, 3], [1/3, 1]], whose eigenvector is (3, 1)/4.
        let threeOfFour = try chapter.ahpAffinities(losses: [[1, 1, 1, 5], [2, 2, 2, 2]])
        isClose(threeOfFour.map(Float.init), [0.75, 0.25], "3 wins of 4 against 1")
        // A tie is a win for neither: W[0][1] = 0.5, W[1][0] = 0 → 0.001, so a ∝ (500, 1).
        let tie = try chapter.ahpAffinities(losses: [[1, 2], [1, 3]])
        isClose(tie.map(Float.init), [500 / 501, 1 / 501], "one tie, one win (a tie counts for neither)")
        // Always better: W[0][1] = 1 → 0.999, W[1][0] = 0 → 0.001, so a = (0.999, 0.001).
        let dominant = try chapter.ahpAffinities(losses: [[0, 0, 0], [1, 1, 1]])
        isClose(dominant.map(Float.init), [0.999, 0.001], "clipped to [0.001, 0.999]")
        for seed in UInt64(0)..<6 {
            let transfers = 3 + Int(seed % 3)
            // Whole losses 0…4 make ties common; from seed 3 on, transfer 0 wins every sample it does not tie.
            var losses = Self.matrix(transfers, 40, seed: 10 + seed) { Double($0.nextInt(below: 5)) }
            if seed >= 3 { losses[0] = losses[0].map { _ in -1 } }
            let affinities = try chapter.ahpAffinities(losses: losses)
            let expected = AHPNormalization.affinities(losses: losses)
            isClose(affinities.map(Float.init), expected.map(Float.init), rtol: 1e-5, atol: 1e-7,
                    "seed \(seed): \(transfers) transfers against AHPNormalization.affinities")
            #expect(affinities.allSatisfy { $0 > 0 } && abs(affinities.reduce(0, +) - 1) < 1e-9,
                    "positive and summing to 1: \(affinities)")
        }
    }

    @Test("16.2 lookahead affinity: four quadratic tasks by hand, and lookaheadAffinity on a multi-head network")
    func lookahead() throws {
        // θ = 0, L = ((θ−1)², 4(θ+1)², (θ−1)², 0), g = (−2, 8, −2, 0), η = 0.25:
        // before, L = (1, 4, 1, 0).
        // Task 0's step to θ = 0.5: L = (0.25, 9, 0.25, 0); task 1's to θ = −2: L = (9, 4, 9, 0).
        let quadratics: ([Float]) -> [Double] = { theta in
            let x = Double(theta[0])
            return [(x - 1) * (x - 1), 4 * (x + 1) * (x + 1), (x - 1) * (x - 1), 0]
        }
        let z = try chapter.lookaheadAffinity(parameters: [0], gradients: [[-2], [8], [-2], [0]], stepSize: 0.25,
                                              losses: quadratics)
        #expect(z.count == 4 && z.allSatisfy { $0.count == 4 }, "Z must be 4 × 4: \(z)")
        isClose(z.flatMap { $0 }.map(Float.init),
                [0.75, -1.25, 0.75, 0, -8, 0, -8, 0, 0.75, -1.25, 0.75, 0, 0, 0, 0, 0],
                "Z[s][t] row by row (a zero loss and a zero gradient give 0)")
        // A linear trunk 4 → 3 and three linear heads; task 2's target is task 0's negated.
        let random = RandomSource(seed: 4)
        let model = MultiHeadNetwork(trunk: Linear(inputCount: 4, outputCount: 3, random: random),
                                     heads: (0..<3).map { _ in Linear(inputCount: 3, outputCount: 1, random: random) })
        let inputs = Tensor.normal([24, 4], seed: 5)
        let first = Tensor.matmul(inputs, Tensor(shape: [4, 1], scalars: [1, -2, 0.5, 1]))
        let second = Tensor.matmul(inputs, Tensor(shape: [4, 1], scalars: [0, 1, 1, -1]))
        let targets = [first, second, first * -1]
        let tasks = (0..<3).map { TaskSpec(name: "t\($0)", kind: .regression(outputCount: 1)) }
        let outputs = model.outputs(Variable(inputs)).outputs
        let losses = tasks.indices.map { taskLoss(tasks[$0], output: outputs[$0], target: targets[$0]) }
        let shared = model.sharedParameters()
        let gradients = TaskGradients(losses: losses, model: model, sharedParameters: shared)
        let saved = shared.map(\.value)
        let expected = lookaheadAffinity(model: model, inputs: inputs, targets: targets, tasks: tasks,
                                         gradients: gradients, stepSize: 0.05)
        // The tasks' losses with the trunk's parameters set from a flat vector (and then restored).
        func lossesAt(_ flat: [Float]) -> [Double] {
            var offset = 0
            for (parameter, value) in zip(shared, saved) {
                parameter.assign(Tensor(shape: value.shape, scalars: Array(flat[offset..<(offset + value.count)])))
                offset += value.count
            }
            defer { for (parameter, value) in zip(shared, saved) { parameter.assign(value) } }
            return withoutGradients {
                let outputs = model.outputs(Variable(inputs)).outputs
                return tasks.indices.map {
                    Double(taskLoss(tasks[$0], output: outputs[$0], target: targets[$0]).value.scalars[0])
                }
            }
        }
        let affinity = try chapter.lookaheadAffinity(parameters: saved.flatMap(\.scalars), gradients: gradients.shared,
                                                     stepSize: 0.05, losses: lossesAt)
        isClose(affinity.flatMap { $0 }.map(Float.init), expected.flatMap { $0 }.map(Float.init), rtol: 1e-4,
                atol: 1e-5, "against lookaheadAffinity (Z[s][t] row by row)")
        #expect(expected[0][2] < 0 && expected[2][0] < 0, "the test's premise: opposite targets conflict")
    }

    /// Whether `groups` partition 0..<count into `groupCount` non-empty groups; the groups sorted.
    static func normalized(_ groups: [[Int]], count: Int, groupCount: Int) -> [[Int]]? {
        let sorted = groups.map { $0.sorted() }.sorted { ($0.first ?? -1) < ($1.first ?? -1) }
        guard groups.count == groupCount, groups.allSatisfy({ !$0.isEmpty }),
              groups.flatMap({ $0 }).sorted() == Array(0..<count) else { return nil }
        return sorted
    }

    @Test("16.3 best grouping: the mean over mates (not the sum), k = 1 and k = T, and bestTaskGrouping")
    func grouping() throws {
        // All affinities 1 but 1.5 within {0, 1} and {2, 3}: a plain sum prefers a group of three (7 > 6);
        // the mean over mates gives {0,1} {2,3} a score of 6, and {0,1,2} {3} only 3.5.
        var pairs = Array(repeating: Array(repeating: 1.0, count: 4), count: 4)
        for (s, t) in [(0, 1), (1, 0), (2, 3), (3, 2)] { pairs[s][t] = 1.5 }
        #expect(try chapter.bestGrouping(affinity: pairs, groupCount: 2) == [[0, 1], [2, 3]], "two pairs")
        let random = Self.matrix(5, 5, seed: 30) { Double($0.nextNormal()) }
        #expect(try chapter.bestGrouping(affinity: random, groupCount: 1) == [[0, 1, 2, 3, 4]], "k = 1")
        #expect(try chapter.bestGrouping(affinity: random, groupCount: 5) == [[0], [1], [2], [3], [4]], "k = T")
        for seed in UInt64(0)..<8 {
            let count = 5 + Int(seed % 3), groupCount = 2 + Int(seed % 2)
            let affinity = Self.matrix(count, count, seed: 40 + seed) { Double($0.nextNormal()) }
            let groups = try chapter.bestGrouping(affinity: affinity, groupCount: groupCount)
            let expected = bestTaskGrouping(affinity: affinity, groupCount: groupCount)
            guard let partition = Self.normalized(groups, count: count, groupCount: groupCount) else {
                Issue.record("seed \(seed): \(groups) is not a partition of 0..<\(count) into \(groupCount) groups")
                continue
            }
            #expect(partition == expected.groups, "seed \(seed), T = \(count), k = \(groupCount): bestTaskGrouping")
            let score = TaskGrouping.score(of: partition, affinity: affinity)
            #expect(abs(score - expected.score) < 1e-9, "seed \(seed): score \(score), best \(expected.score)")
        }
    }

    /// value(S) = Σ_t max_{s ∈ S} A[s][t].
    static func value(of sources: [Int], affinity: [[Double]]) -> Double {
        affinity.indices.reduce(0) { total, t in total + (sources.map { affinity[$0][t] }.max() ?? -.infinity) }
    }

    @Test("16.4 which tasks to label: by hand, a case greedy gets wrong, and selectSources on random instances")
    func selection() throws {
        let three: [[Double]] = [[1, 0.9, 0.8], [0.2, 1, 0.1], [0.1, 0.3, 1]]
        #expect(try chapter.selectSources(affinity: three, budget: 1) == [0], "one source: 0 serves all (2.7)")
        #expect(try chapter.selectSources(affinity: three, budget: 2) == [0, 2], "two: {0, 2} (2.9)")
        #expect(try chapter.selectSources(affinity: three, budget: 3) == [0, 1, 2], "three: every task (3.0)")
        // Source 0 is the best single one (2.4), but the best pair leaves it out: {1, 2} gives 4.
        let trap: [[Double]] = [[0.6, 0.6, 0.6, 0.6], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0.1]]
        #expect(try chapter.selectSources(affinity: trap, budget: 2) == [1, 2], "exact, not greedy")
        for seed in UInt64(0)..<9 {
            let count = 5 + Int(seed % 4), budget = 1 + Int(seed % 3)
            let affinity = Self.matrix(count, count, seed: 60 + seed) { Double($0.nextFloat()) }
            let sources = try chapter.selectSources(affinity: affinity, budget: budget)
            #expect(!sources.isEmpty && sources.count <= budget && Set(sources).count == sources.count
                        && sources.allSatisfy { (0..<count).contains($0) },
                    "seed \(seed): \(sources) is not a set of 1…\(budget) tasks of 0..<\(count)")
            let transfers = TaskAffinity(taskNames: (0..<count).map { "t\($0)" }, values: affinity, method: "random")
                .firstOrderTransfers
            let best = try #require(selectSources(transfers: transfers, taskCount: count,
                                                  budget: .sourceCount(budget)))
            let value = Self.value(of: sources, affinity: affinity)
            #expect(abs(value - best.totalAffinity) < 1e-9,
                    "seed \(seed), T = \(count), k = \(budget): \(sources) gives \(value), best \(best.totalAffinity)")
        }
    }
}
