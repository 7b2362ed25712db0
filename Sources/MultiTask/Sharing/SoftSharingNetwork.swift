import TensorCore
import Autodiff
import NeuralNetworks

/// Soft parameter sharing: one network ("column") per task with identical shapes, coupled by a
/// penalty that pulls corresponding parameters together:
///
///     Ω = λ Σ_{t<t'} Σ_layers ‖θ_t − θ_t'‖²
///
/// added to the objective (Duong et al., 2015; lecture notes). λ = 0 is independent training;
/// λ → ∞ forces equal parameters, hard sharing. Parameters are matched by their dotted names
/// inside the columns, so the columns must be built alike. Each task may add its own head after
/// its column (`makeHead`) — heads are not coupled, so tasks can differ in their outputs.
public final class SoftSharingNetwork: MultiTaskNetwork {
    /// One full network per task, the columns whose parameters the penalty couples.
    public let columns: [Module]
    /// The uncoupled task heads (identities when none were given).
    public let heads: [Module]
    /// λ, the coupling strength.
    public var couplingStrength: Float

    /// `taskCount` columns built by `makeColumn(t)` (alike, so their parameters pair up), coupled with
    /// strength λ = `couplingStrength`, each followed by `makeHead(t)` when given.
    public init(taskCount: Int, couplingStrength: Float, makeColumn: (Int) -> Module,
                makeHead: ((Int) -> Module)? = nil) {
        columns = (0..<taskCount).map(makeColumn)
        heads = (0..<taskCount).map { task in makeHead?(task) ?? Identity() }
        self.couplingStrength = couplingStrength
        let names = columns.map { $0.namedParameters().map { "\($0.name) \($0.parameter.shape)" } }
        checkPrecondition(names.allSatisfy { $0 == names[0] },
                          "SoftSharingNetwork: the columns differ in their parameters "
                          + "(\(names.map(\.count)) parameters)")
        super.init(taskCount: taskCount)
    }

    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "SoftSharingNetwork")
        return heads[task](columns[task](input))
    }

    /// Nothing is shared directly; the coupling acts through the penalty.
    public override func sharedParameters() -> [Parameter] { [] }

    /// Ω = λ Σ_{t<t'} Σ ‖θ_t − θ_t'‖² (nil when λ = 0 or there is one task).
    public func couplingPenalty() -> Variable? {
        guard couplingStrength != 0, taskCount > 1 else { return nil }
        let parameters = columns.map { $0.parameters() }
        var total: Variable?
        for t in 0..<taskCount {
            for other in (t + 1)..<taskCount {
                for (a, b) in zip(parameters[t], parameters[other]) {
                    let term = (a - b).squared().sum()
                    total = total.map { $0 + term } ?? term
                }
            }
        }
        return total.map { $0 * couplingStrength }
    }

    public override func regularizationLoss() -> Variable? { couplingPenalty() }
}
