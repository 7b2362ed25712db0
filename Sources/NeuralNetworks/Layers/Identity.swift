import Autodiff

/// Returns its input unchanged — a placeholder where an architecture expects a module (an empty
/// encoder, a head that is the trunk's output itself).
public final class Identity: Module {
    public override init() {}
    public override func callAsFunction(_ input: Variable) -> Variable { input }
}
