// REFERENCE SOLUTIONS for chapter 16 — students: do the exercises in Exercises/Student/Chapter16.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 16's exercises.
public enum Chapter16Reference: Chapter16Exercises {
    public static func ahpAffinities(losses: [[Double]]) throws -> [Double] {
        let count = losses.count, sampleCount = Double(losses[0].count)
        let wins = (0..<count).map { i in
            (0..<count).map { j in
                let won = zip(losses[i], losses[j]).filter { $0.0 < $0.1 }.count
                return min(0.999, max(0.001, Double(won) / sampleCount))
            }
        }
        let ratios = (0..<count).map { i in (0..<count).map { j in wins[i][j] / wins[j][i] } }
        var vector = Array(repeating: 1 / Double(count), count: count)
        for _ in 0..<1000 {
            let product = ratios.map { row in zip(row, vector).reduce(0) { $0 + $1.0 * $1.1 } }
            let total = product.reduce(0, +)
            let next = product.map { $0 / total }
            let change = zip(next, vector).map { abs($0 - $1) }.max() ?? 0
            vector = next
            if change <= 1e-12 { break }
        }
        return vector
    }

    public static func lookaheadAffinity(parameters: [Float], gradients: [[Float]], stepSize: Float,
                                         losses: ([Float]) -> [Double]) throws -> [[Double]] {
        let before = losses(parameters)
        return gradients.map { gradient in
            let after = losses(zip(parameters, gradient).map { $0 - $1 * stepSize })
            return before.indices.map { t in before[t] > 0 ? 1 - after[t] / before[t] : 0 }
        }
    }

    public static func bestGrouping(affinity: [[Double]], groupCount: Int) throws -> [[Int]] {
        let count = affinity.count
        func score(_ groups: [[Int]]) -> Double {
            var total = 0.0
            for group in groups where group.count > 1 {
                for t in group {
                    let received = group.filter { $0 != t }.map { affinity[$0][t] }.reduce(0, +)
                    total += received / Double(group.count - 1)
                }
            }
            return total
        }
        var labels = Array(repeating: 0, count: count)
        var best: (groups: [[Int]], score: Double)?
        func assign(_ task: Int, opened: Int) {
            if task == count {
                guard opened == groupCount else { return }
                let groups = (0..<groupCount).map { group in (0..<count).filter { labels[$0] == group } }
                let value = score(groups)
                if best == nil || value > best!.score { best = (groups, value) }
                return
            }
            for label in 0...min(opened, groupCount - 1) {
                labels[task] = label
                assign(task + 1, opened: max(opened, label + 1))
            }
        }
        assign(0, opened: 0)
        return best!.groups
    }

    public static func selectSources(affinity: [[Double]], budget: Int) throws -> [Int] {
        let count = affinity.count
        var best: (sources: [Int], value: Double)?
        for subset in 1..<(1 << count) where subset.nonzeroBitCount <= budget {
            let sources = (0..<count).filter { subset & (1 << $0) != 0 }
            let value = (0..<count).reduce(0) { total, t in total + sources.map { affinity[$0][t] }.max()! }
            if best == nil || value > best!.value { best = (sources, value) }
        }
        return best!.sources
    }
}
