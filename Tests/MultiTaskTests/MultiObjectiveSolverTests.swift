import Foundation
import Testing
import TensorCore
import TestSupport
import MultiTask

/// The solvers behind MGDA, Nash-MTL and PCGrad, against slow references.
@Suite("Multi-objective solvers")
struct MultiObjectiveSolverTests {
    /// T random gradient vectors of length P with norms around 1.
    func randomGradients(taskCount: Int, length: Int, _ generator: inout SeededGenerator) -> [[Float]] {
        (0..<taskCount).map { _ in (0..<length).map { _ in generator.nextNormal() / Float(length).squareRoot() } }
    }

    func norm(_ alpha: [Double], _ gram: [[Double]]) -> Double {
        Swift.max(MinimumNormSolver.squaredNorm(of: alpha, gram: gram), 0).squareRoot()
    }

    /// min ‖Σ α g‖ over a grid of the simplex with `steps` divisions (T = 2 or 3).
    func gridMinimum(_ gram: [[Double]], steps: Int) -> Double {
        var best = Double.infinity
        if gram.count == 2 {
            for i in 0...steps {
                best = Swift.min(best, norm([Double(i) / Double(steps), 1 - Double(i) / Double(steps)], gram))
            }
        } else {
            for i in 0...steps {
                for j in 0...(steps - i) {
                    let a = Double(i) / Double(steps), b = Double(j) / Double(steps)
                    best = Swift.min(best, norm([a, b, Swift.max(0, 1 - a - b)], gram))
                }
            }
        }
        return best
    }

    /// Euclidean projection onto the simplex (Held et al. / Duchi et al. sort-based rule).
    func projectOntoSimplex(_ v: [Double]) -> [Double] {
        let sorted = v.sorted(by: >)
        var cumulative = 0.0, theta = 0.0
        for (index, value) in sorted.enumerated() {
            cumulative += value
            let candidate = (cumulative - 1) / Double(index + 1)
            if value - candidate > 0 { theta = candidate }
        }
        return v.map { Swift.max($0 - theta, 0) }
    }

    /// Slow projected gradient descent on αᵀMα over the simplex, step 1/trace(M).
    func projectedGradientMinimum(_ gram: [[Double]], iterations: Int = 100_000) -> Double {
        let trace = gram.indices.reduce(0) { $0 + gram[$1][$1] }
        var alpha = Array(repeating: 1 / Double(gram.count), count: gram.count)
        for _ in 0..<iterations {
            let gradient = gram.map { row in zip(row, alpha).reduce(0) { $0 + $1.0 * $1.1 } }
            alpha = projectOntoSimplex(zip(alpha, gradient).map { $0 - $1 / trace })
        }
        return norm(alpha, gram)
    }

