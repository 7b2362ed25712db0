// REFERENCE SOLUTIONS for chapter 09 — students: do the exercises in Exercises/Student/Chapter09.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 09's exercises.
public enum Chapter09Reference: Chapter09Exercises {
    public static func roam(active: [Bool], visited: [Bool],
                            using generator: inout SeededGenerator) throws -> (active: [Bool], visited: [Bool]) {
        let activeUnits = active.indices.filter { active[$0] }
        let unvisitedUnits = visited.indices.filter { !visited[$0] }
        guard !activeUnits.isEmpty, !unvisitedUnits.isEmpty else { return (active, visited) }
        let added = unvisitedUnits[generator.nextInt(below: unvisitedUnits.count)]
        let removed = activeUnits[generator.nextInt(below: activeUnits.count)]
        var (newActive, newVisited) = (active, visited)
        newActive[removed] = false
        newActive[added] = true
        newVisited[added] = true
        return (newActive, newVisited)
    }

    public static func progress(updateCount: Int, unitCount: Int, sharingRatio: Double) throws -> Double {
        let needed = unitCount - Int((sharingRatio * Double(unitCount)).rounded())
        return needed <= 0 ? 1 : min(1, Double(updateCount) / Double(needed))
    }

    public static func coverage(visited: [[Bool]]) throws -> Double {
        let total = visited.reduce(0) { $0 + $1.filter { $0 }.count }
        return Double(total) / Double(visited.count * visited[0].count)
    }
}
