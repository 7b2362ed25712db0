/// Why a fine-tuning plan cannot be applied.
public enum FineTuningError: Error, CustomStringConvertible, Equatable {
    /// Freezing and discriminative rates need a network of levels (`fineTuningBlocks(of:)`).
    case unsupportedArchitecture(String)
    /// The pretrained checkpoint could not be used (the reason in words).
    case unusableWeights(path: String, reason: String)
    /// A setting out of range.
    case invalidSetting(String)

    /// The reason in words.
    public var description: String {
        switch self {
        case .unsupportedArchitecture(let type):
            return "freezing and discriminative learning rates need a multi-head network (a trunk of stages and "
                + "task heads), not \(type)"
        case .unusableWeights(let path, let reason): return "cannot initialize from \(path): \(reason)"
        case .invalidSetting(let reason): return reason
        }
    }
}
