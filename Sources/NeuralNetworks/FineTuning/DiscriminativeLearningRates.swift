import Foundation
import TensorCore

/// ξ = 1/2.6, the factor between the learning rates of neighbouring blocks that ULMFiT uses for
/// discriminative fine-tuning (Howard & Ruder, *Universal Language Model Fine-tuning for Text
/// Classification*, ACL 2018, §3.2: "η^{l−1} = η^l / 2.6", found to work well on their tasks).
public let ulmfitLayerDecay: Float = 1 / 2.6

/// One optimizer parameter group per block with **discriminative learning rates**:
///
///     η_l = η · ξ^(L − l),   l = 1 … L
///
/// `blocks` are ordered from the input (l = 1) to the output (l = L): the top block — usually the
/// new head — trains at η, each block below at ξ times the rate of the block above. Lower layers
/// hold more general features that the new task should change less (Howard & Ruder 2018; Yosinski
/// et al. 2014). ξ = 1 gives every block η; the default `ulmfitLayerDecay` = 1/2.6 is ULMFiT's.
///
/// A parameter reachable from two blocks is kept in the first only; blocks without parameters
/// still count as a level (the rates of the others do not depend on how a block is built). The
/// groups' `initialLearningRate`s are these rates, so a learning-rate schedule applied by the
/// trainer (`Optimizer.apply(_:at:)`) scales every block alike.
///
/// - Parameters:
///   - blocks: the parameters of the model's parts from input to output, e.g. a trunk's stages and
///     then all heads together.
///   - learningRate: η, the rate of the top block.
///   - decay: ξ in (0, 1]; `ulmfitLayerDecay` by default.
///   - weightDecay: λ of every group.
public func discriminativeParameterGroups(blocks: [[Parameter]], learningRate: Float,
                                          decay: Float = ulmfitLayerDecay, weightDecay: Float = 0) -> [ParameterGroup] {
    checkPrecondition(decay > 0 && decay <= 1 && decay.isFinite,
                      "discriminativeParameterGroups: the decay ξ = \(decay) must lie in (0, 1]")
    var seen = Set<ObjectIdentifier>()
    let count = blocks.count
    return blocks.enumerated().map { index, block in
        let parameters = block.filter { seen.insert(ObjectIdentifier($0)).inserted }
        let rate = learningRate * Float(Foundation.pow(Double(decay), Double(count - 1 - index)))
        return ParameterGroup(parameters: parameters, learningRate: rate, weightDecay: weightDecay)
    }
}

/// `discriminativeParameterGroups(blocks:learningRate:decay:weightDecay:)` with each module's
/// parameters as a block (from input to output).
public func discriminativeParameterGroups(modules: [Module], learningRate: Float, decay: Float = ulmfitLayerDecay,
                                          weightDecay: Float = 0) -> [ParameterGroup] {
    discriminativeParameterGroups(blocks: modules.map { $0.parameters() }, learningRate: learningRate, decay: decay,
                                  weightDecay: weightDecay)
}