    @Test("MGDA: α lies on the simplex and ‖Σ α g‖ is within 1e-4 of a brute-force minimum (T = 2…8)")
    func minimumNorm() {
        var generator = SeededGenerator(seed: 11)
        var worstPlainExcess = 0.0
        for taskCount in 2...8 {
            for trial in 0..<4 {
                // Some trials with fewer dimensions than tasks, where the hull can contain the origin.
                let length = trial == 3 ? Swift.max(2, taskCount - 1) : 3 * taskCount
                let gram = gramMatrix(randomGradients(taskCount: taskCount, length: length, &generator))
                let alpha = MinimumNormSolver.solve(gram: gram).weights
                #expect(alpha.allSatisfy { $0 >= 0 } && Swift.abs(alpha.reduce(0, +) - 1) < 1e-9,
                        "T \(taskCount): α \(alpha)")
                let found = norm(alpha, gram)
                let reference = taskCount <= 3 ? gridMinimum(gram, steps: taskCount == 2 ? 100_000 : 1500)
                                               : projectedGradientMinimum(gram)
                #expect(found <= reference + 1e-4,
                        "T \(taskCount) trial \(trial): ‖Σαg‖ \(found), reference \(reference)")
                #expect(Swift.abs(found - reference) <= 1e-4,
                        "T \(taskCount) trial \(trial): ‖Σαg‖ \(found), reference \(reference)")
                // The reference's plain Frank–Wolfe (250 iterations, L1 stop 1e-5) for comparison.
                if taskCount >= 3 {
                    let pair = MinimumNormSolver.solve(gram: gram, maxIterations: 0).weights
                    let plainWeights = MinimumNormSolver.frankWolfe(gram: gram, start: pair, maxIterations: 250,
                                                                    tolerance: 1e-5, awaySteps: false).weights
                    let plain = norm(plainWeights, gram)
                    #expect(found <= plain + 1e-9)
                    worstPlainExcess = Swift.max(worstPlainExcess, (plain - found) / Swift.max(found, 1e-12))
                }
            }
        }
        // Plain Frank–Wolfe stalls on rank-deficient sets (≈ 5% above the minimum here); away steps do not.
        #expect(worstPlainExcess > 0.01, "plain Frank–Wolfe was at most \(worstPlainExcess) above")
    }

    @Test("MGDA: the two-task closed form agrees with Frank–Wolfe from any start")
    func twoTaskClosedForm() {
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<50 {
            let gram = gramMatrix(randomGradients(taskCount: 2, length: 6, &generator))
            let closed = MinimumNormSolver.solve(gram: gram).weights
            for start in [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]] {
                let iterated = MinimumNormSolver.frankWolfe(gram: gram, start: start, tolerance: 1e-5,
                                                            awaySteps: false).weights
                #expect(Swift.abs(iterated[0] - closed[0]) < 1e-6,
                        "closed \(closed), Frank–Wolfe \(iterated) from \(start)")
            }
        }
        // Opposite gradients: the minimum is 0, at the point weighting them by their lengths' inverse.
        let opposite = gramMatrix([[2, 0], [-1, 0]])
        let oppositeWeights = MinimumNormSolver.solve(gram: opposite).weights
        #expect(isClose(oppositeWeights.map(Float.init), [1.0 / 3, 2.0 / 3], atol: 1e-7))
    }

    @Test("MGDA: the min-norm solver says when its iteration cap, not its tolerance, stopped it")
    func minimumNormReachedTolerance() {
        // A thin hull: three gradients at z = 1, 0.02 apart in y. The minimum-norm point (0, 0, 1)
        // lies inside the triangle, at α* = (2/15, 11/30, 1/2); ‖Σ α g‖ hardly changes along the thin
        // direction, so Frank–Wolfe converges slowly even with away steps.
        let gradients: [[Float]] = [[1, 0.01, 1], [-0.5, 0.01, 1], [0.1, -0.01, 1]]
        let gram = gramMatrix(gradients)
        let capped = MinimumNormSolver.solve(gram: gram, maxIterations: 10)
        #expect(!capped.reachedTolerance && capped.iterations == 10, "\(capped)")
        // The default cap of 1000 is not enough either: α is still 0.05 off, and MGDA counts the step.
        let byDefault = MinimumNormSolver.solve(gram: gram)
        #expect(!byDefault.reachedTolerance && byDefault.iterations == 1000, "\(byDefault)")
        let optimum = [2.0 / 15, 11.0 / 30, 0.5]
        #expect(zip(byDefault.weights, optimum).map { Swift.abs($0 - $1) }.max()! > 0.05, "α \(byDefault.weights)")
        let mgda = MGDA()
        #expect(mgda.weights(gradients: gradients, losses: [1, 1, 1]) == byDefault.weights)
        #expect(mgda.unconvergedSolveCount == 1)
        let converged = MinimumNormSolver.solve(gram: gram, maxIterations: 100_000)
        #expect(converged.reachedTolerance && converged.iterations > 10_000, "\(converged.iterations) iterations")
        #expect(isClose(converged.weights.map(Float.init), optimum.map(Float.init), atol: 1e-6))
        // Well-conditioned sets and the closed forms report convergence.
        var generator = SeededGenerator(seed: 16)
        for taskCount in 1...4 {
            let solution = MinimumNormSolver.solve(gram: gramMatrix(randomGradients(taskCount: taskCount, length: 12,
                                                                                   &generator)))
            #expect(solution.reachedTolerance, "T \(taskCount): \(solution)")
        }
        _ = mgda.weights(gradients: [[1, 0], [0, 1], [1, 1]], losses: [1, 1, 1])
        #expect(mgda.unconvergedSolveCount == 1, "a well-conditioned step is not counted")
    }

    @Test("MGDA normalizations: l2 makes α independent of a task's gradient scale, loss divides by the loss")
    func mgdaNormalization() {
        var generator = SeededGenerator(seed: 15)
        let gradients = randomGradients(taskCount: 3, length: 9, &generator)
        let louder = [gradients[0].map { $0 * 100 }, gradients[1], gradients[2]]
        let losses: [Float] = [2, 1, 0.5]
        let l2 = MGDA(normalization: .l2)
        #expect(isClose(l2.weights(gradients: gradients, losses: losses).map(Float.init),
                        l2.weights(gradients: louder, losses: losses).map(Float.init), atol: 1e-5))
        // Without normalization the loud task's weight collapses (its gradient is far from the origin).
        let plain = MGDA(normalization: .none)
        #expect(plain.weights(gradients: louder, losses: losses)[0] < 0.05)
        // `.loss` divides g_t by L_t: scaling a task's loss and gradient together changes nothing.
        let byLoss = MGDA(normalization: .loss)
        #expect(isClose(byLoss.weights(gradients: gradients, losses: losses).map(Float.init),
                        byLoss.weights(gradients: louder, losses: [200, 1, 0.5]).map(Float.init), atol: 1e-5))
    }

    @Test("Nash-MTL: α_t (Mα)_t = 1 to 1e-5 for random well-conditioned M (T = 2…8)")
    func nashBargaining() throws {
        var generator = SeededGenerator(seed: 13)
        for taskCount in 2...8 {
            for _ in 0..<5 {
                let scale = Float(Foundation.pow(10, Double(generator.nextInt(below: 5)) - 2))  // 0.01 … 100
                let gradients = randomGradients(taskCount: taskCount, length: 4 * taskCount, &generator).map {
                    $0.map { $0 * scale }
                }
                let gram = gramMatrix(gradients)
                let solution = try NashBargainingSolver.solve(gram: gram)
                let product = gram.map { row in zip(row, solution.weights).reduce(0) { $0 + $1.0 * $1.1 } }
                for t in 0..<taskCount {
                    #expect(solution.weights[t] > 0)
                    #expect(Swift.abs(solution.weights[t] * product[t] - 1) < 1e-5,
                            "T \(taskCount) task \(t): α \(solution.weights)")
                }
            }
        }
    }

    @Test("Nash-MTL: Newton converges where the Armijo test is below φ's rounding (condition number 15)")
    func nashNearOptimumRounding() throws {
        // Eigenvalues 0.85, 2.08, 13.08. Four Newton steps bring λ² = ∇φᵀ(∇²φ)⁻¹∇φ to ≈ 1e-15; the
        // Armijo test then asks φ ≈ −1.40 to drop by ¼λ² ≈ 2.4e-16, about one ulp of φ, which its
        // rounding does not show. Before the fix every step was halved to ≈ 1e-12 until the 100
        // iterations ran out with max |α_t (Mα)_t − 1| ≈ 3.9e-8, and `solve` threw didNotConverge.
        let gram: [[Double]] = [[3, 2, -4], [2, 3, -3], [-4, -3, 10]]
        let solution = try NashBargainingSolver.solve(gram: gram)
        let product = gram.map { row in zip(row, solution.weights).reduce(0) { $0 + $1.0 * $1.1 } }
        let residual = zip(solution.weights, product).map { Swift.abs($0 * $1 - 1) }.max()!
        #expect(solution.iterations <= 10, "\(solution.iterations) Newton iterations")
        #expect(residual < 1e-14, "max |α_t (Mα)_t − 1| = \(residual), α \(solution.weights)")
        // NashMTL used to count this step as singular and solve M + εI instead.
        let balancer = NashMTL()
        #expect(isClose(balancer.weights(gram: gram).map(Float.init), solution.weights.map(Float.init)))
        #expect(balancer.singularGramCount == 0 && balancer.unconvergedSolveCount == 0)
    }

    @Test("Nash-MTL: a singular Gram matrix is reported, not solved")
    func nashSingular() {
        for gram in [gramMatrix([[1, 2, 0], [-1, -2, 0]]),              // opposite gradients
                     gramMatrix([[1, 0], [0, 1], [1, 1]]),              // three gradients in a plane
                     gramMatrix([[1, 0], [0, 0]])] {                    // a zero gradient
            #expect(throws: NashBargainingError.self) { try NashBargainingSolver.solve(gram: gram) }
            do {
                _ = try NashBargainingSolver.solve(gram: gram)
            } catch {
                #expect("\(error)".contains("singular"))
            }
        }
        // The balancer falls back to a ridge and counts it.
        let balancer = NashMTL()
        let alpha = balancer.weights(gram: gramMatrix([[1, 0], [0, 1], [1, 1]]))
        #expect(balancer.singularGramCount == 1 && balancer.unconvergedSolveCount == 0)
        #expect(alpha.allSatisfy { $0 > 0 && $0.isFinite }, "α \(alpha)")
    }

    @Test("Nash-MTL: a Gram matrix Newton cannot solve is counted apart from a singular one")
    func nashUnconvergedCount() throws {
        // Two nearly opposite gradients, of norms 1 and 2 at cosine −0.9999999995: M is invertible
        // (the Cholesky pivots pass), but its condition number ≈ 6e9 leaves max |α_t (Mα)_t − 1| at
        // ≈ 4e-7 after the 100 iterations, above the solver's 1e-8.
        let gram: [[Double]] = [[1, -1.999999999], [-1.999999999, 4]]
        #expect(throws: NashBargainingError.self) { try NashBargainingSolver.solve(gram: gram) }
        do {
            _ = try NashBargainingSolver.solve(gram: gram)
        } catch {
            #expect("\(error)".contains("did not converge"), "\(error)")
        }
        let balancer = NashMTL()
        let alpha = balancer.weights(gram: gram)
        #expect(balancer.unconvergedSolveCount == 1 && balancer.singularGramCount == 0)
        #expect(alpha.allSatisfy { $0 > 0 && $0.isFinite }, "α \(alpha)")
    }

    @Test("PCGrad: after projection no pair of the two task gradients conflicts")
    func pcGradTwoTasks() {
        var generator = SeededGenerator(seed: 14)
        let pcGrad = PCGrad(seed: 1)
        var conflicting = 0
        for step in 0..<200 {
            let gradients = randomGradients(taskCount: 2, length: 10, &generator)
            let original = dot(gradients[0], gradients[1])
            if original < 0 { conflicting += 1 }
            let projected = pcGrad.project(gradients, step: step)
            #expect(dot(projected[0], projected[1]) >= -1e-6, "step \(step)")
            #expect(dot(projected[0], gradients[1]) >= -1e-6 && dot(projected[1], gradients[0]) >= -1e-6)
            if original >= 0 { #expect(projected == gradients, "non-conflicting gradients are left alone") }
        }
        #expect(conflicting > 50, "the test saw \(conflicting) conflicting pairs")
    }

    func dot(_ v: [Float], _ w: [Float]) -> Double { zip(v, w).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
}
