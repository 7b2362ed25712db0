import TensorCore
import NeuralNetworks

/// The balancing methods by name, as `mtl train --balancer NAME` and the experiments use them,
/// with the settings of their reference implementations.
public enum BalancingMethod: String, CaseIterable, Sendable {
    case equal = "ew"
    case uncertainty
    case dynamicWeightAverage = "dwa"
    case randomLossWeighting = "rlw"
    case geometricLossStrategy = "gls"
    case gradNorm = "gradnorm"
    case unitaryScalarization = "unitary"
    case mgdaUpperBound = "mgda-ub"
    case mgda
    case pcGrad = "pcgrad"
    case nashMTL = "nash-mtl"
    case adaTask = "adatask"
    /// A control for AdaTask, not a method of its own: equal weighting with Adam at T·η on the
    /// shared parameters θ_sh (η on the rest). AdaTask takes T Adam steps on θ_sh per batch, each of
    /// about η; this control gives plain Adam the same step size, so a comparison can tell
    /// AdaTask's per-task accumulators from its larger steps (chapter 12).
    case equalWithScaledSharedRate = "ew-shared-lr"

    /// Whether the method needs the gradient of every task separately (T backward passes).
    public var needsTaskGradients: Bool {
        switch self {
        case .mgda, .pcGrad, .nashMTL, .adaTask: return true
        default: return false
        }
    }

    /// The balancer and the optimizer (Adam at `learningRate`; AdaTask is both) for `model`.
    /// GradNorm uses α = 1.5 (the paper's NYUv2 setting); unitary scalarization weight decay 1e-4.
    public func make(for model: MultiTaskNetwork, learningRate: Float, seed: UInt64)
        -> (balancer: LossBalancer, optimizer: Optimizer) {
        let adam = { Adam(parameters: model.parameters(), learningRate: learningRate) }
        let taskCount = model.taskCount
        switch self {
        case .equal: return (EqualWeighting(), adam())
        case .uncertainty: return (UncertaintyWeighting(taskCount: taskCount, learningRate: learningRate), adam())
        case .dynamicWeightAverage: return (DynamicWeightAverage(taskCount: taskCount), adam())
        case .randomLossWeighting: return (RandomLossWeighting(seed: seed), adam())
        case .geometricLossStrategy: return (GeometricLossStrategy(), adam())
        case .gradNorm: return (GradNorm(taskCount: taskCount), adam())
        case .unitaryScalarization: return (UnitaryScalarization(weightDecay: 1e-4), adam())
        case .mgdaUpperBound: return (MGDA(gradientsWith: .representation), adam())
        case .mgda: return (MGDA(gradientsWith: .parameters), adam())
        case .pcGrad: return (PCGrad(seed: seed), adam())
        case .nashMTL: return (NashMTL(), adam())
        case .adaTask:
            let adaTask = AdaTask(model: model, learningRate: learningRate)
            return (adaTask, adaTask)
        case .equalWithScaledSharedRate:
            let shared = Set(model.sharedParameters().map(ObjectIdentifier.init))
            let rest = model.parameters().filter { !shared.contains(ObjectIdentifier($0)) }
            return (EqualWeighting(), Adam(groups: [
                ParameterGroup(parameters: model.sharedParameters(), learningRate: learningRate * Float(taskCount)),
                ParameterGroup(parameters: rest, learningRate: learningRate),
            ]))
        }
    }
}
