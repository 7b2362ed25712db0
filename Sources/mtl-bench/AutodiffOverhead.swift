import MultiTaskKit

// The cost of the autodiff graph on the `mtl_mlp_step` network of WORKLOADS.md (without the
// optimizer step): forward, loss and the gradients of all 14 parameter tensors, computed
//   - "multitaskkit-tensor":   by hand-derived backward formulas on plain tensors (the raw kernels);
//   - "multitaskkit-autodiff": by building the Variable graph and calling gradients(of:wrt:).
// Workload name: `mtl_mlp_fwd_bwd` (project-specific; no peer line).
//
// Network: trunk Linear(100,128)-ReLU-Linear(128,128)-ReLU, two towers Linear(128,32)-ReLU-Linear(32,1),
// batch 256, loss = Σ_towers mean((ŷ − y)²).

struct MLPParameters {
    var trunk: [(weight: Tensor, bias: Tensor)]
    var towers: [[(weight: Tensor, bias: Tensor)]]

    init(generator: inout SeededGenerator) {
        func layer(_ inputs: Int, _ outputs: Int) -> (weight: Tensor, bias: Tensor) {
            let bound = 1 / Float(inputs).squareRoot()
            return (Tensor.uniform([inputs, outputs], low: -bound, high: bound, using: &generator),
                    Tensor.uniform([outputs], low: -bound, high: bound, using: &generator))
        }
        trunk = [layer(100, 128), layer(128, 128)]
        towers = (0..<2).map { _ in [layer(128, 32), layer(32, 1)] }
    }
}

/// Forward and hand-written backward with tensor operations — the same fused kernels the layers use
/// (`Tensor.affine`, `Tensor.reluGradient`) — returning the 14 gradients.
func mlpGradientsByHand(_ p: MLPParameters, input: Tensor, targets: [Tensor]) -> [Tensor] {
    let batch = Float(input.shape[0])
    let h1 = Tensor.affine(input, weight: p.trunk[0].weight, bias: p.trunk[0].bias), a1 = h1.relu()
    let h2 = Tensor.affine(a1, weight: p.trunk[1].weight, bias: p.trunk[1].bias), a2 = h2.relu()
    var dA2 = Tensor.zeros(a2.shape)
    var towerGradients: [Tensor] = []
    for (tower, target) in zip(p.towers, targets) {
        let g = Tensor.affine(a2, weight: tower[0].weight, bias: tower[0].bias), ga = g.relu()
        let prediction = Tensor.affine(ga, weight: tower[1].weight, bias: tower[1].bias)
        let dPrediction = (prediction - target) * (2 / batch)                     // ∂ mean((ŷ−y)²) / ∂ŷ
        let dGa = Tensor.matmul(dPrediction, tower[1].weight, transposingRHS: true)
        let dG = Tensor.reluGradient(upstream: dGa, input: g)
        towerGradients += [Tensor.matmul(a2, dG, transposingLHS: true), dG.sum(alongAxis: 0),
                           Tensor.matmul(ga, dPrediction, transposingLHS: true), dPrediction.sum(alongAxis: 0)]
        dA2.addScaled(Tensor.matmul(dG, tower[0].weight, transposingRHS: true))
    }
    let dH2 = Tensor.reluGradient(upstream: dA2, input: h2)
    let dA1 = Tensor.matmul(dH2, p.trunk[1].weight, transposingRHS: true)
    let dH1 = Tensor.reluGradient(upstream: dA1, input: h1)
    return [Tensor.matmul(input, dH1, transposingLHS: true), dH1.sum(alongAxis: 0),
            Tensor.matmul(a1, dH2, transposingLHS: true), dH2.sum(alongAxis: 0)] + towerGradients
}

/// The same with the autodiff graph.
func mlpGradientsByAutodiff(_ variables: [Variable], input: Tensor, targets: [Tensor]) -> [Tensor] {
    let x = Variable(input)
    let a1 = Variable.affine(x, weight: variables[0], bias: variables[1]).relu()
    let a2 = Variable.affine(a1, weight: variables[2], bias: variables[3]).relu()
    var loss: Variable?
    for t in 0..<2 {
        let v = Array(variables[(4 + 4 * t)..<(8 + 4 * t)])
        let prediction = Variable.affine(Variable.affine(a2, weight: v[0], bias: v[1]).relu(), weight: v[2], bias: v[3])
        let towerLoss = (prediction - targets[t]).squared().mean()
        loss = loss.map { $0 + towerLoss } ?? towerLoss
    }
    return gradients(of: loss!, wrt: variables)
}

func benchmarkAutodiffOverhead(threads: Int, repeats: Int) -> [Measurement] {
    var generator = SeededGenerator(seed: 0)
    let parameters = MLPParameters(generator: &generator)
    let input = Tensor.normal([256, 100], using: &generator)
    let targets = (0..<2).map { _ in Tensor.normal([256, 1], using: &generator) }
    let flat = parameters.trunk.flatMap { [$0.weight, $0.bias] }
        + parameters.towers.flatMap { $0.flatMap { [$0.weight, $0.bias] } }
    let variables = flat.map { Variable($0, requiresGradient: true) }
    // Both must compute the same gradients (the check also keeps the work from being optimized away).
    let byHand = mlpGradientsByHand(parameters, input: input, targets: targets)
    let byGraph = mlpGradientsByAutodiff(variables, input: input, targets: targets)
    let difference = zip(byHand, byGraph).map { ($0 - $1).abs().max().scalar }.max() ?? 0
    precondition(difference < 1e-4, "mtl_mlp_fwd_bwd: hand-written and autodiff gradients differ by \(difference)")
    // Alternate the two so that machine noise hits both alike; keep the medians.
    var handTimes: [Double] = [], graphTimes: [Double] = []
    for _ in 0..<5 {
        handTimes.append(timeMedian(warmUp: 5, repeats: repeats / 5) {
            _ = mlpGradientsByHand(parameters, input: input, targets: targets)
        })
        graphTimes.append(timeMedian(warmUp: 5, repeats: repeats / 5) {
            _ = mlpGradientsByAutodiff(variables, input: input, targets: targets)
        })
    }
    return [Measurement(workload: "mtl_mlp_fwd_bwd", implementation: "multitaskkit-tensor", threads: threads,
                        milliseconds: handTimes.sorted()[2], flops: nil),
            Measurement(workload: "mtl_mlp_fwd_bwd", implementation: "multitaskkit-autodiff", threads: threads,
                        milliseconds: graphTimes.sorted()[2], flops: nil)]
}
