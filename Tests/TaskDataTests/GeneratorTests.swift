import Foundation
import Testing
import TensorCore
import TaskData

/// Chapter 06/09/11/13 data — the synthetic generators: seeded, documented statistics.
@Suite("Synthetic generators")
struct GeneratorTests {
    static func allGenerators() throws -> [(String, (UInt64) -> MultiTaskDataset)] {
        let regression = try RelatedRegression(correlation: 0.5, seed: 1)
        let shapes = try AttributeShapes()
        let scenes = try DenseScenes()
        let digits = try MultiDigit()
        return [
            ("related regression", { regression.dataset(sampleCount: 64, seed: $0) }),
            ("attribute shapes", { shapes.dataset(sampleCount: 64, seed: $0) }),
            ("dense scenes", { scenes.dataset(sampleCount: 16, seed: $0) }),
            ("multi-digit", { digits.dataset(sampleCount: 64, seed: $0) }),
        ]
    }

    @Test("same seed → identical data, for 1 and 2 threads; different seeds → different data")
    func determinism() throws {
        let saved = Parallelism.threadCount
        defer { Parallelism.threadCount = saved }
        for (name, generate) in try Self.allGenerators() {
            Parallelism.threadCount = 1
            let first = generate(7)
            Parallelism.threadCount = 2
            let again = generate(7)
            let other = generate(8)
            #expect(first.inputs == again.inputs && first.targets == again.targets, "\(name): same seed differs")
            #expect(first.inputs != other.inputs, "\(name): seeds 7 and 8 gave the same inputs")
            #expect(first.tasks.count == first.targets.count)
        }
    }

    @Test("related regression: the linear parts correlate as asked (within 0.05 on 10k samples)",
          arguments: [Float(0), 0.5, 0.9, -0.3, 1])
    func relatedRegressionCorrelation(rho: Float) throws {
        let generator = try RelatedRegression(correlation: rho, seed: 3)
        let data = generator.dataset(sampleCount: 10_000, seed: 4)
        let linear = generator.linearParts(of: data.inputs)
        let a = (0..<10_000).map { Double(linear.scalars[2 * $0]) },
            b = (0..<10_000).map { Double(linear.scalars[2 * $0 + 1]) }
        #expect(abs(pearson(a, b) - Double(rho)) < 0.05, "ρ = \(rho): empirical \(pearson(a, b))")
        // The weights have cosine ρ exactly (the population correlation).
        let w = generator.weights.scalars
        let dot = (0..<100).reduce(Float(0)) { $0 + w[$1] * w[100 + $1] }
        #expect(abs(dot - rho) < 1e-4)
    }

