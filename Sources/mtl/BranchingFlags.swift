import Foundation
import MultiTaskKit

/// The flags of Learning to Branch (`mtl train --architecture ltb`); the defaults are
/// `ArchitectureOptions`'.
let branchingFlags: [Flag] = [
    Flag(name: "search-epochs", kind: .integer(default: ArchitectureOptions().searchEpochs, range: 1...10_000),
         help: "ltb: epochs of the branching search before the chosen tree is trained from scratch for --epochs"),
    Flag(name: "branch-nodes", kind: .integer(default: nil, range: 1...64),
         help: "ltb: nodes per inner layer of the search space, each a copy of one backbone block (default: one "
            + "per task)"),
    Flag(name: "branch-sampling", kind: .choice(default: ArchitectureOptions().branchSampling.rawValue,
                                                choices: GumbelSampling.allCases.map(\.rawValue)),
         help: "ltb: Gumbel-softmax samples of each node's parent in the search: soft mixtures, or hard one-hot "
            + "choices with the soft gradient (straight-through)"),
    Flag(name: "branch-learning-rate", kind: .number(default: Double(ArchitectureOptions().branchLearningRate),
                                                     range: 1e-8...10),
         help: "ltb: Adam's step size for the branching logits in the search (the weights use --learning-rate)"),
]

extension ArchitectureOptions {
    /// The options with the branching flags' values.
    mutating func setBranching(from flags: Arguments) {
        searchEpochs = flags.integer("search-epochs")!
        branchNodeCount = flags.integer("branch-nodes")
        branchSampling = GumbelSampling(rawValue: flags.string("branch-sampling")!)!
        branchLearningRate = Float(flags.number("branch-learning-rate")!)
    }

    /// The branching flags' values as checkpoint metadata (`run.search-epochs`, …; no `run.branch-nodes`
    /// for the default).
    var branchingMetadata: [String: String] {
        var metadata = ["run.search-epochs": String(searchEpochs), "run.branch-sampling": branchSampling.rawValue,
                        "run.branch-learning-rate": String(branchLearningRate)]
        if let branchNodeCount { metadata["run.branch-nodes"] = String(branchNodeCount) }
        return metadata
    }
}

/// A study arm's branching option (`+search-epochs=N`, `+branch-nodes=N`, `+soft` for ltb arms), set in
/// `options` with the flag's range check; false when `option` is none of them or the arm is not ltb.
func branchingArmOption(_ option: String, of arm: String, architecture: Architecture,
                        into options: inout ArchitectureOptions) throws -> Bool {
    guard architecture == .learningToBranch else { return false }
    if option == "soft" {
        options.branchSampling = .soft
        return true
    }
    let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
    guard parts.count == 2, ["search-epochs", "branch-nodes"].contains(parts[0]),
          let flag = branchingFlags.first(where: { $0.name == parts[0] }) else { return false }
    do { _ = try Arguments.checked(parts[1], for: flag) } catch let error as UsageError {
        throw UsageError(description: "--arms: '\(excerpt(arm))': \(error.description.dropFirst(2))")
    }
    if parts[0] == "search-epochs" {
        options.searchEpochs = Int(parts[1])!
    } else {
        options.branchNodeCount = Int(parts[1])!
    }
    return true
}

extension RunSettings {
    /// An ltb run's tree from its checkpoint's metadata (`branchingTreeKey`, `branchingNodeCountsKey`), so
    /// that the retrained network is rebuilt rather than the search network; a missing or damaged record
    /// is refused (a checkpoint is an untrusted file). Other architectures: nothing.
    mutating func readBranchingTree(_ metadata: [String: String]) throws {
        guard architecture == .learningToBranch else { return }
        guard let encoded = metadata[branchingTreeKey], let counts = metadata[branchingNodeCountsKey] else {
            throw UsageError(description: "the checkpoint of an ltb run has no \(branchingTreeKey) and "
                             + "\(branchingNodeCountsKey): its tree cannot be rebuilt")
        }
        let nodeCounts = counts.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard counts.utf8.count <= 1000, nodeCounts.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 64 }),
              let tree = BranchingTree(encoded: encoded, nodeCounts: nodeCounts.map { $0! }) else {
            throw UsageError(description: "the checkpoint's \(branchingTreeKey) '\(excerpt(encoded))' over "
                             + "\(branchingNodeCountsKey) '\(excerpt(counts))' is not a branching tree")
        }
        options.branchingTree = tree
    }
}

/// Prints an ltb run's learned tree and writes `tree.svg` (the tree) and `branching.svg` (the
/// probability of each node's chosen parent over the search's epochs) into `output`.
/// The search's diagnostics (`searchDiagnosticsURL`) are moved to the front of `diagnostics.jsonl`.
func reportBranchingSearch(_ search: BranchingSearchResult, taskNames: [String], output: URL) throws {
    let diagnostics = output.appendingPathComponent("diagnostics.jsonl"), searched = searchDiagnosticsURL(diagnostics)
    if let lines = try? Data(contentsOf: searched) {
        try writeAtomically(lines + ((try? Data(contentsOf: diagnostics)) ?? Data()), to: diagnostics)
        try? FileManager.default.removeItem(at: searched)
    }
    print("\nlearned tree (\(search.probabilities.count) search epochs; then trained from scratch):\n"
          + search.tree.describe(taskNames: taskNames))
    try ArchitectureDiagram(branchingTree: search.tree, taskNames: taskNames,
                            title: "Learned branching tree (Learning to Branch)")
        .write(to: output.appendingPathComponent("tree.svg"))
    guard !search.probabilities.isEmpty else { return }
    var series: [LinePlot.Series] = []
    for (layer, children) in search.tree.parents.enumerated() {
        for (child, parent) in children.enumerated() {
            let name = layer == search.tree.parents.count - 1 ? "head \(taskNames[child])"
                : "layer \(layer + 1) node \(child)"
            series.append(.init(name: "\(name) ← node \(parent)",
                                values: search.probabilities.map { Double($0[layer][child][parent]) }))
        }
    }
    try LinePlot(title: "Learning to Branch: probability of each node's chosen parent", xLabel: "search epoch",
                 yLabel: "softmax(θ) of the chosen parent", series: series)
        .write(to: output.appendingPathComponent("branching.svg"))
}
