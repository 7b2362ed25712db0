import Foundation
import MultiTaskKit

/// `--preset maximum-roaming`: the settings of the Maximum Roaming reference code's CelebA runs
/// (`celeba/train_MR.py`, `celeba/resnet_MR.py`), carried over to this framework's data. A flag
/// given on the command line wins over its preset value.
///
/// | flag | value | where it comes from |
/// |---|---|---|
/// | `--sharing-ratio` | 0.8 | the reference's p on CelebA (its task-routing runs use 0.9) |
/// | `--update-interval` | ⌊0.1 · batches per epoch⌋ + 1 | the reference's Δ, a tenth of an epoch, same formula |
/// | `--backbone` | residual | the reference's ResNet-18, scaled down to three stages of one block |
/// | `--normalization` | batch | conv → BN (batch statistics) → mask → ReLU, as the reference |
/// | `--learning-rate` | 0.001 | not the reference's 10⁻⁴: its 40 CelebA epochs take ≈ 200,000 Adam steps, |
/// |  |  | about 19 times the ≈ 10,600 of 40 epochs on 2,100 portraits; Adam's usual default, |
/// |  |  | chosen before any run |
/// | `--batch-size` | 64 | not the reference's 256 (1/636 of an epoch there): this framework's usual batch |
/// | `--epochs` | 40 | the reference's training length (`mtl study` stops earlier with `--patience`; |
/// |  |  | `mtl train` trains every epoch) |
///
/// One difference stays: the reference fills each task to ⌈p·C⌉ units, this framework to round(p·C)
/// (`TaskMask`) — 51 instead of 52 of 64 units at p = 0.8. With `mtl compare` (no masked arms) the
/// preset sets the trunk, the optimizer and the length.
///
/// Unchanged from the framework's defaults because they already match the reference: Adam's β and ε
/// with no weight decay, random unit selection, task-alternating training for the masked networks
/// (the reference's CelebA loop), the round-robin partition, and model selection on validation.
enum Preset: String, CaseIterable {
    case maximumRoaming = "maximum-roaming"

    /// The preset's flag values (all but the update interval, which depends on the data).
    var values: [String: String] {
        switch self {
        case .maximumRoaming:
            ["sharing-ratio": "0.8", "backbone": "residual", "normalization": "batch", "learning-rate": "0.001",
             "batch-size": "64", "epochs": "40"]
        }
    }

    /// Δ in batches for `trainCount` training samples in batches of `batchSize`: ⌊0.1·b⌋ + 1 with b
    /// the batches per epoch, as `celeba/train_MR.py` computes it.
    static func updateInterval(trainCount: Int, batchSize: Int) -> Int {
        let batches = (trainCount + batchSize - 1) / batchSize
        return Int(0.1 * Double(batches)) + 1
    }
}

/// `--preset`, for `mtl train` and `mtl study`.
let presetFlag = Flag(name: "preset", kind: .choice(default: nil, choices: Preset.allCases.map(\.rawValue)),
                      help: "a set of settings: maximum-roaming — the Maximum Roaming reference's p = 0.8, Δ = a "
                        + "tenth of an epoch, residual trunk with batch norm before the masks, 40 epochs (flags "
                        + "given win)")

extension Arguments {
    /// The flags with `--preset`'s values for those not given; unchanged without a preset. A smoke
    /// run (`--quick`) keeps its own short length.
    func applyingPreset() throws -> (Arguments, Preset?) {
        guard let name = string("preset"), let preset = Preset(rawValue: name) else { return (self, nil) }
        var filled = self
        let keptByQuick: Set<String> = spec.flags.contains { $0.name == "quick" } && isSet("quick") ? ["epochs"] : []
        for (flag, value) in preset.values where spec.flags.contains(where: { $0.name == flag }) && !has(flag)
            && !keptByQuick.contains(flag) {
            try filled.setValue(value, for: flag)
        }
        return (filled, preset)
    }
}
