// REFERENCE SOLUTIONS for chapter 17 — students: do the exercises in Exercises/Student/Chapter17.swift first.
import Foundation
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 17's exercises.
public enum Chapter17Reference: Chapter17Exercises {
    public static func maskedLoss(sampleLosses: Variable, labelled: [Bool]) throws -> Variable {
        let rows = labelled.indices.filter { labelled[$0] }
        guard !rows.isEmpty else { return Variable(Tensor(0)) }
        return sampleLosses.gathering(rows).sum() / Float(rows.count)
    }

    public static func discriminativeGroups(blocks: [[Parameter]], learningRate: Float, decay: Float) throws
        -> [ParameterGroup] {
        var seen = Set<ObjectIdentifier>()
        return blocks.enumerated().map { index, block in
            let rate = learningRate * Float(pow(Double(decay), Double(blocks.count - 1 - index)))
            return ParameterGroup(parameters: block.filter { seen.insert(ObjectIdentifier($0)).inserted },
                                  learningRate: rate)
        }
    }

    public static func trainableBlocks(blockCount: Int, unfreezeInterval: Int?, epoch: Int) throws -> [Int] {
        let trainable = unfreezeInterval.map { min(blockCount, 1 + epoch / $0) } ?? 1
        return Array((blockCount - trainable)..<blockCount)
    }

    public static func depthToNormals(_ depth: Variable, focalLength: Float) throws -> Variable {
        let (height, width) = (depth.shape[2], depth.shape[3])
        let (rows, columns) = (0..<(height - 1), 0..<(width - 1))
        let z = depth.sliced(rows, alongAxis: 2).sliced(columns, alongAxis: 3)              // [N, 1, H−1, W−1]
        let slopeX = (depth.sliced(rows, alongAxis: 2).sliced(1..<width, alongAxis: 3) - z) * (Float(width) / 2)
        let slopeY = (depth.sliced(1..<height, alongAxis: 2).sliced(columns, alongAxis: 3) - z) * (Float(height) / 2)
        // The pixel centres' coordinates, [1, 1, H−1, W−1].
        let x = Tensor(shape: [1, 1, height - 1, width - 1], scalars: rows.flatMap { _ in
            columns.map { (Float($0) + 0.5) / Float(width) * 2 - 1 }
        })
        let y = Tensor(shape: [1, 1, height - 1, width - 1], scalars: rows.flatMap { row in
            columns.map { _ in (Float(row) + 0.5) / Float(height) * 2 - 1 }
        })
        let normal = Variable.concatenating([slopeX * focalLength, slopeY * focalLength,
                                             -(z + slopeX * x + slopeY * y)], alongAxis: 1)
        return normal / normal.squared().sum(alongAxis: 1, keepingDimensions: true).squareRoot()
    }
}
