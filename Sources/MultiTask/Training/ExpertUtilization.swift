import Foundation
import TensorCore
import Autodiff
import TaskData

/// How much each gate of an expert-gated network (MMoE, CGC, PLE) leans on each of its experts: the
/// mean over samples of the gate's softmax weight on the expert,
///
///     u_{g,i} = (1/N) Σ_n g_{g,i}(x_n),   Σ_i u_{g,i} = 1 for every gate g,
///
/// over a dataset (Tang et al., RecSys 2020, plot the same per-task mean gate weights as their
/// "expert utilization"). A task whose gate keeps 1/n everywhere has not chosen; two tasks leaning on
/// different experts have divided the work; every gate on one expert is the collapse the PLE paper
/// warns of (MMoE degenerating to a shared bottom).
public struct ExpertUtilization: Sendable {
    /// The gates, as the network describes them (`ExpertGatedNetwork.gateDescriptions`).
    public var gates: [GateDescription]
    /// `meanWeights[g][i]`: u_{g,i}, gate g's mean weight on its expert i.
    public var meanWeights: [[Double]]
    /// N, the samples averaged over.
    public var sampleCount: Int

    /// A utilization given directly (`measure(_:on:batchSize:)` computes one).
    public init(gates: [GateDescription], meanWeights: [[Double]], sampleCount: Int) {
        self.gates = gates
        self.meanWeights = meanWeights
        self.sampleCount = sampleCount
    }

    /// The utilization of `network`'s gates on every sample of `data`, in evaluation mode without
    /// recording a graph (sums in Double, so the result does not depend on the batch size beyond
    /// rounding).
    public static func measure(_ network: any ExpertGatedNetwork, on data: MultiTaskDataset,
                               batchSize: Int = 256) -> ExpertUtilization {
        let gates = network.gateDescriptions
        var sums = gates.map { Array(repeating: 0.0, count: $0.experts.count) }
        let wasTraining = network.isTraining
        network.eval()
        defer { if wasTraining { network.train() } }
        withoutGradients {
            for batch in data.batches(size: batchSize) {
                for (gate, weights) in network.gateWeights(Variable(batch.inputs)).enumerated() {
                    let values = weights.value.scalars, width = sums[gate].count
                    for index in values.indices { sums[gate][index % width] += Double(values[index]) }
                }
            }
        }
        let count = max(1, data.count)
        return ExpertUtilization(gates: gates, meanWeights: sums.map { $0.map { $0 / Double(count) } },
                                 sampleCount: data.count)
    }

    /// The number of extraction levels (1 for MMoE and CGC).
    public var levelCount: Int { (gates.map(\.level).max() ?? 0) + 1 }

    /// A JSON object, gate by gate: `{"task0": {"shared.0": 0.41, "task0.0": 0.59}, …}` (PLE's gates and
    /// experts named with their level: `"level1/task0"`, `"level1/shared"`).
    public func jsonObject(taskNames: [String]) -> String {
        let levels = levelCount
        return "{" + zip(gates, meanWeights).map { gate, weights in
            jsonStringLiteral(gate.name(taskNames: taskNames, levels: levels)) + ": {"
                + zip(gate.experts, weights).map { expert, weight in
                    jsonStringLiteral(expert.name(taskNames: taskNames, levels: levels)) + ": "
                        + TrainingLog.jsonNumber(weight)
                }.joined(separator: ", ") + "}"
        }.joined(separator: ", ") + "}"
    }

    /// A grouped bar chart: one group per expert, one bar per gate owner (each task, and PLE's shared
    /// gate) — the owner's mean weight on that expert (0 for an expert its gate does not see).
    public func chart(title: String, taskNames: [String]) -> BarChart {
        let levels = levelCount
        var experts: [ExpertIdentity] = []
        for gate in gates { for expert in gate.experts where !experts.contains(expert) { experts.append(expert) } }
        experts.sort { ($0.level, $0.task ?? -1, $0.index) < ($1.level, $1.task ?? -1, $1.index) }
        var owners: [Int?] = []
        for gate in gates where !owners.contains(where: { $0 == gate.task }) { owners.append(gate.task) }
        let series = owners.map { owner -> (name: String, values: [Double]) in
            let name = owner.map { $0 < taskNames.count ? taskNames[$0] : "task\($0)" } ?? "shared gate"
            return (name, experts.map { expert in
                guard let gate = gates.firstIndex(where: { $0.task == owner && $0.level == expert.level }),
                      let position = gates[gate].experts.firstIndex(of: expert) else { return 0 }
                return meanWeights[gate][position]
            })
        }
        return BarChart(title: title, yLabel: "mean gate weight (fraction of the gate)",
                        categories: experts.map { $0.name(taskNames: taskNames, levels: levels) }, series: series)
    }
}
