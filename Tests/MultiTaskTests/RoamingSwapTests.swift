import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import TestSupport
import MultiTask

/// Chapter 09 — what a roaming swap costs: the observers that reset the moments of new units and
/// record the losses around each swap.
@Suite("Roaming swaps")
struct RoamingSwapTests {
    @Test("the moment reset zeroes Adam's m and v of exactly the units just activated, in every masked layer")
    func momentReset() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 96, seed: 1).selectingTasks([0, 1, 2])
            .split(seed: 2)
        var options = ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 2, seed: 3)
        options.batchNormalization = true
        options.backbone = .residual
        let network = makeNetwork(.maximumRoaming, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                  options: options) as! MaximumRoamingNetwork
        let adam = Adam(parameters: network.parameters(), learningRate: 1e-2)
        let trainer = Trainer(model: network, optimizer: adam,
                              configuration: .init(epochs: 1, batchSize: 16, seed: 4, mode: .taskAlternating,
                                                   showsProgress: false))
        let reset = RoamingMomentReset(network: network, optimizer: adam)
        /// Checks, right after the reset of step `step`, which entries are zero.
        final class Check: TrainingObserver {
            let network: MaximumRoamingNetwork, adam: Adam
            var checkedUpdates = 0
            init(network: MaximumRoamingNetwork, adam: Adam) { (self.network, self.adam) = (network, adam) }
            func trainer(_ trainer: Trainer, willTakeStep step: Int) {
                guard network.lastRoaming?.step == step else { return }
                checkedUpdates += 1
                for masked in network.trunk.maskedLayers {
                    let added = Set(masked.mask.lastSwaps.map(\.added))
                    for (parameter, axis) in masked.unitParameters {
                        guard let state = adam.state(of: parameter) else { continue }
                        let inner = parameter.shape.dropFirst(axis + 1).reduce(1, *)
                        for index in 0..<parameter.value.count {
                            let unit = (index / inner) % parameter.shape[axis]
                            guard added.contains(unit) else { continue }
                            #expect(state.firstMoment[flat: index] == 0 && state.secondMoment[flat: index] == 0)
                        }
                    }
                }
            }
        }
        let check = Check(network: network, adam: adam)
        trainer.observers = [reset, check]
        try trainer.fit(data.train)
        #expect(check.checkedUpdates >= 2 && reset.resetCount > 0)
        // The units not just activated keep their moments: some are non-zero.
        let weight = network.trunk.maskedLayers[0].unitParameters[0].parameter
        #expect(adam.state(of: weight)!.secondMoment.scalars.contains { $0 > 0 })
    }

    @Test("the swap recorder logs the losses of the step before and after every roaming update")
    func swapLosses() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 96, seed: 5).selectingTasks([0, 1])
            .split(seed: 6)
        let network = makeNetwork(.maximumRoaming, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                  options: ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 3,
                                                               seed: 7)) as! MaximumRoamingNetwork
        let recorder = RoamingSwapLosses(network: network)
        let trainer = Trainer(model: network, optimizer: Adam(parameters: network.parameters(), learningRate: 1e-2),
                              configuration: .init(epochs: 2, batchSize: 16, seed: 8, mode: .taskAlternating,
                                                   showsProgress: false))
        trainer.observers.append(recorder)
        try trainer.fit(data.train)
        // Roaming every 3 batches of 5 per epoch: at steps 3, 6 and 9 (the 8-unit layer completes after 4).
        #expect(recorder.records.map(\.step) == [3, 6, 9])
        #expect(recorder.records.allSatisfy { $0.before.count == 2 && $0.after.count == 2 })
        #expect(recorder.meanSpikes.count == 2 && recorder.meanSpikes.allSatisfy(\.isFinite))
        // The other 6 step pairs (steps 1, 2, 4, 5, 7, 8) are the yardstick, all before the last swap.
        #expect(recorder.ordinaryRecords.map(\.step) == [1, 2, 4, 5, 7, 8])
        #expect(recorder.ordinaryCountWhileRoaming == 6)
        let ordinary = (0..<2).map { task in
            recorder.ordinaryRecords.map { Double($0.after[task] - $0.before[task]) }.reduce(0, +) / 6
        }
        #expect(recorder.meanOrdinaryChanges == ordinary)
        #expect(recorder.excessSpikes == zip(recorder.meanSpikes, ordinary).map { $0 - $1 })
    }

    /// A roaming network on the residual trunk with batch normalization before the masks.
    func residualRoamingNetwork(tasks: [TaskSpec], inputShape: [Int], seed: UInt64) -> MaximumRoamingNetwork {
        var options = ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 2, seed: seed)
        options.batchNormalization = true
        options.backbone = .residual
        return makeNetwork(.maximumRoaming, tasks: tasks, inputShape: inputShape, options: options)
            as! MaximumRoamingNetwork
    }

    @Test("""
        the trunk-output channels followed through masks, residual blocks and flattening are exactly those a \
        forward pass can make non-zero; zeroing the head weights of unvisited channels changes no prediction \
        and those weights stay zero until roaming hands the channel over
        """)
    func headZeroing() throws {
        let data = try AttributeShapes(imageSize: 16).dataset(sampleCount: 96, seed: 9).selectingTasks([0, 1, 2])
            .split(seed: 10)
        let network = residualRoamingNetwork(tasks: data.train.tasks, inputShape: data.train.inputShape, seed: 11)
        let batch = Variable(data.train.batches(size: 8)[0].inputs)
        let before = data.train.tasks.indices.map { network(batch, task: $0).value }
        let weights = network.heads.map { ($0 as! Linear).weight.value }
        for task in data.train.tasks.indices {
            let (channels, count) = try #require(network.visitedOutputChannels(task: task))
            #expect(count == 32 && channels.count < count)
            let features = network.trunk(batch, task: task).value
            let perChannel = features.shape[1] / count
            for index in 0..<features.count {
                let channel = (index % features.shape[1]) / perChannel
                if !channels.contains(channel) { #expect(features[flat: index] == 0) }
            }
            #expect(channels.allSatisfy { channel in
                (0..<features.count).contains { ($0 % features.shape[1]) / perChannel == channel
                    && features[flat: $0] != 0 }
            })
        }
        let zeroed = network.zeroHeadWeightsOfUnvisitedChannels()
        #expect(zeroed > 0)
        for task in data.train.tasks.indices {
            #expect(network(batch, task: task).value == before[task])
            let (channels, count) = network.visitedOutputChannels(task: task)!
            let weight = (network.heads[task] as! Linear).weight.value
            let rowLength = weight.shape[1], perChannel = weight.shape[0] / count
            for index in 0..<weight.count {
                let unvisited = !channels.contains(index / rowLength / perChannel)
                #expect(weight[flat: index] == (unvisited ? 0 : weights[task][flat: index]))
            }
        }
        // Train with roaming: a channel's head weights stay zero while the task has never used it.
        let trainer = Trainer(model: network, optimizer: Adam(parameters: network.parameters(), learningRate: 1e-2),
                              configuration: .init(epochs: 1, batchSize: 16, seed: 12, mode: .taskAlternating,
                                                   showsProgress: false))
        try trainer.fit(data.train)
        #expect(network.masks.contains { Int($0.updateCount.value.scalars[0]) > 0 })
        var stillUnvisited = 0
        for task in data.train.tasks.indices {
            let (channels, count) = network.visitedOutputChannels(task: task)!
            let weight = (network.heads[task] as! Linear).weight.value
            let rowLength = weight.shape[1], perChannel = weight.shape[0] / count
            for index in 0..<weight.count where !channels.contains(index / rowLength / perChannel) {
                #expect(weight[flat: index] == 0)
                stillUnvisited += 1
            }
        }
        #expect(stillUnvisited > 0, "every channel was visited: the test needs a shorter run")
    }

    @Test("""
        dense heads (1×1 convolutions, channels on the weight's axis 1) are zeroed per input channel on the \
        plain dilated trunk; a trunk that mixes channels after its last mask zeroes nothing
        """)
    func denseHeadZeroingAndUnknownChannels() throws {
        let scenes = try DenseScenes(imageSize: 16).dataset(sampleCount: 6, seed: 13)
        let network = makeNetwork(.maximumRoaming, tasks: scenes.tasks, inputShape: scenes.inputShape,
                                  options: ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 2,
                                                               seed: 14)) as! MaximumRoamingNetwork
        let batch = Variable(scenes.batches(size: 2)[0].inputs)
        let before = scenes.tasks.indices.map { network(batch, task: $0).value }
        let weights = network.heads.map { ($0 as! Conv2D).weight.value }
        #expect(network.zeroHeadWeightsOfUnvisitedChannels() > 0)
        for task in scenes.tasks.indices {
            let (channels, count) = try #require(network.visitedOutputChannels(task: task))
            #expect(count == 8 && channels == Set(network.masks.last!.activeUnits(of: task)))
            #expect(network(batch, task: task).value == before[task])
            let weight = (network.heads[task] as! Conv2D).weight.value   // [outputs, C, 1, 1]
            for index in 0..<weight.count {
                let channel = (index / (weight.shape[2] * weight.shape[3])) % weight.shape[1]
                #expect(weight[flat: index] == (channels.contains(channel) ? weights[task][flat: index] : 0))
            }
        }
        // A convolution after the last mask may make any channel non-zero: nothing is known, nothing zeroed.
        let mask = TaskMask(unitCount: 4, taskCount: 2, sharingRatio: 0.5, seed: 15)
        let random = RandomSource(seed: 16)
        let trunk = MaskedSequential(Conv2D(inputChannels: 3, outputChannels: 4, kernelSize: 1, random: random), mask,
                                     ReLU(), Conv2D(inputChannels: 4, outputChannels: 4, kernelSize: 1, random: random))
        let mixing = MaximumRoamingNetwork(
            trunk: trunk, heads: (0..<2).map { _ in Conv2D(inputChannels: 4, outputChannels: 1, kernelSize: 1,
                                                              random: random) },
            updateInterval: 1, seed: 17)
        #expect(mixing.visitedOutputChannels(task: 0) == nil)
        #expect(mixing.zeroHeadWeightsOfUnvisitedChannels() == 0)
    }

    @Test("a hostile swaps file throws: a garbage, infinite or NaN change, a change without ordinary steps")
    func hostileSwapsFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-swaps-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let header = "arm,seed,task,swaps,mean_change_at_swaps,ordinary_steps,mean_ordinary_change\n"
        try Data((header + "a,1,x,3,0.5,4,\na,1,y,3,0.5,0,\n").utf8).write(to: url)
        #expect(try StudySwapSpikes.read(from: url).map(\.excess) == [nil, nil])
        for row in ["a,1,x,3,0.5,4,abc", "a,1,x,3,0.5,4,nan", "a,1,x,3,inf,4,0.1", "a,1,x,3,0.5,0,0.1",
                    "a,1,x,-3,0.5,4,0.1", "a,1,x,3,0.5,4", "a,-1,x,3,0.5,4,0.1"] {
            try Data((header + row + "\n").utf8).write(to: url)
            #expect(throws: DataLoadingError.self, "\(row)") { try StudySwapSpikes.read(from: url) }
        }
    }

    @Test("unconstrained roaming (the control) keeps the counts, may bring back visited units and never completes")
    func unconstrainedRoaming() {
        let mask = TaskMask(unitCount: 8, taskCount: 2, sharingRatio: 0.5, seed: 11)
        let network = MaximumRoamingNetwork(trunk: MaskedSequential(mask), heads: [Identity(), Identity()],
                                            updateInterval: 1, selection: .unconstrained, seed: 12)
        var returned = false
        for _ in 0..<40 {
            let visitedBefore = mask.visited.value
            #expect(network.roam())
            for swap in mask.lastSwaps where visitedBefore.scalars[swap.task * 8 + swap.added] == 1 { returned = true }
            for task in 0..<2 { #expect(mask.activeUnits(of: task).count == 4) }
        }
        #expect(returned && !network.isRoamingFinished && mask.updateCount.value.scalars[0] == 40)
    }

    @Test("whole-channel dropout in the trunk: placed after each mask, and skipping masked units still equals masking")
    func channelDropoutTrunk() {
        let tasks = (0..<2).map { TaskSpec(name: "t\($0)", kind: .classification(classCount: 2)) }
        let input = Variable(Tensor.normal([4, 3, 16, 16], seed: 13))
        func network(skipping: Bool) -> MultiTaskNetwork {
            var options = ArchitectureOptions(width: 8, sharingRatio: 0.5, seed: 14)
            options.channelDropout = 0.3
            options.skipsMaskedUnits = skipping
            return makeNetwork(.fixedPartitioning, tasks: tasks, inputShape: [3, 16, 16], options: options)
        }
        let masked = network(skipping: false), skipping = network(skipping: true)
        #expect(masked.namedRandomSources().count == 3)
        for task in 0..<2 {
            #expect(isClose(masked(input, task: task).value, skipping(input, task: task).value, rtol: 1e-4, atol: 1e-5))
        }
    }
}