    @Test("related regression with a 3×3 correlation matrix; a non-PSD matrix is refused")
    func correlationMatrix() throws {
        let matrix: [[Float]] = [[1, 0.8, 0.2], [0.8, 1, 0.5], [0.2, 0.5, 1]]
        let generator = try RelatedRegression(correlations: matrix, seed: 5)
        let w = generator.weights
        for i in 0..<3 {
            for j in 0..<3 {
                let dot = (0..<100).reduce(Float(0)) { $0 + w.scalars[i * 100 + $1] * w.scalars[j * 100 + $1] }
                #expect(abs(dot - matrix[i][j]) < 1e-4, "w\(i)·w\(j) = \(dot), want \(matrix[i][j])")
            }
        }
        #expect(throws: DataGenerationError.self) {
            try RelatedRegression(correlations: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], seed: 1)
        }
        #expect(throws: DataGenerationError.self) { try RelatedRegression(correlation: 1.5, seed: 1) }
    }

    @Test("block correlations: ρ within a block, 0 across, and the task weights have exactly those cosines")
    func blockCorrelations() throws {
        let matrix = RelatedRegression.blockCorrelations(blockSizes: [2, 3], within: 0.8)
        #expect(matrix == [[1, 0.8, 0, 0, 0], [0.8, 1, 0, 0, 0], [0, 0, 1, 0.8, 0.8], [0, 0, 0.8, 1, 0.8],
                           [0, 0, 0.8, 0.8, 1]])
        let w = try RelatedRegression(correlations: matrix, seed: 2).weights
        for i in 0..<5 {
            for j in 0..<5 {
                let dot = (0..<100).reduce(Float(0)) { $0 + w.scalars[i * 100 + $1] * w.scalars[j * 100 + $1] }
                #expect(abs(dot - matrix[i][j]) < 1e-4, "w\(i)·w\(j) = \(dot), want \(matrix[i][j])")
            }
        }
        // Three tasks pairwise at −0.9 are no correlation matrix (within ≥ −1/2 for a block of 3).
        #expect(throws: DataGenerationError.self) {
            try RelatedRegression(correlations: RelatedRegression.blockCorrelations(blockSizes: [3], within: -0.9),
                                  seed: 1)
        }
    }

    @Test("attribute shapes: every attribute's frequency within 0.025 of its documented probability (10k images)")
    func attributeStatistics() throws {
        let data = try AttributeShapes().dataset(sampleCount: 10_000, seed: 11)
        #expect(data.inputs.shape == [10_000, 3, 32, 32])
        #expect(data.tasks.map(\.name) == ["shape", "colour", "size", "position", "texture", "count", "background",
                                           "frame"])
        for (group, target) in data.targets.enumerated() {
            let labels = AttributeShapes.groups[group].attributes
            #expect(target.shape == [10_000, labels.count])
            for (a, name) in labels.enumerated() {
                let frequency = (0..<10_000).reduce(0.0) { $0 + Double(target.scalars[$1 * labels.count + a]) } / 10_000
                let expected = AttributeShapes.attributeProbabilities[group][a]
                #expect(abs(frequency - expected) < 0.025, "\(name): frequency \(frequency), documented \(expected)")
            }
        }
        #expect(data.inputs.min().scalar >= 0 && data.inputs.max().scalar <= 1)
        // Related by construction: a pair is never large.
        let size = data.targets[2], count = data.targets[5]
        #expect(!(0..<10_000).contains { size.scalars[2 * $0] == 1 && count.scalars[2 * $0] == 1 })
    }

    @Test("attribute shapes: the pixels carry the attributes (colour bits are the shape's channel means)")
    func attributePixels() throws {
        // On a dark, quiet, unframed, solid image the brightest channel values are the shape's.
        let data = try AttributeShapes().dataset(sampleCount: 400, seed: 12)
        var checked = 0
        for n in 0..<400 {
            let background = data.targets[6].scalars[2 * n], noisy = data.targets[6].scalars[2 * n + 1]
            let framed = data.targets[7].scalars[2 * n], striped = data.targets[4].scalars[2 * n]
            guard background == 0, noisy == 0, framed == 0, striped == 0 else { continue }
            for channel in 0..<3 {
                let plane = data.inputs[n][channel].scalars
                let bright = plane.contains { $0 > 0.8 }
                #expect(bright == (data.targets[1].scalars[3 * n + channel] == 1), "image \(n), channel \(channel)")
            }
            checked += 1
        }
        #expect(checked > 20)
    }

    @Test("dense scenes: shapes, unit normals facing the camera, depth in range, every class present")
    func denseScenes() throws {
        let data = try DenseScenes().dataset(sampleCount: 200, seed: 13)
        #expect(data.inputs.shape == [200, 3, 32, 32])
        #expect(data.targets[0].shape == [200, 32, 32])
        #expect(data.targets[1].shape == [200, 1, 32, 32])
        #expect(data.targets[2].shape == [200, 3, 32, 32])
        let classes = data.targets[0].scalars
        for c in 0..<4 {
            let share = Double(classes.filter { $0 == Float(c) }.count) / Double(classes.count)
            #expect(share > 0.03, "class \(DenseScenes.classNames[c]) covers only \(share) of the pixels")
        }
        let depth = data.targets[1].scalars
        #expect(depth.allSatisfy { $0 > 0.5 && $0 <= 10 })
        let normals = data.targets[2]
        for n in stride(from: 0, to: 200, by: 17) {
            for pixel in stride(from: 0, to: 1024, by: 7) {
                let v: [Float] = (0..<3).map { normals.scalars[(n * 3 + $0) * 1024 + pixel] }
                let squaredLength: Float = v[0] * v[0] + v[1] * v[1] + v[2] * v[2]
                #expect(abs(squaredLength - 1) < 1e-4 && v[2] <= 0, "normal \(v)")
            }
        }
        // Depth and segmentation agree: floor pixels get nearer towards the bottom of the image.
        func meanFloorDepth(row: Int) -> Double {
            var sum = 0.0, count = 0
            for n in 0..<200 {
                for x in 0..<32 where classes[n * 1024 + row * 32 + x] == 1 {
                    sum += Double(depth[n * 1024 + row * 32 + x]); count += 1
                }
            }
            return count == 0 ? .nan : sum / Double(count)
        }
        let floorDepthByRow = (0..<32).map(meanFloorDepth)
        #expect(floorDepthByRow[31] < floorDepthByRow[20])
    }

    @Test("multi-digit: labels balanced (each digit 7–13% per task), digits visible in their halves")
    func multiDigit() throws {
        let data = try MultiDigit().dataset(sampleCount: 10_000, seed: 14)
        #expect(data.inputs.shape == [10_000, 1, 28, 28])
        for task in 0..<2 {
            for digit in 0..<10 {
                let share = Double(data.targets[task].scalars.filter { $0 == Float(digit) }.count) / 10_000
                #expect(share > 0.07 && share < 0.13, "task \(task) digit \(digit): \(share)")
            }
        }
        // Ink: every image has strokes; the left glyph owns the top-left corner region.
        let first = data.inputs[0].scalars
        #expect(first.reduce(0, +) > 20)
        #expect(data.inputs.max().scalar <= 1 && data.inputs.min().scalar >= 0)
    }

    @Test("invalid generator parameters throw readable errors")
    func invalidParameters() {
        #expect(throws: DataGenerationError.self) { try AttributeShapes(imageSize: 4) }
        #expect(throws: DataGenerationError.self) { try DenseScenes(imageSize: 2) }
        #expect(throws: DataGenerationError.self) { try MultiDigit(imageSize: 10) }
        do {
            _ = try RelatedRegression(correlations: [[1, 0.5]], seed: 0)
            Issue.record("a non-square matrix was accepted")
        } catch {
            #expect(error.description.contains("square"))
        }
    }
}

func pearson(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let meanA = a.reduce(0, +) / n, meanB = b.reduce(0, +) / n
    var covariance = 0.0, varianceA = 0.0, varianceB = 0.0
    for (x, y) in zip(a, b) {
        covariance += (x - meanA) * (y - meanB)
        varianceA += (x - meanA) * (x - meanA)
        varianceB += (y - meanB) * (y - meanB)
    }
    return covariance / (varianceA * varianceB).squareRoot()
}
