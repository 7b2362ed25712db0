// REFERENCE SOLUTIONS for chapter 05 — students: do the exercises in Exercises/Student/Chapter05.swift first.
import Foundation
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 05's exercises.
public enum Chapter05Reference: Chapter05Exercises {
    public static func sgdStep(parameter: Tensor, gradient: Tensor, momentumBuffer: Tensor?, learningRate: Float,
                               momentum: Float, nesterov: Bool, weightDecay: Float) throws
        -> (parameter: Tensor, momentumBuffer: Tensor?) {
        var g = gradient + parameter * weightDecay
        var buffer: Tensor? = nil
        if momentum != 0 {
            let b = momentumBuffer.map { $0 * momentum + g } ?? g
            g = nesterov ? g + b * momentum : b
            buffer = b
        }
        return (parameter - g * learningRate, buffer)
    }

    public static func adamStep(parameter: Tensor, gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor,
                                step: Int, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                                weightDecay: Float) throws
        -> (parameter: Tensor, firstMoment: Tensor, secondMoment: Tensor) {
        let g = gradient + parameter * weightDecay
        let m = firstMoment * beta1 + g * (1 - beta1)
        let v = secondMoment * beta2 + g * g * (1 - beta2)
        let mHat = m / (1 - Foundation.pow(beta1, Float(step)))
        let vHat = v / (1 - Foundation.pow(beta2, Float(step)))
        return (parameter - mHat / (vHat.squareRoot() + epsilon) * learningRate, m, v)
    }
}
