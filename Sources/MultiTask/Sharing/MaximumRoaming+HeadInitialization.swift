import TensorCore
import Autodiff
import NeuralNetworks

// A swap-cost ablation of Maximum Roaming: the head weights that read a channel a task has never
// used. While task t has never used channel c of the trunk's output, c is exactly zero in t's
// forward pass, so the weights of head t that read c get a zero gradient (and zero Adam moments):
// they keep their random initial values. The first time roaming activates c for t, those random
// weights project c's features into t's predictions — noise the task must first unlearn. Starting
// them at zero instead lets each new channel enter task t's predictions only as fast as its
// gradient moves the weights. (A loss term over all weights changes this: under the `unitary`
// balancer's L2 penalty the unused head weights decay towards 0 anyway, and zeroing them changes
// little.)

extension MaximumRoamingNetwork {
    /// The channels of the trunk's output that can be non-zero for task `task`, when each mask lets
    /// through the units `units(mask)` names, with the channel count; nil when a layer mixes channels
    /// after the last mask (no channel is known to be zero).
    ///
    /// Followed structurally, layer by layer: a `TaskMask` lets through its units; activations,
    /// pooling, dropout, identity, squeeze-and-excitation gates and `Flatten` keep zero channels zero
    /// (`Flatten` keeps them as blocks of H·W features, channel-major); a residual block's output can
    /// be non-zero where either branch's can (an identity shortcut passes the block's input); any
    /// other layer (a convolution, a batch normalization) may make every channel non-zero.
    public func trunkOutputChannels(task: Int, units: (TaskMask) -> [Int]) -> (channels: Set<Int>, count: Int)? {
        checkTask(task, "MaximumRoamingNetwork.trunkOutputChannels")
        typealias Channels = (channels: Set<Int>, count: Int)?
        func through(_ module: Module, _ input: Channels) -> Channels {
            switch module {
            case let sequence as MaskedSequential: return sequence.layers.reduce(input) { through($1, $0) }
            case let sequence as Sequential: return sequence.layers.reduce(input) { through($1, $0) }
            case let block as MaskedResidualBlock:
                guard let branch = through(block.residual, input),
                      let skip = block.shortcut.map({ through($0, input) }) ?? input,
                      branch.count == skip.count else { return nil }
                return (branch.channels.union(skip.channels), branch.count)
            case let mask as TaskMask: return (Set(units(mask)), mask.unitCount)
            case is ReLU, is LeakyReLU, is MaxPool2D, is AvgPool2D, is GlobalAvgPool, is Dropout, is Identity,
                 is TaskSqueezeExcitation, is Flatten:
                return input
            default: return nil
            }
        }
        return through(trunk, nil)
    }

    /// The channels of the trunk's output task `task` has ever used: those its visited sets B_t let
    /// through (`trunkOutputChannels`); nil when none is known to be zero.
    public func visitedOutputChannels(task: Int) -> (channels: Set<Int>, count: Int)? {
        trunkOutputChannels(task: task) { mask in
            (0..<mask.unitCount).filter { mask.visited.value.scalars[task * mask.unitCount + $0] == 1 }
        }
    }

    /// Sets to zero, in each task's head, the weights that read a trunk-output channel the task has
    /// never used (`visitedOutputChannels`); returns how many weights were zeroed. Called once before
    /// training, it makes every channel that roaming later hands to a task enter the task's head from
    /// zero rather than from its random initial weights (those weights get no gradient until then).
    ///
    /// The head's first layer must be a `Linear` (weights `[F, outputs]`, F a multiple of the channel
    /// count: features channel-major, as `Flatten` leaves them) or a `Conv2D` (weights
    /// `[outputs, C, k, k]`); a head of another kind, or a trunk whose output channels are not known,
    /// is left as it is.
    @discardableResult
    public func zeroHeadWeightsOfUnvisitedChannels() -> Int {
        var zeroed = 0
        for (task, head) in heads.enumerated() {
            guard let (channels, count) = visitedOutputChannels(task: task), channels.count < count else { continue }
            let first = (head as? Sequential)?.layers.first ?? head
            let weight: Parameter, featureAxis: Int
            switch first {
            case let linear as Linear: (weight, featureAxis) = (linear.weight, 0)
            case let conv as Conv2D: (weight, featureAxis) = (conv.weight, 1)
            default: continue
            }
            let features = weight.shape[featureAxis]
            guard features % count == 0 else { continue }
            let featuresPerChannel = features / count
            let inner = weight.shape.dropFirst(featureAxis + 1).reduce(1, *)
            var scalars = weight.value.scalars
            for index in scalars.indices {
                let feature = (index / inner) % features
                if !channels.contains(feature / featuresPerChannel) && scalars[index] != 0 {
                    scalars[index] = 0
                    zeroed += 1
                }
            }
            weight.assign(Tensor(shape: weight.shape, scalars: scalars))
        }
        return zeroed
    }
}
