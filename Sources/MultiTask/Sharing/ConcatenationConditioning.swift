import TensorCore
import Autodiff
import NeuralNetworks

/// Task conditioning by concatenation: [h; z_t] — the descriptor is appended to the features
/// (as D constant planes for feature maps), and the next layer, shared by all tasks, sees which
/// task it serves. Output: `[B, C + D]` or `[B, C + D, H, W]`. (Lecture notes, hard sharing with a
/// task descriptor.)
public final class ConcatenationConditioning: TaskConditioning {
    public override func callAsFunction(_ features: Variable, task: Int) -> Variable {
        let batch = features.shape[0]
        var descriptors = descriptor(task: task, batchSize: batch)
        if features.rank > 2 {
            descriptors = broadcastable(descriptors, like: features)
                .broadcast(to: [batch, descriptor.dimension] + Array(features.shape.dropFirst(2)))
        }
        return Variable.concatenating([features, descriptors], alongAxis: 1)
    }

    /// The feature count after conditioning, C + D.
    public func outputCount(featureCount: Int) -> Int { featureCount + descriptor.dimension }
}
