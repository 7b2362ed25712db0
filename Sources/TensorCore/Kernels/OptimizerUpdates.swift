// Fused optimizer updates: one pass over a parameter, its gradient and its state, instead of
// the half-dozen temporaries that the same update written with tensor operations allocates.
//
// Legend: n scalars; θ parameter, g gradient, m first moment, v second moment (all length n).

/// The scalars of one Adam/AdamW step (Kingma & Ba, 2015; Loshchilov & Hutter, 2019):
///   g ← g + λθ                      (Adam's L2 weight decay, when not decoupled)
///   θ ← θ − ηλθ                     (AdamW's decoupled weight decay)
///   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
///   θ ← θ − η · (m / c₁) / (√(v / c₂) + ε),   c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ
/// evaluated as PyTorch does, `θ ← θ − (η/c₁) · m / (√v / √c₂ + ε)`: one square root, one multiply
/// and one division per element instead of three divisions.
public struct AdamStep: Sendable {
    /// η, the learning rate of this step (after any schedule).
    public var learningRate: Float
    /// β₁, the decay of the first-moment average m (0.9 in Kingma & Ba).
    public var beta1: Float
    /// β₂, the decay of the second-moment average v (0.999 in Kingma & Ba).
    public var beta2: Float
    /// ε, added to √v / √c₂ so the division stays finite where v ≈ 0.
    public var epsilon: Float
    /// λ, the weight-decay coefficient (0 disables it).
    public var weightDecay: Float
    /// `true` for AdamW's decoupled decay θ ← θ − ηλθ; `false` for Adam's L2 term g ← g + λθ.
    public var decoupledWeightDecay: Bool
    /// The step number t ≥ 1 (for the bias corrections c₁, c₂).
    public var step: Int

    /// η/c₁ and 1/√c₂ (computed in Double, then rounded once).
    var biasCorrections: (stepSize: Float, inverseRootC2: Float) {
        let c1 = 1 - Double(beta1).powered(step), c2 = 1 - Double(beta2).powered(step)
        return (Float(Double(learningRate) / c1), Float(1 / c2.squareRoot()))
    }

    /// The scalars of step `step` (t ≥ 1); see the type's formula for how each one enters the update.
    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
                decoupledWeightDecay: Bool, step: Int) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay; self.step = step
    }
}

/// One Adam step, one scalar at a time (the oracle of `adamUpdate`).
public func adamUpdateNaive(parameter θ: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                            firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
                            count n: Int, _ s: AdamStep) {
    let (stepSize, inverseRootC2) = s.biasCorrections
    for i in 0..<n {
        var g = gradient[i]
        if s.decoupledWeightDecay {
            θ[i] -= s.learningRate * s.weightDecay * θ[i]
        } else {
            g += s.weightDecay * θ[i]
        }
        m[i] = s.beta1 * m[i] + (1 - s.beta1) * g
        v[i] = s.beta2 * v[i] + (1 - s.beta2) * g * g
        θ[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseRootC2 + s.epsilon)
    }
}

/// One Adam step on `SIMD8<Float>` lanes; the same operations in the same order as
/// `adamUpdateNaive`, so the two agree to the last bit.
public func adamUpdate(parameter θ: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                       firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
                       count n: Int, _ s: AdamStep) {
    typealias V = SIMD8<Float>
    let (stepSize, inverseRootC2) = s.biasCorrections
    let (β1, β2, lr, wd, eps) = (V(repeating: s.beta1), V(repeating: s.beta2), V(repeating: s.learningRate),
                                 V(repeating: s.weightDecay), V(repeating: s.epsilon))
    let (oneMinusβ1, oneMinusβ2) = (V(repeating: 1 - s.beta1), V(repeating: 1 - s.beta2))
    let (vStepSize, vInverseRootC2) = (V(repeating: stepSize), V(repeating: inverseRootC2))
    let rθ = UnsafeMutableRawPointer(θ), rg = UnsafeRawPointer(gradient), rm = UnsafeMutableRawPointer(m),
        rv = UnsafeMutableRawPointer(v)
    var i = 0
    while i + 8 <= n {
        let offset = i * 4
        var p = rθ.loadUnaligned(fromByteOffset: offset, as: V.self)
        var g = rg.loadUnaligned(fromByteOffset: offset, as: V.self)
        if s.decoupledWeightDecay { p -= lr * wd * p } else { g += wd * p }
        let mNew = β1 * rm.loadUnaligned(fromByteOffset: offset, as: V.self) + oneMinusβ1 * g
        let vNew = β2 * rv.loadUnaligned(fromByteOffset: offset, as: V.self) + oneMinusβ2 * g * g
        p -= vStepSize * mNew / (vNew.squareRoot() * vInverseRootC2 + eps)
        rm.storeBytes(of: mNew, toByteOffset: offset, as: V.self)
        rv.storeBytes(of: vNew, toByteOffset: offset, as: V.self)
        rθ.storeBytes(of: p, toByteOffset: offset, as: V.self)
        i += 8
    }
    if i < n {
        adamUpdateNaive(parameter: θ + i, gradient: gradient + i, firstMoment: m + i, secondMoment: v + i,
                        count: n - i, s)
    }
}

extension Double {
    /// `self` raised to a non-negative integer power (exact repeated squaring for the bias corrections).
    func powered(_ exponent: Int) -> Double {
        var result = 1.0, base = self, e = exponent
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
