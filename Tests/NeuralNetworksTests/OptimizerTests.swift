import Testing
import TestSupport
import TensorCore
import Autodiff
import NeuralNetworks

/// Chapter 05 — optimizers: three hand-computed steps each.
///
/// One scalar parameter θ₀ = 1, learning rate η = 0.1, gradients g = 0.5, −0.25, 1 set directly.
/// The expected values were computed from the formulas in the comments in double precision.
@Suite("Optimizers")
struct OptimizerTests {
    static func run(_ makeOptimizer: ([Parameter]) -> Optimizer) -> [Float] {
        let parameter = Parameter(Tensor([1]))
        let optimizer = makeOptimizer([parameter])
        return [0.5, -0.25, 1].map { g in
            parameter.grad = Tensor([Float(g)])
            optimizer.step()
            return parameter.value.scalar
        }
    }

    static func expectSteps(_ actual: [Float], _ expected: [Double], _ name: String) {
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(Double(a) - e) <= 2e-6 * max(1, abs(e)), "\(name) step \(step + 1): \(a), expected \(e)")
        }
    }

    @Test("SGD: θ ← θ − ηg")
    func sgd() { Self.expectSteps(Self.run { SGD(parameters: $0, learningRate: 0.1) }, [0.95, 0.975, 0.875], "SGD") }

    @Test("SGD with momentum 0.9: b ← 0.9b + g, θ ← θ − ηb")
    func momentum() {
        Self.expectSteps(Self.run { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9) }, [0.95, 0.93, 0.812],
                         "momentum")
    }

    @Test("Nesterov: θ ← θ − η(g + 0.9b)")
    func nesterov() {
        Self.expectSteps(Self.run { SGD(parameters: $0, learningRate: 0.1, momentum: 0.9, nesterov: true) },
                         [0.905, 0.912, 0.7058], "Nesterov")
    }

    @Test("SGD with weight decay 0.1: g ← g + 0.1θ")
    func weightDecay() {
        Self.expectSteps(Self.run { SGD(parameters: $0, learningRate: 0.1, weightDecay: 0.1) },
                         [0.94, 0.9556, 0.846044], "SGD weight decay")
    }

    @Test("Adam: m, v moving averages with bias correction; θ ← θ − η m̂/(√v̂ + ε)")
    func adam() {
        Self.expectSteps(Self.run { Adam(parameters: $0, learningRate: 0.1) },
                         [0.900000002, 0.8733662987, 0.8075551397], "Adam")
        Self.expectSteps(Self.run { Adam(parameters: $0, learningRate: 0.1, weightDecay: 0.1) },
                         [0.9000000017, 0.8544413675, 0.7815043999], "Adam L2")
    }

    @Test("AdamW: θ ← θ − ηλθ, then the Adam step without L2")
    func adamW() {
        Self.expectSteps(Self.run { AdamW(parameters: $0, learningRate: 0.1, weightDecay: 0.1) },
                         [0.890000002, 0.8544662987, 0.7801104767], "AdamW")
    }

    @Test("AdaGrad: s ← s + g², θ ← θ − ηg/(√s + ε)")
    func adaGrad() {
        Self.expectSteps(Self.run { AdaGrad(parameters: $0, learningRate: 0.1) }, [0.9, 0.9447213596, 0.8574342035],
                         "AdaGrad")
    }

    @Test("RMSProp: s ← 0.99s + 0.01g², θ ← θ − ηg/(√s + ε)")
    func rmsProp() {
        Self.expectSteps(Self.run { RMSProp(parameters: $0, learningRate: 0.1) }, [2.0e-7, 0.4490133744, -0.4257262161],
                         "RMSProp")
    }

    @Test("state is inspectable per parameter; groups carry their own learning rates; frozen groups are skipped")
    func groupsAndState() {
        let early = Parameter(Tensor([1])), late = Parameter(Tensor([1])), frozen = Parameter(Tensor([1]))
        let optimizer = Adam(groups: [ParameterGroup(parameters: [early], learningRate: 0.01),
                                      ParameterGroup(parameters: [late], learningRate: 0.1),
                                      ParameterGroup(parameters: [frozen], learningRate: 0.1, isFrozen: true)])
        for p in [early, late, frozen] { p.grad = Tensor([1]) }
        optimizer.step()
        isClose(early.value, Tensor([0.99]), rtol: 1e-6)
        isClose(late.value, Tensor([0.9]), rtol: 1e-6)
        #expect(frozen.value == Tensor([1]))
        #expect(optimizer.state(of: late)?.step == 1)
        isClose(optimizer.state(of: late)?.firstMoment ?? Tensor([0]), Tensor([0.1]))
        #expect(optimizer.state(of: frozen) == nil)
        // The checkpoint boundary: the same state as named tensors, read back with the same checks.
        let named = optimizer.checkpointState(of: late)
        #expect(named["step"] == Tensor(1) && named.count == 3)
        #expect(throws: CheckpointError.self) {
            try optimizer.restoreState(named.merging(["bogus": Tensor([1])]) { $1 }, of: late, name: "late")
        }
        #expect(throws: CheckpointError.self) {
            try optimizer.restoreState(named.filter { $0.key != "secondMoment" }, of: late, name: "late")
        }
        // A stored state exists only after a first update: step 0 (an infinite bias correction) is refused.
        #expect(throws: CheckpointError.self) {
            try optimizer.restoreState(named.merging(["step": Tensor(0)]) { $1 }, of: late, name: "late")
        }
    }

    @Test("the fused Adam kernel equals its naive twin bit for bit")
    func adamKernel() {
        var generator = SeededGenerator(seed: 12)
        for decoupled in [false, true] {
            let count = 37
            var θ1 = (0..<count).map { _ in generator.nextNormal() }, m1 = θ1.map { $0 * 0.1 },
                v1 = θ1.map { $0 * $0 * 0.01 }
            var θ2 = θ1, m2 = m1, v2 = v1
            let g = (0..<count).map { _ in generator.nextNormal() }
            let settings = AdamStep(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05,
                                    decoupledWeightDecay: decoupled, step: 7)
            adamUpdate(parameter: &θ1, gradient: g, firstMoment: &m1, secondMoment: &v1, count: count, settings)
            adamUpdateNaive(parameter: &θ2, gradient: g, firstMoment: &m2, secondMoment: &v2, count: count, settings)
            #expect(θ1 == θ2 && m1 == m2 && v1 == v2)
        }
    }

    @Test("schedules: step decay, cosine annealing, warm-up")
    func schedules() {
        #expect(StepDecay(stepSize: 10, gamma: 0.5).factor(at: 25) == 0.25)
        #expect(CosineAnnealing(totalSteps: 100).factor(at: 0) == 1)
        #expect(abs(CosineAnnealing(totalSteps: 100).factor(at: 50) - 0.5) < 1e-6)
        #expect(abs(CosineAnnealing(totalSteps: 100, minimumFactor: 0.1).factor(at: 100) - 0.1) < 1e-6)
        let warmup = LinearWarmup(warmupSteps: 4, then: StepDecay(stepSize: 2, gamma: 0.1))
        #expect([0, 1, 3, 4, 6].map { warmup.factor(at: $0) } == [0.25, 0.5, 1, 1, 0.1])
        let optimizer = SGD(parameters: [Parameter(Tensor([0]))], learningRate: 0.2)
        optimizer.apply(StepDecay(stepSize: 1, gamma: 0.5), at: 2)
        #expect(optimizer.groups[0].learningRate == 0.05)
    }

    @Test("gradient clipping scales the global norm down to the limit and reports the norm before")
    func clipping() {
        let a = Parameter(Tensor([0])), b = Parameter(Tensor([0, 0]))
        a.grad = Tensor([3]); b.grad = Tensor([0, 4])   // global norm 5
        #expect(clipGradientNorm([a, b], maxNorm: 1) == 5)
        isClose(a.grad!, Tensor([0.6]), rtol: 1e-5)
        isClose(b.grad!, Tensor([0, 0.8]), rtol: 1e-5)
        #expect(clipGradientNorm([a, b], maxNorm: 10) < 1.0001)
        isClose(a.grad!, Tensor([0.6]), rtol: 1e-5)
    }
}
