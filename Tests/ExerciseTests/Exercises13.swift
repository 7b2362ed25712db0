import Testing
import MultiTaskKit
import MultiTaskKitTesting
import Exercises
#if EXERCISE_SOLUTIONS
import ExerciseSolutions
#endif

/// Grades chapter 13's exercises (`Exercises/Student/Chapter13.swift`) by hand and against the library's
/// `TaskMetricAccumulator`.
@Suite("Exercises13: dense prediction")
struct Exercises13 {
    let chapter: any Chapter13Exercises.Type

    init() throws {
        #if EXERCISE_SOLUTIONS
        chapter = try Grading.pick(student: Chapter13Student.self, reference: Chapter13Reference.self)
        #else
        chapter = try Grading.pick(student: Chapter13Student.self, reference: nil)
        #endif
    }

    @Test("13.1 mean IoU: by hand, unlabelled pixels, absent classes, and the library's metric on random maps")
    func meanIntersectionOverUnion() throws {
        // Class 0: TP 1, FP 1, FN 1 → 1/3. Class 1: TP 1, FP 1, FN 1 → 1/3. Class 2 absent. Pixel 4 unlabelled.
        let value = try chapter.meanIntersectionOverUnion(predicted: [0, 1, 0, 1, 2], target: [0, 0, 1, 1, -1],
                                                          classCount: 3)
        #expect(abs(value - 1.0 / 3) < 1e-12, "\(value)")
        #expect(try chapter.meanIntersectionOverUnion(predicted: [2, 2, 3], target: [2, 2, 3], classCount: 4) == 1)
        var generator = SeededGenerator(seed: 13)
        for trial in 0..<10 {
            let (n, classes, h, w) = (2, 4, 5, 6)
            let target = (0..<(n * h * w)).map { _ in generator.nextInt(below: classes + 1) - (trial % 2) }
            let predicted = target.map { truth in
                generator.nextFloat() < 0.6 && (0..<classes).contains(truth) ? truth : generator.nextInt(below: classes)
            }
            // One-hot scores [N, C, H, W] whose argmax is `predicted`.
            var scores = Tensor.zeros([n, classes, h, w])
            for (index, c) in predicted.enumerated() {
                scores.setScalar(1, at: [index / (h * w), c, index % (h * w) / w, index % w])
            }
            var metric = TaskMetricAccumulator(spec: TaskSpec(name: "segmentation",
                                                              kind: .denseSegmentation(classCount: classes)))
            metric.add(output: scores, target: Tensor(shape: [n, h, w], scalars: target.map(Float.init)))
            let value = try chapter.meanIntersectionOverUnion(predicted: predicted, target: target, classCount: classes)
            let expected = metric.value(of: .meanIntersectionOverUnion)
            #expect(abs(value - expected) < 1e-9, "trial \(trial): \(value) vs \(expected)")
        }
    }

    @Test("13.2 mean angle error: by hand (0°, 90°, 180°), scale invariance, and the library's metric")
    func meanAngleError() throws {
        // Three pixels of one 1×3 image: the same direction (scaled), orthogonal, opposite; a fourth with no target.
        let predicted = Tensor(shape: [1, 3, 1, 4], scalars: [2, 0, -1, 5, /* y */ 0, 1, 0, 5, /* z */ 0, 0, 0, 5])
        let target = Tensor(shape: [1, 3, 1, 4], scalars: [1, 1, 1, 0, /* y */ 0, 0, 0, 0, /* z */ 0, 0, 0, 0])
        let value = try chapter.meanAngleError(predicted: predicted, target: target)
        #expect(abs(value - 90) < 1e-6, "(0 + 90 + 180)/3 = 90, got \(value)")
        for seed in 0..<5 {
            let truth = Tensor.normal([2, 3, 4, 5], seed: UInt64(seed))
            let guess = truth + Tensor.normal([2, 3, 4, 5], standardDeviation: 0.5, seed: UInt64(50 + seed))
            var metric = TaskMetricAccumulator(spec: TaskSpec(name: "normals", kind: .denseRegression(channelCount: 3)))
            metric.add(output: guess, target: truth)
            let value = try chapter.meanAngleError(predicted: guess, target: truth)
            #expect(abs(value - metric.value(of: .meanAngleError)) < 1e-6, "seed \(seed)")
            let scaled = try chapter.meanAngleError(predicted: guess * 3, target: truth)
            #expect(abs(scaled - value) < 1e-4, "seed \(seed): the angle ignores the prediction's length")
        }
    }
}
