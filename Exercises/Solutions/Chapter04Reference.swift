// REFERENCE SOLUTIONS for chapter 04 — students: do the exercises in Exercises/Student/Chapter04.swift first.
import MultiTaskKit
import Exercises

/// Reference solutions of chapter 04's exercises.
public enum Chapter04Reference: Chapter04Exercises {
    public static func softplus(_ x: Variable) throws -> Variable {
        let value = x.value
        return Variable((value.exp() + 1).log(), operation: "softplus", parents: [x]) { upstream, _ in
            [upstream * value.sigmoid()]
        }
    }

    public static func squaredDifference(_ a: Variable, _ b: Variable) throws -> Variable {
        let difference = a.value - b.value
        let (aShape, bShape) = (a.shape, b.shape)
        return Variable(difference * difference, operation: "squaredDifference", parents: [a, b]) { upstream, needed in
            let gradient = upstream * difference * 2
            return [needed[0] ? gradient.summed(toShape: aShape) : nil,
                    needed[1] ? (-gradient).summed(toShape: bShape) : nil]
        }
    }

    public static func gradientCosine(firstLoss: Variable, secondLoss: Variable, shared: Variable) throws -> Float {
        let g1 = gradients(of: firstLoss, wrt: [shared])[0].scalars
        let g2 = gradients(of: secondLoss, wrt: [shared])[0].scalars
        let dot = zip(g1, g2).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let norms = (g1.reduce(0.0) { $0 + Double($1) * Double($1) } * g2.reduce(0.0) { $0 + Double($1) * Double($1) })
            .squareRoot()
        return norms > 0 ? Float(dot / norms) : 0
    }
}
