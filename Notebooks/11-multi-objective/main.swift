// %% [markdown]
// # 11 — Multi-objective optimization: MGDA, PCGrad and Nash-MTL
//
// Part 1 is a two-task toy whose Pareto front we can draw exactly: θ ∈ ℝ², and
//
//     L₁(θ) = ½ (θ − a)ᵀ A (θ − a),   L₂(θ) = ½ (θ − b)ᵀ B (θ − b)
//
// with A and B of very different scales. Every point θ(λ) = argmin λL₁ + (1−λ)L₂, λ ∈ [0, 1], is
// Pareto optimal: no step lowers one loss without raising the other. We run gradient descent with
// four update directions from the per-task gradients g₁, g₂ — equal weighting (g₁ + g₂), MGDA
// (the min-norm point of their hull), PCGrad (projected sums) and Nash-MTL (the bargaining
// solution) — and draw where each goes. Part 2 runs the same methods on images. Run with
// `swift run -c release 11-multi-objective` (`--quick`: fewer steps and a smaller image run).

// %%
import Foundation
import MultiTaskKit

let quick = CommandLine.arguments.contains("--quick")

// %% [markdown]
// ## The toy problem
// A = diag(1, 0.1) and B = 10 · diag(0.1, 1): task 2's loss is ten times louder. 2×2 linear
// algebra is written out by hand.

// %%
let a: [Double] = [1, 0], b: [Double] = [0, 1]
let matrixA: [Double] = [1, 0.1], matrixB: [Double] = [1, 10]  // the diagonals
func quadratic(_ theta: [Double], diagonal: [Double], center: [Double]) -> Double {
    var sum = 0.0
    for i in 0..<2 { sum += diagonal[i] * (theta[i] - center[i]) * (theta[i] - center[i]) }
    return 0.5 * sum
}
func losses(_ theta: [Double]) -> [Double] {
    [quadratic(theta, diagonal: matrixA, center: a), quadratic(theta, diagonal: matrixB, center: b)]
}
func gradients(_ theta: [Double]) -> [[Float]] {
    [(0..<2).map { Float(matrixA[$0] * (theta[$0] - a[$0])) }, (0..<2).map { Float(matrixB[$0] * (theta[$0] - b[$0])) }]
}
/// The Pareto front: θ(λ) minimizes λL₁ + (1−λ)L₂, coordinate by coordinate for diagonal A, B.
let front: [(x: Double, y: Double)] = (0...200).map { index in
    let lambda = Double(index) / 200
    let theta = (0..<2).map {
        (lambda * matrixA[$0] * a[$0] + (1 - lambda) * matrixB[$0] * b[$0])
            / (lambda * matrixA[$0] + (1 - lambda) * matrixB[$0])
    }
    let value = losses(theta)
    return (value[0], value[1])
}

// %% [markdown]
// ## Four update directions
// Each method maps the two gradients to one direction d; θ ← θ − η d. These are the library's
// own pieces: `MGDA.weights(gradients:losses:)`, `PCGrad.project(_:step:)` and
// `NashMTL.weights(gram:)` with `gramMatrix`. Nash-MTL's direction always has norm √T (since
// α_t (Mα)_t = 1 gives ‖Σ α g‖² = αᵀMα = T), so it is clipped to norm 1 as in the reference.

// %%
enum Method: String, CaseIterable { case ew = "EW", mgda = "MGDA", pcGrad = "PCGrad", nash = "Nash-MTL" }
func direction(_ method: Method, _ g: [[Float]], _ value: [Double], step: Int) -> [Double] {
    switch method {
    case .ew: return (0..<2).map { Double(g[0][$0] + g[1][$0]) }
    case .mgda:
        let alpha = MGDA().weights(gradients: g, losses: value.map(Float.init))
        return (0..<2).map { alpha[0] * Double(g[0][$0]) + alpha[1] * Double(g[1][$0]) }
    case .pcGrad:
        let projected = PCGrad(seed: 0).project(g, step: step)
        return (0..<2).map { Double(projected[0][$0] + projected[1][$0]) }
    case .nash:
        let alpha = NashMTL().weights(gram: gramMatrix(g))
        let d = (0..<2).map { alpha[0] * Double(g[0][$0]) + alpha[1] * Double(g[1][$0]) }
        let norm = (d[0] * d[0] + d[1] * d[1]).squareRoot()
        return norm > 1 ? d.map { $0 / norm } : d
    }
}

// %% [markdown]
// ## Trajectories
// From three starting points, `steps` steps of η = 0.02 each; we keep the losses along the way
// and report where each run ends: its losses and its distance to the front (in loss space).

