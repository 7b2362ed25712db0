import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Cross-task consistency: the analytic depth → normals map on planes it must get exactly, against
/// the scenes' own normals, its gradients by finite differences, and the term in training.
@Suite("Cross-task consistency")
struct CrossTaskConsistencyTests {
    /// Depth maps `[1, 1, S, S]` of the plane through depth `z0` with normal n = (a, b, c):
    /// points P = (x z/f, y z/f, z) with n·P = d, i.e. z = d / (a x/f + b y/f + c).
    func plane(normal: SIMD3<Float>, distance: Float, size: Int, focalLength: Float) -> Tensor {
        var scalars: [Float] = []
        for row in 0..<size {
            for column in 0..<size {
                let x = (Float(column) + 0.5) / Float(size) * 2 - 1, y = (Float(row) + 0.5) / Float(size) * 2 - 1
                scalars.append(distance / (normal.x * x / focalLength + normal.y * y / focalLength + normal.z))
            }
        }
        return Tensor(shape: [1, 1, size, size], scalars: scalars)
    }

    @Test("a wall facing the camera maps to (0, 0, −1), a tilted plane to its own normal")
    func planes() {
        let map = DepthToNormals(focalLength: 1.2)
        let wall = map(Variable(Tensor.full([2, 1, 6, 6], value: 7))).value
        #expect(wall.shape == [2, 3, 5, 5])
        let pixels = 25
        for n in 0..<2 {
            for pixel in 0..<pixels {
                #expect(abs(wall.scalars[(n * 3 + 2) * pixels + pixel] + 1) < 1e-6)
                #expect(abs(wall.scalars[(n * 3) * pixels + pixel]) < 1e-6)
            }
        }
        // A tilted plane: its depth is not linear in x and y, so forward differences are close, not exact.
        let normal = SIMD3<Float>(0.3, -0.4, -0.866).normalized
        let depth = plane(normal: normal, distance: -5, size: 64, focalLength: 1.2)
        let mapped = map(Variable(depth)).value
        let count = 63 * 63
        var worst: Float = 0
        for pixel in 0..<count {
            let estimate = SIMD3(mapped.scalars[pixel], mapped.scalars[count + pixel],
                                 mapped.scalars[2 * count + pixel])
            worst = max(worst, acos(min(1, (estimate * normal).sum())) * 180 / .pi)
        }
        #expect(worst < 1.5, "worst angle \(worst)° between the mapped and the true plane normal")
    }

    @Test("on the scenes' true depth, the mapped normals are about 11° (median) from the scenes' normals")
    func scenesAgreement() throws {
        let data = try DenseScenes().dataset(sampleCount: 8, seed: 3)
        let mapped = DepthToNormals()(Variable(data.targets[1])).value      // [8, 3, 31, 31]
        let truth = data.targets[2]                                        // [8, 3, 32, 32]
        var angles: [Float] = []
        for n in 0..<8 {
            for row in 0..<31 {
                for column in 0..<31 {
                    var dot: Float = 0
                    for axis in 0..<3 {
                        dot += mapped.scalars[((n * 3 + axis) * 31 + row) * 31 + column]
                            * truth.scalars[((n * 3 + axis) * 32 + row) * 32 + column]
                    }
                    angles.append(acos(min(1, max(-1, dot))) * 180 / .pi)
                }
            }
        }
        let median = angles.sorted()[angles.count / 2]
        let within = Float(angles.filter { $0 < 20 }.count) / Float(angles.count)
        // The map is exact for a pinhole camera; the scenes' floor and spheres are drawn with simpler
        // rules, and occlusion edges span two surfaces — so "close", measured here.
        #expect(median < 15, "median angle \(median)° between mapped and true normals")
        #expect(within > 0.6, "only \(within) of the pixels within 20°")
    }

    @Test("gradcheck: the map and the consistency loss, in depth and in normals")
    func gradients() {
        let depth = Tensor.full([2, 1, 4, 5], value: 5) + Tensor.normal([2, 1, 4, 5], standardDeviation: 0.3, seed: 1)
        let mapCheck = gradcheck("DepthToNormals", inputs: [depth], epsilon: 1e-3) { DepthToNormals()($0[0]) }
        #expect(mapCheck.passed, "\(mapCheck)")
        let consistency = CrossTaskConsistency(sourceTask: 0, targetTask: 1, weight: 0.5)
        let normals = Tensor.normal([2, 3, 4, 5], seed: 2)
        let lossCheck = gradcheck("consistency", inputs: [depth, normals], epsilon: 1e-3) {
            consistency.loss(outputs: [$0[0], $0[1]])
        }
        #expect(lossCheck.passed, "\(lossCheck)")
    }

