// REFERENCE SOLUTIONS for chapter 11 — students: do the exercises in Exercises/Student/Chapter11.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 11's exercises.
public enum Chapter11Reference: Chapter11Exercises {
    static func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

    public static func mgdaWeight(_ g1: [Float], _ g2: [Float]) throws -> Double {
        let (g11, g12, g22) = (dot(g1, g1), dot(g1, g2), dot(g2, g2))
        let distance = g11 - 2 * g12 + g22
        guard distance > 0 else { return 0.5 }
        return min(max((g22 - g12) / distance, 0), 1)
    }

    /// g with its component along `other` removed when they conflict.
    static func project(_ g: [Float], onNormalOf other: [Float]) -> [Float] {
        let product = dot(g, other), squaredNorm = dot(other, other)
        guard product < 0, squaredNorm > 0 else { return g }
        let scale = Float(product / squaredNorm)
        return zip(g, other).map { $0 - scale * $1 }
    }

    public static func pcGrad(_ g1: [Float], _ g2: [Float]) throws -> (first: [Float], second: [Float]) {
        (project(g1, onNormalOf: g2), project(g2, onNormalOf: g1))
    }
}
