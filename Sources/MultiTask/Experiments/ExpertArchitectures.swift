import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

// How `makeNetwork` builds the expert architectures (MMoE, CGC, PLE) over the standard backbone.
//
// Every expert is a full copy of the standard backbone trunk at `options.width` — the trunk every
// other architecture gets — so that an MMoE with one expert is the multi-head network, and a study
// matches parameter budgets by choosing the width (`mtl study --arms multi-head@W1,mmoe@W2+experts=N`).
// The gates draw from their own random source (seed + 5000): the experts and heads then start from
// the weights that the multi-head network of the same seed starts from (its trunk is expert 0).

/// The expert counts and levels of a network `makeNetwork` would build, checked: nil when they fit,
/// else what is wrong, in words (the CLI's exit-2 message). PLE needs at most one level per backbone
/// block (`makeBackbone`) and, with more than one level, a shared expert (the shared gates feed them).
public func expertOptionsProblem(_ architecture: Architecture, inputShape: [Int], denseOutput: Bool,
                                 options: ArchitectureOptions) -> String? {
    switch architecture {
    case .mixtureOfExperts:
        return options.expertCount >= 1 ? nil : "MMoE needs at least one expert, got \(options.expertCount)"
    case .customizedGateControl, .progressiveLayeredExtraction:
        guard options.sharedExpertCount >= 0, options.taskExpertCount >= 0,
              options.sharedExpertCount + options.taskExpertCount >= 1 else {
            return "each task's gate needs at least one expert: \(options.sharedExpertCount) shared and "
                + "\(options.taskExpertCount) task-specific experts"
        }
        guard architecture == .progressiveLayeredExtraction else { return nil }
        let blocks = backboneBlockCount(inputShape: inputShape, denseOutput: denseOutput, options: options)
        guard (1...blocks).contains(options.levelCount) else {
            return "PLE stacks one level per group of backbone blocks, and the \(options.backbone.rawValue) backbone "
                + "on inputs \(inputShape) has \(blocks) blocks: levels must be in 1...\(blocks), got "
                + "\(options.levelCount)"
        }
        guard options.levelCount == 1 || options.sharedExpertCount >= 1 else {
            return "PLE with \(options.levelCount) levels needs at least one shared expert per level (each "
                + "level's shared gate feeds the next level's shared experts)"
        }
        return nil
    default:
        return nil
    }
}

/// The number of blocks of the standard backbone for these inputs (`makeBackbone`), what PLE splits
/// into levels.
public func backboneBlockCount(inputShape: [Int], denseOutput: Bool, options: ArchitectureOptions) -> Int {
    var probe = options
    probe.width = 1
    return makeBackbone(inputShape: inputShape, denseOutput: denseOutput, options: probe,
                        random: RandomSource(seed: 0)).blocks.count
}

/// The three expert architectures, as `makeNetwork` builds them: `backbone()` returns a fresh copy of
/// the standard trunk (as blocks) and its feature count, `heads(features)` one head per task.
func makeExpertNetwork(_ architecture: Architecture, taskCount: Int, inputShape: [Int], denseOutput: Bool,
                       options: ArchitectureOptions, backbone: () -> (blocks: [Module], featureCount: Int),
                       heads: (Int) -> [Module]) -> MultiTaskNetwork {
    let problem = expertOptionsProblem(architecture, inputShape: inputShape, denseOutput: denseOutput, options: options)
    checkPrecondition(problem == nil, "makeNetwork(\(architecture.rawValue)): \(problem ?? "")")
    let gateRandom = RandomSource(seed: options.seed &+ 5000)
    let inputCount = inputShape.reduce(1, *)
    switch architecture {
    case .mixtureOfExperts:
        let experts = (0..<options.expertCount).map { _ in backbone() }
        let gates = (0..<taskCount).map { _ in
            ExpertGate(inputCount: inputCount, expertCount: options.expertCount, random: gateRandom)
        }
        return MixtureOfExpertsNetwork(experts: experts.map { Sequential($0.blocks) }, gates: gates,
                                       heads: heads(experts[0].featureCount))
    case .customizedGateControl:
        let shared = (0..<options.sharedExpertCount).map { _ in backbone() }
        let own = (0..<taskCount).map { _ in (0..<options.taskExpertCount).map { _ in backbone() } }
        let features = (shared.first ?? own[0][0]).featureCount
        let gates = (0..<taskCount).map { _ in
            ExpertGate(inputCount: inputCount, expertCount: options.sharedExpertCount + options.taskExpertCount,
                       random: gateRandom)
        }
        return CustomizedGateControlNetwork(sharedExperts: shared.map { Sequential($0.blocks) },
                                            taskExperts: own.map { $0.map { Sequential($0.blocks) } }, gates: gates,
                                            heads: heads(features))
    default:
        return makeProgressiveLayeredExtraction(taskCount: taskCount, inputShape: inputShape, options: options,
                                                gateRandom: gateRandom, backbone: backbone, heads: heads)
    }
}

