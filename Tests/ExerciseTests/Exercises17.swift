import Foundation
import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 17's exercises (`Exercises/Student/Chapter17.swift`) against the library's `maskedTaskLoss`,
/// `discriminativeParameterGroups`, `FreezingSchedule` and `DepthToNormals` on seeded random inputs, and by hand.
@Suite("Exercises17: transfer and supervision")
struct Exercises17 {
    let chapter: any Chapter17Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter17Student.self, reference: Chapter17Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter17Student.self, reference: nil)
        #endif
    }

    /// The masked loss of `losses` (a fresh leaf) and its gradient with respect to them.
    func maskedLossAndGradient(_ losses: [Float], _ labelled: [Bool]) throws -> (value: [Float], gradient: [Float]) {
        let leaf = Variable(Tensor(losses), requiresGradient: true)
        let loss = try chapter.maskedLoss(sampleLosses: leaf, labelled: labelled)
        return (loss.value.scalars, gradients(of: loss, wrt: [leaf])[0].scalars)
    }

    @Test("17.1 masked loss: by hand, NaN placeholders, no labels, and maskedTaskLoss on a random LabelMask")
    func maskedLoss() throws {
        let half = try maskedLossAndGradient([1, 2, 3, 4], [true, false, true, false])
        isClose(half.value, [2], "(1 + 3) / 2: the mean over the labelled samples, not over all four")
        isClose(half.gradient, [0.5, 0, 0.5, 0], "∂L/∂ℓ: 1/2 on each labelled sample, 0 elsewhere")
        let placeholder = try maskedLossAndGradient([1, .nan, 5], [true, false, true])
        isClose(placeholder.value, [3], "a NaN loss of an unlabelled sample must not reach L_t")
        #expect(placeholder.gradient == [0.5, 0, 0.5], "exactly 0 (not NaN) for the unlabelled sample")
        let none = try maskedLossAndGradient([1, 2, 3], [false, false, false])
        #expect(none.value == [0] && none.gradient == [0, 0, 0], "no label: L_t = 0/max(1, 0) = 0, no gradient")
        // Per-sample MSE of a 3-output regression; task t of the mask labels 25%, 50%, 100% and 0% of 16 samples.
        let spec = TaskSpec(name: "r", kind: .regression(outputCount: 3))
        let mask = LabelMask.random(sampleCount: 16, fractions: [0.25, 0.5, 1, 0], seed: 7)
        let target = Tensor.normal([16, 3], seed: 8)
        for task in 0..<4 {
            let output = Variable(Tensor.normal([16, 3], seed: 9), requiresGradient: true)
            let sampleLosses = (output - target).squared().mean(alongAxis: 1)
            let loss = try chapter.maskedLoss(sampleLosses: sampleLosses,
                                              labelled: (0..<16).map { mask[$0, task] })
            let gradient = gradients(of: loss, wrt: [output])[0]
            let reference = Variable(output.value, requiresGradient: true)
            let expected = maskedTaskLoss(spec, output: reference, target: target,
                                          labelled: mask.labelledSamples(task: task))
            isClose(loss.value.scalars, [expected?.value.scalar ?? 0], rtol: 1e-5,
                    "task \(task) (\(mask.labelledCount(task: task)) of 16 labelled): maskedTaskLoss")
            let expectedGradient = expected.map { gradients(of: $0, wrt: [reference])[0] } ?? Tensor.zeros([16, 3])
            isClose(gradient, expectedGradient, rtol: 1e-4, atol: 1e-7, "task \(task): ∂L_t/∂output")
        }
    }

    /// A multi-head network of a three-stage trunk (8 → 6 → 6 → 6) and two heads: four fine-tuning blocks.
    static func network(seed: UInt64) -> MultiHeadNetwork {
        let random = RandomSource(seed: seed)
        let trunk = Sequential(Sequential(Linear(inputCount: 8, outputCount: 6, random: random), ReLU()),
                               Sequential(Linear(inputCount: 6, outputCount: 6, random: random), ReLU()),
                               Sequential(Linear(inputCount: 6, outputCount: 6, random: random), ReLU()))
        return MultiHeadNetwork(trunk: trunk, heads: (0..<2).map { _ in
            Linear(inputCount: 6, outputCount: 1, random: random)
        })
    }

    /// Each group's parameters, by identity.
    static func identities(_ groups: [ParameterGroup]) -> [[ObjectIdentifier]] {
        groups.map { $0.parameters.map(ObjectIdentifier.init) }
    }

    @Test("17.2 discriminative rates: η·ξ^(L−l) by hand, a shared parameter, and discriminativeParameterGroups")
    func discriminativeGroups() throws {
        let single = (0..<4).map { Parameter(Tensor([Float($0)])) }
        let groups = try chapter.discriminativeGroups(blocks: single.map { [$0] }, learningRate: 1e-3, decay: 1 / 2.6)
        isClose(groups.map(\.learningRate), [1e-3 / 17.576, 1e-3 / 6.76, 1e-3 / 2.6, 1e-3], rtol: 1e-5, atol: 0,
                "η_l = η·ξ^(L−l): the input's block at η/2.6³, the heads at η")
        #expect(Self.identities(groups) == single.map { [ObjectIdentifier($0)] }, "one group per block, in order")
        // b is listed in blocks 0 and 1: it belongs to block 0 only. The empty top block still counts as a level.
        let (a, b, c) = (Parameter(Tensor([1])), Parameter(Tensor([2])), Parameter(Tensor([3])))
        let shared = try chapter.discriminativeGroups(blocks: [[a, b], [b, c], []], learningRate: 0.1, decay: 0.5)
        #expect(Self.identities(shared) == [[a, b], [c], []].map { $0.map(ObjectIdentifier.init) },
                "a parameter of two blocks stays in the first")
        isClose(shared.map(\.learningRate), [0.025, 0.05, 0.1], "three levels, the empty one included")
        let network = Self.network(seed: 1)
        let blocks = try fineTuningBlocks(of: network)
        for decay: Float in [1 / 2.6, 0.5, 1] {
            let mine = try chapter.discriminativeGroups(blocks: blocks, learningRate: 0.01, decay: decay)
            let library = discriminativeParameterGroups(blocks: blocks, learningRate: 0.01, decay: decay)
            isClose(mine.map(\.learningRate), library.map(\.learningRate), rtol: 1e-6, atol: 0,
                    "ξ = \(decay): discriminativeParameterGroups' rates")
            #expect(Self.identities(mine) == Self.identities(library), "ξ = \(decay): the same parameters per group")
        }
    }

    @Test("17.3 gradual unfreezing: by hand (k = 1, 2, never) and FreezingSchedule over 6 × 4 × 20 cases")
    func trainableBlocks() throws {
        let everyEpoch = try (0..<5).map { try chapter.trainableBlocks(blockCount: 4, unfreezeInterval: 1, epoch: $0) }
        #expect(everyEpoch == [[3], [2, 3], [1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]], "L = 4, k = 1")
        #expect(try chapter.trainableBlocks(blockCount: 4, unfreezeInterval: 2, epoch: 5) == [1, 2, 3],
                "L = 4, k = 2: the first block still frozen in epoch 5")
        #expect(try chapter.trainableBlocks(blockCount: 4, unfreezeInterval: 2, epoch: 6) == [0, 1, 2, 3],
                "L = 4, k = 2: the first block trains from epoch 6 = 3·k on")
        #expect(try chapter.trainableBlocks(blockCount: 4, unfreezeInterval: nil, epoch: 50) == [3],
                "k = nil (head-only): only the top block, ever")
        var mismatches: [String] = []
        for blockCount in 1...6 {
            for interval in [nil, 1, 2, 3] as [Int?] {
                let schedule = FreezingSchedule(blockCount: blockCount, unfreezeInterval: interval)
                for epoch in 0..<20 {
                    let expected = (0..<blockCount).filter { !schedule.isFrozen(block: $0, atEpoch: epoch) }
                    let blocks = try chapter.trainableBlocks(blockCount: blockCount, unfreezeInterval: interval,
                                                             epoch: epoch)
                    if blocks != expected {
                        let k = interval.map(String.init) ?? "nil"
                        mismatches.append("L = \(blockCount), k = \(k), e = \(epoch): \(blocks), expected \(expected)")
                    }
                }
            }
        }
        let first = mismatches.prefix(3).joined(separator: "; ")
        #expect(mismatches.isEmpty, "\(mismatches.count) of 480 cases differ from FreezingSchedule, first: \(first)")
    }

    @Test("17.4 depth → normals: a wall, a tilted plane by hand, DepthToNormals and its gradient, gradcheck")
    func depthToNormals() throws {
        // A wall facing the camera at depth 2: n̂ = (0, 0, −1) at every pixel.
        let wall = try chapter.depthToNormals(Variable(Tensor.full([2, 1, 4, 5], value: 2)), focalLength: 1.2)
        isClose(wall.value, Tensor([0, 0, -1]).reshaped(to: [1, 3, 1, 1]).broadcast(to: [2, 3, 3, 4]), atol: 1e-6,
                "a fronto-parallel wall")
        // z = 3 + 0.5x + 0.25y at the pixel centres of a 4 × 6 image (x across W = 6, y down H = 4): the forward
        // differences are exact, z_x = 0.5, z_y = 0.25, so n ∝ (0.5f, 0.25f, −(z + 0.5x + 0.25y)).
        let (height, width, f): (Int, Int, Float) = (4, 6, 0.9)
        func centre(_ index: Int, _ size: Int) -> Float { (Float(index) + 0.5) / Float(size) * 2 - 1 }
        let plane = (0..<height).flatMap { r in
            (0..<width).map { c in 3 + 0.5 * centre(c, width) + 0.25 * centre(r, height) }
        }
        var expected = [Float](repeating: 0, count: 3 * (height - 1) * (width - 1))
        for r in 0..<(height - 1) {
            for c in 0..<(width - 1) {
                let (x, y) = (centre(c, width), centre(r, height))
                let n = [0.5 * f, 0.25 * f, -(plane[r * width + c] + 0.5 * x + 0.25 * y)]
                let length = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).squareRoot()
                for k in 0..<3 { expected[(k * (height - 1) + r) * (width - 1) + c] = n[k] / length }
            }
        }
        let tilted = try chapter.depthToNormals(Variable(Tensor(shape: [1, 1, height, width], scalars: plane)),
                                                focalLength: f)
        isClose(tilted.value, Tensor(shape: [1, 3, height - 1, width - 1], scalars: expected), rtol: 1e-4,
                atol: 1e-5, "a tilted plane (channels x, y, z)")
        // Random depths around 2: the library's map, and the gradient of a random projection of it.
        let depth = Tensor.normal([2, 1, 5, 6], mean: 2, standardDeviation: 0.3, seed: 11)
        let projection = Tensor.normal([2, 3, 4, 5], seed: 12)
        let mine = Variable(depth, requiresGradient: true), theirs = Variable(depth, requiresGradient: true)
        let normals = try chapter.depthToNormals(mine, focalLength: 0.9)
        let reference = DepthToNormals(focalLength: 0.9)(theirs)
        isClose(normals.value, reference.value, rtol: 1e-4, atol: 1e-5, "against DepthToNormals")
        if normals.shape == reference.shape {
            isClose(gradients(of: (normals * projection).sum(), wrt: [mine])[0],
                    gradients(of: (reference * projection).sum(), wrt: [theirs])[0], rtol: 1e-3, atol: 1e-5,
                    "the gradient reaching the depth, against DepthToNormals'")
        }
        let small = Tensor.normal([1, 1, 3, 4], mean: 2, standardDeviation: 0.3, seed: 13)
        let result = gradcheck("depthToNormals", inputs: [small]) {
            (try? chapter.depthToNormals($0[0], focalLength: 1.2)) ?? $0[0] * 0
        }
        #expect(result.passed, "\(result)")
    }
}
