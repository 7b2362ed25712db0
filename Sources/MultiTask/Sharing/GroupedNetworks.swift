import TensorCore
import Autodiff
import NeuralNetworks

/// One network per group of tasks: the tasks of a group share their network (any architecture,
/// usually a multi-head network), and different groups share nothing — how a chosen task grouping
/// is trained (Standley et al. 2020; Fifty et al. 2021). One group of all tasks is the all-in-one
/// network; T groups of one task are single-task networks.
///
/// Shapes: task t of the whole network is task `localTask[t]` of `networks[group[t]]`.
///
/// θ_sh: with one group, that network's own θ_sh; with more, nothing is used by every task, so `[]`
/// (as for `IndependentNetworks`) and Z = nil.
public final class GroupedNetworks: MultiTaskNetwork {
    /// The groups, each a list of task indices of the whole network.
    public let groups: [[Int]]
    /// One network per group, its tasks in the group's order.
    public let networks: [MultiTaskNetwork]
    /// For each task, its group and its index inside that group's network.
    let placement: [(group: Int, task: Int)]

    /// Builds `makeNetwork(group, tasks)` for each group; `groups` must partition 0..<T.
    public init(groups: [[Int]], makeNetwork: (_ group: Int, _ tasks: [Int]) -> MultiTaskNetwork) {
        let all = groups.flatMap { $0 }
        checkPrecondition(!groups.isEmpty && groups.allSatisfy { !$0.isEmpty } && all.sorted() == Array(0..<all.count),
                          "GroupedNetworks: groups \(groups) must partition the tasks 0..<T")
        self.groups = groups
        networks = groups.enumerated().map { makeNetwork($0.offset, $0.element) }
        var placement = Array(repeating: (group: 0, task: 0), count: all.count)
        for (group, tasks) in groups.enumerated() {
            checkPrecondition(networks[group].taskCount == tasks.count,
                              "GroupedNetworks: group \(group) has \(tasks.count) tasks, its network "
                                + "\(networks[group].taskCount)")
            for (local, task) in tasks.enumerated() { placement[task] = (group, local) }
        }
        self.placement = placement
        super.init(taskCount: all.count)
    }

    public override func callAsFunction(_ input: Variable, task: Int) -> Variable {
        checkTask(task, "GroupedNetworks")
        let (group, local) = placement[task]
        return networks[group](input, task: local)
    }

    /// Each group's network runs once for its tasks.
    public override func outputs(_ input: Variable) -> MultiTaskOutputs {
        let perGroup = networks.map { $0.outputs(input) }
        let outputs = placement.map { perGroup[$0.group].outputs[$0.task] }
        return MultiTaskOutputs(outputs: outputs,
                                sharedRepresentation: networks.count == 1 ? perGroup[0].sharedRepresentation : nil)
    }

    public override func sharedParameters() -> [Parameter] {
        networks.count == 1 ? networks[0].sharedParameters() : []
    }

    public override func willTrain(step: Int) {
        for network in networks { network.willTrain(step: step) }
    }

    public override func regularizationLoss() -> Variable? {
        let terms = networks.compactMap { $0.regularizationLoss() }
        return terms.isEmpty ? nil : terms.dropFirst().reduce(terms[0], +)
    }
}
