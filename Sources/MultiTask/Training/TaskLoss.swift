import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The loss a task names (`TaskSpec.loss`), applied to the model's output and the stored target:
/// cross-entropy over classes (axis 1, also per pixel), binary cross-entropy per attribute, MSE,
/// L1, and the cosine loss along the channel axis (surface normals). Mean reduction. A task with a
/// `customLoss` uses that instead.
public func taskLoss(_ spec: TaskSpec, output: Variable, target: Tensor) -> Variable {
    if let custom = spec.customLoss { return custom(output, target) }
    switch spec.loss {
    case .crossEntropy: return crossEntropy(logits: output, targets: target)
    case .binaryCrossEntropy: return binaryCrossEntropy(logits: output, targets: target)
    case .meanSquaredError: return meanSquaredError(prediction: output, target: target)
    case .l1: return l1Loss(prediction: output, target: target)
    case .cosine: return cosineLoss(prediction: output, target: target, axis: 1)
    }
}
