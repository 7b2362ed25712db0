import TensorCore
import Autodiff
import NeuralNetworks
import TaskData

/// The loss a task names (`TaskSpec.loss`), applied to the model's output and the stored target:
/// cross-entropy over classes (axis 1, also per pixel), binary cross-entropy per attribute, MSE,
/// L1, and the cosine loss along the channel axis (surface normals). Mean reduction.
public func taskLoss(_ spec: TaskSpec, output: Variable, target: Tensor) -> Variable {
    switch spec.loss {
    case .crossEntropy: return crossEntropy(logits: output, targets: target)
    case .binaryCrossEntropy: return binaryCrossEntropy(logits: output, targets: target)
    case .meanSquaredError: return meanSquaredError(prediction: output, target: target)
    case .l1: return l1Loss(prediction: output, target: target)
    case .cosine: return cosineLoss(prediction: output, target: target, axis: 1)
    }
}