/// PLE: every expert "column" is a copy of the backbone whose blocks are split into `levelCount`
/// contiguous groups (level k gets blocks ⌊kB/L⌋ ..< ⌊(k+1)B/L⌋ of B), as LibMTL's PLE splits a ResNet
/// into its stages. A gate reads its level's input flattened: the input itself at level 0, a level's
/// expert output above it (its size measured by running a zero batch through one column).
func makeProgressiveLayeredExtraction(taskCount: Int, inputShape: [Int], options: ArchitectureOptions,
                                      gateRandom: RandomSource, backbone: () -> (blocks: [Module], featureCount: Int),
                                      heads: (Int) -> [Module]) -> MultiTaskNetwork {
    let (shared, specific, levelCount) = (options.sharedExpertCount, options.taskExpertCount, options.levelCount)
    /// One column's blocks grouped by level.
    func column() -> (levels: [Module], featureCount: Int) {
        let (blocks, features) = backbone()
        let levels: [Module] = (0..<levelCount).map { level in
            Sequential(Array(blocks[(level * blocks.count / levelCount)..<((level + 1) * blocks.count / levelCount)]))
        }
        return (levels, features)
    }
    let sharedColumns = (0..<shared).map { _ in column() }
    let taskColumns = (0..<taskCount).map { _ in (0..<specific).map { _ in column() } }
    let probeColumn = sharedColumns.first ?? taskColumns[0][0]
    // The flattened input size of each level's gates.
    var gateInputCounts = [inputShape.reduce(1, *)]
    withoutGradients {
        var activation = Variable(Tensor.zeros([2] + inputShape))
        for level in probeColumn.levels.dropLast() {
            level.eval()
            activation = level(activation)
            level.train()
            gateInputCounts.append(activation.value.count / 2)
        }
    }
    let levels = (0..<levelCount).map { level in
        let isLast = level == levelCount - 1
        return ExtractionLevel(
            sharedExperts: sharedColumns.map { $0.levels[level] },
            taskExperts: taskColumns.map { $0.map { $0.levels[level] } },
            taskGates: (0..<taskCount).map { _ in
                ExpertGate(inputCount: gateInputCounts[level], expertCount: shared + specific, random: gateRandom)
            },
            sharedGate: isLast ? nil : ExpertGate(inputCount: gateInputCounts[level],
                                                  expertCount: shared + taskCount * specific, random: gateRandom))
    }
    return ProgressiveLayeredExtractionNetwork(levels: levels, heads: heads(probeColumn.featureCount))
}

extension Architecture {
    /// Whether the network mixes experts through softmax gates (MMoE, CGC, PLE): it is an
    /// `ExpertGatedNetwork`, whose expert utilization `ExpertUtilizationRecorder` can record.
    public var hasExpertGates: Bool {
        [.mixtureOfExperts, .customizedGateControl, .progressiveLayeredExtraction].contains(self)
    }
}