    @Test("the loss is 0 for agreeing predictions, λ-scaled, and the trainer adds it to the update")
    func lossAndTrainer() throws {
        let depth = Tensor.full([1, 1, 5, 5], value: 4) + Tensor.normal([1, 1, 5, 5], standardDeviation: 0.2, seed: 3)
        let agreeing = DepthToNormals()(Variable(depth)).value.padded(with: [(0, 0), (0, 0), (0, 1), (0, 1)])
        let consistency = CrossTaskConsistency(sourceTask: 0, targetTask: 1, weight: 2)
        #expect(abs(consistency.loss(outputs: [Variable(depth), Variable(agreeing)]).value.scalar) < 1e-5)
        let opposite = agreeing * -1
        let unweighted = consistency.unweightedLoss(source: Variable(depth), target: Variable(opposite)).value.scalar
        #expect(abs(unweighted - 2) < 1e-5, "opposite normals: 1 − cos = 2, got \(unweighted)")
        #expect(abs(consistency.loss(outputs: [Variable(depth), Variable(opposite)]).value.scalar - 4) < 1e-4)
        #expect(CrossTaskConsistency.depthToNormals(tasks: ["segmentation", "depth", "normals"], weight: 1)?
            .targetTask == 2)
        #expect(CrossTaskConsistency.depthToNormals(tasks: ["task0", "task1"], weight: 1) == nil)

        // In training: with λ > 0 the step differs from λ = 0, and is finite.
        let data = try DenseScenes(imageSize: 8).dataset(sampleCount: 6, seed: 1)
        func stepped(_ weight: Float) throws -> [Tensor] {
            let model = makeNetwork(.multiHead, tasks: data.tasks, inputShape: [3, 8, 8],
                                    options: ArchitectureOptions(width: 4, seed: 2))
            var configuration = Trainer.Configuration(epochs: 1, showsProgress: false)
            configuration.consistency = weight > 0
                ? .depthToNormals(tasks: data.tasks.map(\.name), weight: weight) : nil
            let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.05),
                                  configuration: configuration)
            try trainer.trainingStep(inputs: data.inputs, targets: data.targets, tasks: data.tasks)
            return model.parameters().map(\.value)
        }
        let off = try stepped(0), on = try stepped(1)
        #expect(on.allSatisfy { $0.scalars.allSatisfy { $0.isFinite } })
        #expect(zip(off, on).contains { $0.scalars != $1.scalars })
        // Normals labels absent in the batch: without the term the normals head stays put; with it, the
        // head learns (the term needs no label).
        var mask = LabelMask(sampleCount: 6, taskCount: 3)
        for n in 0..<6 { mask[n, 2] = false }
        func normalsHeadMoves(_ weight: Float) throws -> Bool {
            let model = makeNetwork(.multiHead, tasks: data.tasks, inputShape: [3, 8, 8],
                                    options: ArchitectureOptions(width: 4, seed: 2))
            var configuration = Trainer.Configuration(epochs: 1, showsProgress: false)
            configuration.consistency = weight > 0
                ? .depthToNormals(tasks: data.tasks.map(\.name), weight: weight) : nil
            let trainer = Trainer(model: model, optimizer: SGD(parameters: model.parameters(), learningRate: 0.05),
                                  configuration: configuration)
            let head = (model as! MultiHeadNetwork).heads[2].parameters()
            let before = head.map(\.value)
            let (losses, _) = try trainer.trainingStep(inputs: data.inputs, targets: data.targets, tasks: data.tasks,
                                                       labelMask: mask)
            #expect(losses[2].isNaN && losses[0].isFinite)
            return zip(head, before).contains { $0.value.scalars != $1.scalars }
        }
        #expect(try !normalsHeadMoves(0))
        #expect(try normalsHeadMoves(1))
    }
}

extension SIMD3 where Scalar == Float {
    var normalized: SIMD3<Float> { self / (self * self).sum().squareRoot() }
}