// %%
let starts: [[Double]] = [[-1, -0.5], [2, 2], [1.5, -1]]
let steps = quick ? 200 : 1500
var trajectories: [(name: String, points: [(x: Double, y: Double)])] = []
print("method     start         final (L₁, L₂)        distance to the front")
for method in Method.allCases {
    for (index, start) in starts.enumerated() {
        var theta = start, points: [(x: Double, y: Double)] = []
        for step in 0..<steps {
            let value = losses(theta)
            points.append((value[0], value[1]))
            let d = direction(method, gradients(theta), value, step: step)
            theta = (0..<2).map { theta[$0] - 0.02 * d[$0] }
        }
        let end = losses(theta)
        let distance = front.map {
            (($0.x - end[0]) * ($0.x - end[0]) + ($0.y - end[1]) * ($0.y - end[1])).squareRoot()
        }.min()!
        print(String(format: "%@ %d (%4.1f, %4.1f)   (%.3f, %.3f)        %.4f", method.rawValue.padding(toLength: 10,
            withPad: " ", startingAt: 0),
                     index + 1, start[0], start[1], end[0], end[1], distance))
        trajectories.append(("\(method.rawValue) from \(index + 1)", points))
    }
}

// %% [markdown]
// ## The figure
// Loss space: the Pareto front and every trajectory. Written to
// `Tutorials/figures/11-pareto-trajectories.svg` in a full run.

// %%
let plot = LinePlot(title: "Two-task toy: trajectories in loss space", xLabel: "L₁", yLabel: "L₂",
                    series: [.init(name: "Pareto front", points: front)] + trajectories.map { .init(name: $0.name,
                        points: $0.points) },
                    logarithmicY: true)
let plotURL = quick ? FileManager.default.temporaryDirectory.appendingPathComponent("11-pareto-trajectories.svg")
                    : URL(fileURLWithPath: "Tutorials/figures/11-pareto-trajectories.svg")
try plot.write(to: plotURL)
print("figure: \(plotURL.path)")

// %% [markdown]
// ## Part 2: the same methods on images
// Two overlapping digits (`MultiDigit`, MultiMNIST-style): task 0 reads the left digit, task 1 the
// right. Single-task networks against a multi-head CNN (width 16) with each method, with the
// findings protocol: the study committed in `Tutorials/results/11-multi-objective/` (`mtl compare`,
// 5 paired seeds, each run at its best validation epoch). A slice — STL and EW on one seed — is
// re-run and checked against it.

// %%
func imageStudy(_ methods: [BalancingMethod], seeds: [UInt64], samples: Int, epochs: Int, resultsURL: URL?) -> Study {
    let options = ArchitectureOptions(width: 16)
    let arms = [StudyArm(name: "stl", architecture: .singleTask, options: options)]
        + methods.map { StudyArm(name: $0.rawValue, architecture: .multiHead, balancing: $0, options: options) }
    return Study(arms: arms, seeds: seeds, maximumEpochs: epochs, patience: 5, baseline: "stl",
                 resultsURL: resultsURL) { seed in
        try SyntheticDataset.digits.make(sampleCount: samples, seed: seed)
    }.addingNoiseFloor()
}
let imageMethods: [BalancingMethod] = [.equal, .mgdaUpperBound, .mgda, .pcGrad, .nashMTL]
let committed = URL(fileURLWithPath: "Tutorials/results/11-multi-objective/runs.csv")
let imageSlice = try imageStudy([.equal], seeds: [0], samples: quick ? 300 : 3000, epochs: quick ? 2 : 30,
                                resultsURL: nil).run()
if !quick {
    try imageSlice.checkReproduces(runsAt: committed)
    print("slice re-run: identical to the committed runs of this seed\n")
}
var imageResult = try imageStudy(imageMethods, seeds: Array(0..<5), samples: 3000, epochs: 30,
                                 resultsURL: committed).recordedResult()
print(imageResult.markdownTable() + "\n")
imageResult.baseline = "ew"
for method in imageMethods.dropFirst() {
    if let comparison = imageResult.comparison(of: method.rawValue) {
        print("\(method.rawValue) against EW: Δm% \(comparison.formatted()) — \(comparison.verdict)")
    }
}

// %% [markdown]
// ## The geometry of one step
// The two gradients at θ = (0.5, 0.9), between the two tasks' optima (1, 0) and (0, 1), where they
// conflict: their convex combinations, the min-norm point d* that MGDA steps along, and PCGrad's
// projections. Written to `Tutorials/figures/11-gradient-geometry.svg`.

// %%
let startGradients = gradients([0.5, 0.9])
let geometry = GradientGeometry(title: "Two task gradients at θ = (0.5, 0.9)",
                                first: (Double(startGradients[0][0]), Double(startGradients[0][1])),
                                second: (Double(startGradients[1][0]), Double(startGradients[1][1])))
let geometryURL = (quick ? FileManager.default.temporaryDirectory : URL(fileURLWithPath: "Tutorials/figures"))
    .appendingPathComponent("11-gradient-geometry.svg")
try geometry.write(to: geometryURL)
print(String(format: "min-norm weight α = %.3f; figure: %@", geometry.minimumNormWeight, geometryURL.path))
