import TensorCore
import Autodiff

/// Cross-entropy of class scores (logits) against class indices:
/// `ℓᵢ = −w_{yᵢ} · log softmax(zᵢ)_{yᵢ}`, computed with a stable log-softmax.
///
/// Shapes: logits `[N, C]`, or `[N, C, d₁, …]` for dense tasks (one class per pixel, segmentation);
/// `targets` holds `N·d₁·…` class indices in row-major order of the non-class axes.
/// - `classWeights` `[C]`: per-class weights w (default 1).
/// - `ignoredIndex`: targets with this value contribute nothing (unlabelled pixels).
/// - `.mean` is the weighted mean `Σ ℓᵢ / Σ w_{yᵢ}` over non-ignored elements, as PyTorch; when every
///   element is ignored it is 0 (PyTorch gives NaN).
public func crossEntropy(logits: Variable, targets: [Int], classWeights: Tensor? = nil, ignoredIndex: Int? = nil,
                         reduction: Reduction = .mean) -> Variable {
    let shape = logits.shape
    checkPrecondition(shape.count >= 2, "crossEntropy: logits must be [N, C, …], got \(shape)")
    let classes = shape[1]
    let outer = shape[0], inner = shape[2...].reduce(1, *)
    checkPrecondition(targets.count == outer * inner,
                      "crossEntropy: \(targets.count) targets for logits \(shape) (needs \(outer * inner))")
    if let classWeights {
        checkPrecondition(classWeights.shape == [classes],
                          "crossEntropy: class weights \(classWeights.shape) for \(classes) classes")
    }
    // selection[n, c, s] = w_y where c is the target class (0 elsewhere, and for ignored targets).
    var selection = [Float](repeating: 0, count: logits.value.count)
    var totalWeight: Float = 0
    for n in 0..<outer {
        for s in 0..<inner {
            let target = targets[n * inner + s]
            if target == ignoredIndex { continue }
            checkPrecondition(target >= 0 && target < classes, "crossEntropy: target \(target) outside 0..<\(classes)")
            let weight = classWeights?.scalars[target] ?? 1
            selection[(n * classes + target) * inner + s] = weight
            totalWeight += weight
        }
    }
    let perElement = -(logits.logSoftmax(alongAxis: 1) * Tensor(shape: shape, scalars: selection)).sum(alongAxis: 1)
    switch reduction {
    case .none: return perElement
    case .sum: return perElement.sum()
    case .mean: return totalWeight > 0 ? perElement.sum() / totalWeight : perElement.sum() * 0
    }
}

/// Cross-entropy with targets given as a tensor of class indices (shape `[N, d₁, …]`).
public func crossEntropy(logits: Variable, targets: Tensor, classWeights: Tensor? = nil, ignoredIndex: Int? = nil,
                         reduction: Reduction = .mean) -> Variable {
    crossEntropy(logits: logits, targets: targets.scalars.map { Int($0) }, classWeights: classWeights,
                 ignoredIndex: ignoredIndex, reduction: reduction)
}
