// Softmax and log-softmax along an axis, computed the numerically stable way:
//   softmax(x)ᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m},
//   log-softmax(x)ᵢ = (xᵢ − m) − log Σⱼ e^{xⱼ − m},
// with m = maxⱼ xⱼ. Subtracting m changes nothing mathematically (it cancels) but keeps every
// exponent ≤ 0, so inputs of ±1e4 neither overflow to inf nor underflow to 0/0.

extension Tensor {
    /// Softmax along `axis` (default: the last).
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let shifted = self - max(alongAxis: axis, keepingDimensions: true)
        let exponentials = shifted.exp()
        return exponentials / exponentials.sum(alongAxis: axis, keepingDimensions: true)
    }

    /// Log-softmax along `axis` (default: the last).
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let shifted = self - max(alongAxis: axis, keepingDimensions: true)
        return shifted - shifted.exp().sum(alongAxis: axis, keepingDimensions: true).log()
    }

    /// `log Σ eˣ` along `axis`, stably.
    public func logSumExp(alongAxis axis: Int = -1, keepingDimensions: Bool = false) -> Tensor {
        let maximum = max(alongAxis: axis, keepingDimensions: true)
        let result = (self - maximum).exp().sum(alongAxis: axis, keepingDimensions: true).log() + maximum
        return keepingDimensions ? result : result.squeezingShape(at: [axis])
    }
}
