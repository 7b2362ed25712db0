import Testing
import TensorCore
import TaskData
import MultiTask

/// Metrics and Δm%.
@Suite("Metrics")
struct MetricsTests {
    @Test("multi-label precision/recall/F from counts over the split, macro-averaged (Pascal et al.)")
    func multiLabel() {
        var accumulator = TaskMetricAccumulator(spec: TaskSpec(name: "attributes", kind: .multiLabel(labelCount: 2)))
        // Attribute 0: TP 2, FP 1, FN 1 (over two batches); attribute 1: TP 0, FP 0, FN 1.
        accumulator.add(output: Tensor([[3, -1], [2, -2]]), target: Tensor([[1, 0], [1, 1]]))
        accumulator.add(output: Tensor([[1, -1], [-1, -3]]), target: Tensor([[0, 0], [1, 0]]))
        let scores = accumulator.perOutputScores
        #expect(abs(scores[0].precision - 2.0 / 3) < 1e-12 && abs(scores[0].recall - 2.0 / 3) < 1e-12)
        #expect(abs(scores[0].fScore - 2 * (4.0 / 9) / (4.0 / 3 + 1e-7)) < 1e-12)
        #expect(scores[1].precision == 0 && scores[1].recall == 0 && scores[1].fScore == 0)
        #expect(abs(accumulator.value(of: .fScore) - scores[0].fScore / 2) < 1e-12)
        #expect(accumulator.value(of: .accuracy) == 5.0 / 8)
    }

    @Test("segmentation: mIoU over present classes and pixel accuracy")
    func segmentation() {
        var accumulator = TaskMetricAccumulator(spec: TaskSpec(name: "seg", kind: .denseSegmentation(classCount: 3)))
        // One 1×4 image: targets [0, 0, 1, 1]; predictions [0, 1, 1, 1]; class 2 absent.
        let logits = Tensor(shape: [1, 3, 1, 4], scalars: [5, 0, 0, 0,  0, 5, 5, 5,  0, 0, 0, 0])
        accumulator.add(output: logits, target: Tensor(shape: [1, 1, 4], scalars: [0, 0, 1, 1]))
        #expect(accumulator.value(of: .pixelAccuracy) == 0.75)
        #expect(abs(accumulator.value(of: .meanIntersectionOverUnion) - (0.5 + 2.0 / 3) / 2) < 1e-12)
    }

    @Test("regression errors and the mean angle between normals")
    func regression() {
        var accumulator = TaskMetricAccumulator(spec: TaskSpec(name: "normals", kind: .denseRegression(channelCount: 3),
                                                               metrics: [.meanAngleError, .absoluteError]))
        // Two pixels: the first exactly right, the second 90° off.
        let target = Tensor(shape: [1, 3, 1, 2], scalars: [0, 1,  0, 0,  -1, 0])
        let output = Tensor(shape: [1, 3, 1, 2], scalars: [0, 0,  0, 0,  -2, -1])
        accumulator.add(output: output, target: target)
        #expect(abs(accumulator.value(of: .meanAngleError) - 45) < 1e-9)
        #expect(abs(accumulator.value(of: .absoluteError) - 3.0 / 6) < 1e-9)
        var values = TaskMetricAccumulator(spec: TaskSpec(name: "y", kind: .regression(outputCount: 1)))
        values.add(output: Tensor([[1], [3]]), target: Tensor([[2], [2]]))
        #expect(values.value(of: .meanSquaredError) == 1 && values.value(of: .relativeError) == 0.5)
    }

    @Test("Δm%: positive when better, signs by metric direction, averaged over metrics then tasks")
    func deltaMPercent() {
        let single: [[MetricKind: Double]] = [[.accuracy: 0.8], [.absoluteError: 2.0, .relativeError: 0.5]]
        let multi: [[MetricKind: Double]] = [[.accuracy: 0.88], [.absoluteError: 1.8, .relativeError: 0.55]]
        // Task 0: +10%; task 1: (+10% − 10%) / 2 = 0 → Δm = 5%.
        #expect(abs(deltaM(multiTask: multi, singleTask: single) - 5) < 1e-9)
        #expect(deltaM(multiTask: single, singleTask: single) == 0)
    }
}
