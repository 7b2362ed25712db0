import Testing
import TensorCore
import Autodiff

/// Chapter 04 — every differentiable operation against finite differences.
///
/// The table below lists the operations by name, so a missing one is visible at a glance.
@Suite("gradcheck of every differentiable operation")
struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var inputs: @Sendable (inout SeededGenerator) -> [Tensor]
        var function: @Sendable ([Variable]) -> Variable
        var testDescription: String { name }
    }

    /// Uniform in [−1, 1).
    static func u(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
        Tensor.uniform(shape, low: -1, high: 1, using: &g)
    }
    /// Uniform in [0.5, 2): positive, away from 0 (log, sqrt, division).
    static func positive(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
        Tensor.uniform(shape, low: 0.5, high: 2, using: &g)
    }
    /// Distinct values at least 0.1 apart in random order (max, min, pooling: no ties within ε),
    /// with magnitudes ≥ 0.05 (ReLU, abs: no kink within ε).
    static func distinct(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: g.permutation(count).map { (Float($0) - Float(count / 2)) * 0.1 + 0.05 })
    }

    static let cases: [Case] = [
        // Arithmetic, with broadcasting and size-1 dimensions.
        Case(name: "add [3,1,4]+[2,4]", inputs: { [u([3, 1, 4], &$0), u([2, 4], &$0)] }, function: { $0[0] + $0[1] }),
        Case(name: "add [2,3]+[1,1]", inputs: { [u([2, 3], &$0), u([1, 1], &$0)] }, function: { $0[0] + $0[1] }),
        Case(name: "subtract [4,1]-[1,5]", inputs: { [u([4, 1], &$0), u([1, 5], &$0)] }, function: { $0[0] - $0[1] }),
        Case(name: "multiply [2,3,4]*[3,1]", inputs: { [u([2, 3, 4], &$0), u([3, 1], &$0)] },
             function: { $0[0] * $0[1] }),
        Case(name: "divide [3,4]/[4]", inputs: { [u([3, 4], &$0), positive([4], &$0)] }, function: { $0[0] / $0[1] }),
        Case(name: "negate", inputs: { [u([5], &$0)] }, function: { -$0[0] }),
        Case(name: "scalar add, multiply, divide", inputs: { [positive([2, 3], &$0)] },
             function: { (($0[0] + 2) * 3 - 1) / 2 + 3 / $0[0] }),
        Case(name: "maximum (broadcast)", inputs: { [distinct([3, 4], &$0), u([4], &$0) * 0.01] },
             function: { Variable.maximum($0[0], $0[1]) }),
        Case(name: "minimum", inputs: { [distinct([3, 4], &$0), distinct([3, 4], &$0) + 0.05] },
             function: { Variable.minimum($0[0], $0[1]) }),
        Case(name: "where (broadcast)", inputs: { [u([3, 4], &$0), u([4], &$0)] },
             function: { Variable.where(Tensor([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 0]]), $0[0], $0[1]) }),
        // Unary math.
        Case(name: "exp", inputs: { [u([3, 4], &$0)] }, function: { $0[0].exp() }),
        Case(name: "log", inputs: { [positive([3, 4], &$0)] }, function: { $0[0].log() }),
        Case(name: "squareRoot", inputs: { [positive([3, 4], &$0)] }, function: { $0[0].squareRoot() }),
        Case(name: "squared", inputs: { [u([3, 4], &$0)] }, function: { $0[0].squared() }),
        Case(name: "pow 2.5", inputs: { [positive([3, 4], &$0)] }, function: { $0[0].pow(2.5) }),
        Case(name: "abs", inputs: { [distinct([3, 4], &$0)] }, function: { $0[0].abs() }),
        Case(name: "tanh", inputs: { [u([3, 4], &$0)] }, function: { $0[0].tanh() }),
        Case(name: "sigmoid", inputs: { [u([3, 4], &$0) * 3] }, function: { $0[0].sigmoid() }),
        Case(name: "relu", inputs: { [distinct([3, 4], &$0)] }, function: { $0[0].relu() }),
        Case(name: "leakyRelu", inputs: { [distinct([3, 4], &$0)] }, function: { $0[0].leakyRelu(slope: 0.1) }),
        Case(name: "sin", inputs: { [u([3, 4], &$0)] }, function: { $0[0].sin() }),
        Case(name: "cos", inputs: { [u([3, 4], &$0)] }, function: { $0[0].cos() }),
        Case(name: "clamped", inputs: { [distinct([3, 4], &$0)] }, function: { $0[0].clamped(to: -0.32...0.33) }),
        // Reductions.
        Case(name: "sum", inputs: { [u([3, 4], &$0)] }, function: { $0[0].sum() }),
        Case(name: "sum axes [0,2]", inputs: { [u([2, 3, 4], &$0)] }, function: { $0[0].sum(alongAxes: [0, 2]) }),
        Case(name: "sum axis -1 keeping", inputs: { [u([2, 3, 4], &$0)] },
             function: { $0[0].sum(alongAxis: -1, keepingDimensions: true) }),
        Case(name: "mean", inputs: { [u([3, 4], &$0)] }, function: { $0[0].mean() }),
        Case(name: "mean axis 1", inputs: { [u([2, 3, 4], &$0)] }, function: { $0[0].mean(alongAxis: 1) }),
        Case(name: "variance axes [0,1]", inputs: { [u([3, 4, 2], &$0)] },
             function: { $0[0].variance(alongAxes: [0, 1]) }),
        Case(name: "max axis 1", inputs: { [distinct([3, 4, 2], &$0)] }, function: { $0[0].max(alongAxis: 1) }),
        Case(name: "min axis 0 keeping", inputs: { [distinct([3, 4], &$0)] },
             function: { $0[0].min(alongAxis: 0, keepingDimensions: true) }),
        Case(name: "max of all", inputs: { [distinct([3, 4], &$0)] }, function: { $0[0].max() }),
        // Shape operations.
        Case(name: "reshape", inputs: { [u([3, 4], &$0)] },
             function: { $0[0].reshaped(to: [2, -1]) * Tensor.arange(to: 6) }),
        Case(name: "flatten", inputs: { [u([3, 4], &$0)] }, function: { $0[0].flattened() }),
        Case(name: "expandingShape / squeezingShape", inputs: { [u([3, 1, 4], &$0)] },
             function: { $0[0].squeezingShape().expandingShape(at: 0) }),
        Case(name: "permute", inputs: { [u([2, 3, 4], &$0)] }, function: { $0[0].permuted([2, 0, 1]) }),
        Case(name: "transpose", inputs: { [u([3, 4], &$0)] }, function: { $0[0].transposed() }),
        Case(name: "broadcast(to:)", inputs: { [u([3, 1], &$0)] }, function: { $0[0].broadcast(to: [2, 3, 4]) }),
        Case(name: "slice axis 1", inputs: { [u([3, 5], &$0)] }, function: { $0[0].sliced(1..<4, alongAxis: 1) }),
        Case(name: "selecting", inputs: { [u([3, 5], &$0)] }, function: { $0[0].selecting(2, alongAxis: 0) }),
        Case(name: "gathering with repeats", inputs: { [u([4, 3], &$0)] }, function: { $0[0].gathering([3, 0, 3, 1]) }),
        Case(name: "scattering channels", inputs: { [u([2, 3, 2, 2], &$0)] },
             function: { $0[0].scattering([4, 0, 2], into: 5, alongAxis: 1) }),
        Case(name: "padded", inputs: { [u([2, 3], &$0)] },
             function: { $0[0].padded(with: [(1, 0), (2, 1)], value: 0.5) }),
        Case(name: "concatenating axis 1", inputs: { [u([2, 3], &$0), u([2, 1], &$0)] },
             function: { Variable.concatenating([$0[0], $0[1]], alongAxis: 1) }),
        Case(name: "stacking", inputs: { [u([2, 3], &$0), u([2, 3], &$0)] },
             function: { Variable.stacking([$0[0], $0[1]], alongAxis: 1) }),
        Case(name: "split", inputs: { [u([5, 2], &$0)] },
             function: { let p = $0[0].split(sizes: [2, 3]); return p[0].sum() * p[1].mean() }),
        // Matrix products.
        Case(name: "matmul", inputs: { [u([3, 4], &$0), u([4, 5], &$0)] }, function: { $0[0] • $0[1] }),
        Case(name: "matmul Aᵀ", inputs: { [u([4, 3], &$0), u([4, 5], &$0)] },
             function: { Variable.matmul($0[0], $0[1], transposingLHS: true) }),
        Case(name: "matmul Bᵀ", inputs: { [u([3, 4], &$0), u([5, 4], &$0)] },
             function: { Variable.matmul($0[0], $0[1], transposingRHS: true) }),
        Case(name: "matmul Aᵀ Bᵀ", inputs: { [u([4, 3], &$0), u([5, 4], &$0)] },
             function: { Variable.matmul($0[0], $0[1], transposingLHS: true, transposingRHS: true) }),
        Case(name: "batched matmul", inputs: { [u([2, 3, 4], &$0), u([2, 4, 2], &$0)] }, function: { $0[0] • $0[1] }),
        Case(name: "batched matmul, shared rhs", inputs: { [u([2, 3, 4], &$0), u([4, 2], &$0)] },
             function: { $0[0] • $0[1] }),
        Case(name: "batched matmul, shared lhs ᵀ", inputs: { [u([4, 3], &$0), u([2, 4, 2], &$0)] },
             function: { Variable.matmul($0[0], $0[1], transposingLHS: true) }),
        Case(name: "affine", inputs: { [u([5, 3], &$0), u([3, 4], &$0), u([4], &$0)] },
             function: { Variable.affine($0[0], weight: $0[1], bias: $0[2]) }),
        // Softmax family.
        Case(name: "softmax", inputs: { [u([3, 4], &$0) * 3] }, function: { $0[0].softmax() }),
        Case(name: "softmax axis 0", inputs: { [u([3, 4], &$0)] }, function: { $0[0].softmax(alongAxis: 0) }),
        Case(name: "logSoftmax", inputs: { [u([3, 4], &$0) * 3] }, function: { $0[0].logSoftmax() }),
        Case(name: "logSumExp", inputs: { [u([3, 4], &$0)] }, function: { $0[0].logSumExp(alongAxis: 1) }),
        // Convolution and pooling.
        Case(name: "conv2d with bias, padding 1", inputs: { [u([2, 2, 5, 5], &$0), u([3, 2, 3, 3], &$0), u([3], &$0)] },
             function: { Variable.conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1) }),
        Case(name: "conv2d stride 2, dilation 2, no bias", inputs: { [u([1, 2, 7, 6], &$0), u([2, 2, 2, 2], &$0)] },
             function: { Variable.conv2d($0[0], weight: $0[1], stride: 2, dilation: 2) }),
        Case(name: "maxPool2d", inputs: { [distinct([1, 2, 4, 6], &$0)] },
             function: { $0[0].maxPool2d(kernelSize: 2) }),
        Case(name: "maxPool2d stride 1, padding 1", inputs: { [distinct([1, 1, 4, 5], &$0)] },
             function: { $0[0].maxPool2d(kernelSize: 3, stride: 1, padding: 1) }),
        Case(name: "avgPool2d", inputs: { [u([2, 2, 4, 4], &$0)] }, function: { $0[0].avgPool2d(kernelSize: 2) }),
        // A composition: a tiny two-layer network and a cross-entropy.
        Case(name: "MLP + cross-entropy", inputs: { [u([4, 3], &$0), u([3, 5], &$0), u([5], &$0)] }, function: {
            let logits = ($0[0] • $0[1] + $0[2]).tanh()
            return -(logits.logSoftmax() * Tensor.oneHot([0, 4, 2, 1], classCount: 5)).sum(alongAxis: 1).mean()
        }),
    ]

    @Test("analytic gradients agree with central differences", arguments: cases)
    func gradientsAgree(_ testCase: Case) {
        var generator = SeededGenerator(seed: 100)
        let result = gradcheck(testCase.name, inputs: testCase.inputs(&generator), testCase.function)
        #expect(result.passed, "\(result)")
    }

    @Test("elementwise ops pass on random broadcast shapes with size-1 dimensions")
    func randomBroadcastShapes() {
        var generator = SeededGenerator(seed: 101)
        for trial in 0..<12 {
            let rank = generator.nextInt(below: 3) + 1
            let full = (0..<rank).map { _ in generator.nextInt(below: 3) + 1 }
            let lhs = full.map { generator.nextInt(below: 2) == 0 ? 1 : $0 }
            let rhs = Array(full.dropFirst(generator.nextInt(below: rank)))
            let a = Tensor.uniform(lhs, low: -1, high: 1, using: &generator),
                b = Tensor.uniform(rhs, low: 0.5, high: 2, using: &generator)
            for (name, function) in [("add", { (v: [Variable]) in v[0] + v[1] }), ("multiply", { $0[0] * $0[1] }),
                                     ("divide", { $0[0] / $0[1] }), ("subtract", { $0[1] - $0[0] })] {
                let result = gradcheck("\(name) \(lhs) with \(rhs) (trial \(trial))", inputs: [a, b], function)
                #expect(result.passed, "\(result)")
            }
        }
    }

    @Test("gradcheck catches a wrong derivative and names the worst element")
    func catchesWrongRule() {
        // d/dx x³ is 3x², not 2x²: the check must fail and say where.
        let wrongCube: ([Variable]) -> Variable = { inputs in
            let x = inputs[0].value
            // Summed to a scalar, so the error |3x² − 2x²| = x² is largest at x = 2.
            return Variable(x * x * x, operation: "wrongCube",
                            parents: [inputs[0]]) { upstream, _ in [upstream * x * x * 2] }.sum()
        }
        let result = gradcheck("wrongCube", inputs: [Tensor([0.5, -1.5, 2])], wrongCube)
        #expect(!result.passed)
        #expect(result.worstElement?.index == [2], "the largest error is at x = 2: \(result)")
        #expect(result.description.contains("FAILED") && result.description.contains("wrongCube"))
    }

    @Test("gradcheck with parameters catches a wrong parameter gradient that an input-only check misses")
    func catchesWrongParameterRule() {
        // y = x ⊙ w (w broadcast over rows) with ∂L/∂w written as 2·Σ_rows upstream ⊙ x — twice the
        // truth — while ∂L/∂x = upstream ⊙ w is right.
        let weight = Variable(Tensor([0.5, -1.5, 2]), requiresGradient: true)
        let wrongScale: ([Variable]) -> Variable = { inputs in
            let x = inputs[0].value, w = weight.value
            return Variable(x * w, operation: "wrongScale", parents: [inputs[0], weight]) { upstream, _ in
                [upstream * w, (upstream * x).sum(alongAxes: [0]) * 2]
            }
        }
        let input = Tensor.normal([4, 3], seed: 3)
        let inputsOnly = gradcheck("wrongScale", inputs: [input], wrongScale)
        #expect(inputsOnly.passed, "the input's gradient is right: \(inputsOnly)")
        let both = gradcheck("wrongScale", inputs: [input], parameters: [weight], parameterNames: ["w"], wrongScale)
        #expect(!both.passed)
        #expect(both.worstElement?.input == 1, "the worst element is the parameter's: \(both)")
        #expect(both.description.contains("parameter w at"), "\(both)")
        #expect(weight.value == Tensor([0.5, -1.5, 2]), "the parameter is restored after the check")
    }
}
