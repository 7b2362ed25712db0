import MultiTaskKit

// Learning to Branch's training steps (project-specific), on `mtl_mlp_step`'s data (batch 256, 100 inputs,
// two regression towers 128 → 32 → 1, loss = Σ towers' MSE, one Adam step), the nodes being that workload's
// trunk layers (100 → 128 and 128 → 128, ReLU):
//   mtl_ltb_search_step    the search network with one node per task (2) in each of the two layers, hard
//                          Gumbel-softmax samples (a fresh draw each step): 2 trunks' work and the mixtures
//   mtl_ltb_branched_step  the retrained tree where both tasks share the first layer and branch at the
//                          second: 1.5 trunks' work

func benchmarkBranchingSteps(threads: Int, repeats: Int, wanted: (String) -> Bool) -> [Measurement] {
    let random = RandomSource(seed: 0)
    var generator = SeededGenerator(seed: 1)
    let input = Tensor.normal([256, 100], using: &generator)
    let targets = (0..<2).map { _ in Tensor.normal([256, 1], using: &generator) }
    func node(_ layer: Int) -> Module {
        Sequential(Linear(inputCount: layer == 0 ? 100 : 128, outputCount: 128, random: random), ReLU())
    }
    func step(_ model: MultiTaskNetwork) -> Double {
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        var count = 0
        return timeMedian(warmUp: 5, repeats: repeats * 3) {
            model.willTrain(step: count)
            count += 1
            optimizer.zeroGradients()
            let losses = zip(model.outputs(Variable(input)).outputs, targets).map {
                meanSquaredError(prediction: $0, target: $1)
            }
            losses.dropFirst().reduce(losses[0], +).backward()
            optimizer.step()
        }
    }
    let networks: [(String, () -> MultiTaskNetwork)] = [
        ("mtl_ltb_search_step", {
            let search = BranchingSearchNetwork(layers: [[node(0), node(0)], [node(1), node(1)]],
                                                heads: makeTowers(random: random), sampling: .hard)
            search.temperature = 0.5
            return search
        }),
        ("mtl_ltb_branched_step", {
            BranchedNetwork(tree: BranchingTree(nodeCounts: [1, 2], parents: [[0, 0], [0, 1]]),
                            heads: makeTowers(random: random)) { layer, _ in node(layer) }
        }),
    ]
    return networks.filter { wanted($0.0) }.map { name, make in
        Measurement(workload: name, threads: threads, milliseconds: step(make()), flops: nil)
    }
}
