import TensorCore
import Autodiff

/// Inverted dropout (Srivastava et al., 2014): in training, each element is zeroed with probability
/// `probability` and the survivors are scaled by 1/(1 − probability), so evaluation (identity) needs
/// no rescaling. The masks come from a seeded `RandomSource`.
public final class Dropout: Module {
    public let probability: Float
    let random: RandomSource

    public init(probability: Float = 0.5, random: RandomSource = .default) {
        checkPrecondition(probability >= 0 && probability < 1, "Dropout: probability \(probability) must be in [0, 1)")
        self.probability = probability
        self.random = random
    }

    public override func callAsFunction(_ input: Variable) -> Variable {
        guard isTraining, probability > 0 else { return input }
        let keep = 1 - probability
        let mask = random.withGenerator { generator in
            Tensor(shape: input.shape,
                   scalars: (0..<input.value.count).map { _ in generator.nextFloat() < keep ? 1 / keep : 0 })
        }
        return input * mask
    }

    public override var summary: String { "Dropout(p = \(probability))" }
}
