import MultiTaskKit

// The expert architectures' training steps (project-specific), on `mtl_mlp_step`'s data (batch 256,
// 100 inputs, two regression towers 128 → 32 → 1, loss = Σ towers' MSE, one Adam step), each expert a
// copy of that workload's trunk (100 → 128 → 128, ReLU), the gates on the input:
//   mtl_mmoe_step  MMoE with 8 experts (the default of `--experts`): about 8 trunks' work
//   mtl_cgc_step   CGC with 1 shared expert and 1 expert per task: 3 trunks
//   mtl_ple_step   PLE, 2 levels (a trunk's two layers), 1 shared and 1 per-task expert per level, a shared
//                  gate between the levels: 3 trunks and one more gate

/// The trunk of `mtl_mlp_step` as the layers of an expert, split into its two layers when `levels` is 2.
func makeExpertLevels(random: RandomSource, levels: Int = 1) -> [Module] {
    let first: [Module] = [Linear(inputCount: 100, outputCount: 128, random: random), ReLU()]
    let second: [Module] = [Linear(inputCount: 128, outputCount: 128, random: random), ReLU()]
    return levels == 1 ? [Sequential(first + second)] : [Sequential(first), Sequential(second)]
}

func makeTowers(random: RandomSource) -> [Module] {
    (0..<2).map { _ in
        Sequential(Linear(inputCount: 128, outputCount: 32, random: random), ReLU(),
                   Linear(inputCount: 32, outputCount: 1, random: random))
    }
}

func benchmarkExpertSteps(threads: Int, repeats: Int, wanted: (String) -> Bool) -> [Measurement] {
    let random = RandomSource(seed: 0)
    var generator = SeededGenerator(seed: 1)
    let input = Tensor.normal([256, 100], using: &generator)
    let targets = (0..<2).map { _ in Tensor.normal([256, 1], using: &generator) }
    func step(_ model: MultiTaskNetwork) -> Double {
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        return timeMedian(warmUp: 5, repeats: repeats * 3) {
            optimizer.zeroGradients()
            let losses = zip(model.outputs(Variable(input)).outputs, targets).map {
                meanSquaredError(prediction: $0, target: $1)
            }
            losses.dropFirst().reduce(losses[0], +).backward()
            optimizer.step()
        }
    }
    let networks: [(String, () -> MultiTaskNetwork)] = [
        ("mtl_mmoe_step", {
            MixtureOfExpertsNetwork(experts: (0..<8).map { _ in makeExpertLevels(random: random)[0] },
                                    gates: (0..<2).map { _ in ExpertGate(inputCount: 100, expertCount: 8,
                                                                         random: random) },
                                    heads: makeTowers(random: random))
        }),
        ("mtl_cgc_step", {
            CustomizedGateControlNetwork(sharedExperts: [makeExpertLevels(random: random)[0]],
                                         taskExperts: (0..<2).map { _ in [makeExpertLevels(random: random)[0]] },
                                         gates: (0..<2).map { _ in ExpertGate(inputCount: 100, expertCount: 2,
                                                                              random: random) },
                                         heads: makeTowers(random: random))
        }),
        ("mtl_ple_step", {
            let shared = makeExpertLevels(random: random, levels: 2)
            let own = (0..<2).map { _ in makeExpertLevels(random: random, levels: 2) }
            let levels = [0, 1].map { level in
                ExtractionLevel(sharedExperts: [shared[level]], taskExperts: own.map { [$0[level]] },
                                taskGates: (0..<2).map { _ in
                                    ExpertGate(inputCount: level == 0 ? 100 : 128, expertCount: 2, random: random)
                                },
                                sharedGate: level == 0 ? ExpertGate(inputCount: 100, expertCount: 3, random: random)
                                                       : nil)
            }
            return ProgressiveLayeredExtractionNetwork(levels: levels, heads: makeTowers(random: random))
        }),
    ]
    return networks.filter { wanted($0.0) }.map { name, make in
        Measurement(workload: name, threads: threads, milliseconds: step(make()), flops: nil)
    }
}
