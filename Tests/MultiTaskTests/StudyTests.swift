import Foundation
import Testing
import TensorCore
import TaskData
import MultiTask

/// The findings protocol: paired seeds, bootstrap intervals, selection on validation, resumable studies.
@Suite("Study protocol")
struct StudyTests {
    @Test("the bootstrap interval of a hand-computable case: differences {0, 1} give [0, 1]; constant ones a point")
    func bootstrapByHand() {
        // Resampling two values: means 0, ½, 1 with probabilities ¼, ½, ¼ — the 2.5th percentile is 0
        // and the 97.5th is 1.
        let two = PairedComparison(differences: [0, 1], seed: 3)
        #expect(two.mean == 0.5)
        #expect(two.confidenceInterval == (lower: 0, upper: 1))
        #expect(Swift.abs(two.standardDeviation - 0.5.squareRoot()) < 1e-12)
        let constant = PairedComparison(differences: [2, 2, 2, 2, 2], seed: 1)
        #expect(constant.confidenceInterval == (lower: 2, upper: 2) && constant.verdict == "better")
        // A symmetric set around 0: the interval straddles 0.
        let symmetric = PairedComparison(differences: [-2, -1, 0, 1, 2, -1.5, 1.5], seed: 5)
        #expect(symmetric.confidenceInterval.lower < 0 && symmetric.confidenceInterval.upper > 0)
        #expect(symmetric.verdict == "no detectable difference")
        #expect(PairedComparison(differences: [1, 2], seed: 0).verdict.hasPrefix("too few seeds"))
        // The same seed, the same interval; the interval lies inside the data's range.
        let values = (0..<12).map { Double($0 % 5) - 1.2 }
        #expect(PairedComparison(differences: values, seed: 9) == PairedComparison(differences: values, seed: 9))
        let interval = PairedComparison(differences: values, seed: 9).confidenceInterval
        #expect(interval.lower >= values.min()! && interval.upper <= values.max()! && interval.lower < interval.upper)
    }

    @Test("paired differences subtract seed by seed")
    func pairedDifferences() {
        let comparison = PairedComparison([3, 5, 9], minus: [1, 4, 10])
        #expect(comparison.differences == [2, 1, -1])
        #expect(Swift.abs(comparison.mean - 2.0 / 3) < 1e-12)
    }

    static func evaluations(_ values: [Double], metric: MetricKind = .accuracy) -> [TaskEvaluation] {
        values.enumerated().map { TaskEvaluation(task: "t\($0.offset)", loss: 1, metrics: [metric: $0.element],
                                                 mainMetric: metric) }
    }

    @Test("""
        model selection picks the best validation epoch (jointly or per task), in the metric's direction, and stops by \
        patience
        """)
    func selection() {
        let history = [[0.5, 0.9], [0.7, 0.6], [0.6, 0.95], [0.65, 0.5]].map { Self.evaluations($0) }
        // Scores relative to epoch 1: (0.5/0.5 + 0.9/0.9)/2 = 1, (1.4 + 0.667)/2 = 1.033,
        // (1.2 + 1.056)/2 = 1.128, (1.3 + 0.556)/2 = 0.928: the third epoch (index 2).
        #expect(ModelSelection().selectedEpochs(history) == [2, 2])
        #expect(ModelSelection(perTask: true).selectedEpochs(history) == [1, 2])
        #expect(ModelSelection(lastEpoch: true).selectedEpochs(history) == [3, 3])
        // Lower is better for an error.
        let errors = [[2.0], [1.0], [1.5]].map { Self.evaluations($0, metric: .meanSquaredError) }
        #expect(ModelSelection().selectedEpochs(errors) == [1])
        // The best epoch is one epoch back: patience 1 stops, patience 2 goes on.
        #expect(!ModelSelection(patience: 1).shouldStop(Array(history.prefix(3))))
        #expect(ModelSelection(patience: 1).shouldStop(history))
        #expect(!ModelSelection(patience: 2).shouldStop(history))
        #expect(ModelSelection(patience: 2).shouldStop(history + [Self.evaluations([0.1, 0.1])]))
        // Only epochs from `from` on are eligible (the budget counted after roaming): from index 3 the
        // weaker fourth epoch is the best, and patience counts from it.
        #expect(ModelSelection().selectedEpochs(history, from: 3) == [3, 3])
        #expect(ModelSelection(perTask: true).selectedEpochs(history, from: 3) == [3, 3])
        #expect(!ModelSelection(patience: 1).shouldStop(history, from: 3))
        #expect(!ModelSelection(patience: 1).shouldStop(Array(history.prefix(2)), from: 3))
        #expect(ModelSelection(patience: 1).shouldStop(history + [Self.evaluations([0.1, 0.1])], from: 3))
    }

    static func study(resultsURL: URL? = nil, seeds: [UInt64] = [0, 1]) -> Study {
        let arms = [StudyArm(name: "stl", architecture: .singleTask, options: ArchitectureOptions(width: 8),
                             learningRate: 3e-3, batchSize: 32),
                    StudyArm(name: "multi-head", architecture: .multiHead, options: ArchitectureOptions(width: 8),
                             learningRate: 3e-3, batchSize: 32)]
        return Study(arms: arms, seeds: seeds, maximumEpochs: 4, patience: 2, baseline: "stl",
                     resultsURL: resultsURL) { seed in
            try SyntheticDataset.regression.make(sampleCount: 200, seed: seed, correlation: 0.9)
        }.addingNoiseFloor()
    }

    @Test("an expert arm's counts are in the recorded settings (when not the defaults), so studies never mix them")
    func expertCountsRecorded() throws {
        var four = ArchitectureOptions(width: 8)
        four.expertCount = 4
        func settings(_ options: ArchitectureOptions) -> String? {
            Study(arms: [StudyArm(name: "mmoe", architecture: .mixtureOfExperts, options: options)], seeds: [0],
                  maximumEpochs: 1, baseline: "mmoe") { _ in throw StudyError.noCompleteSeed }
                .recordedSettings["arm.mmoe"]
        }
        #expect(settings(four)?.hasSuffix(" experts 4 shared-experts 1 task-experts 1 levels 2") == true)
        // The defaults add nothing, so settings files written before the counts were recorded still match.
        #expect(settings(ArchitectureOptions(width: 8))?.hasSuffix("offset 0") == true)
        // A study of the same arm name with other counts is refused, not mixed in.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-experts-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url.appendingPathExtension("settings")) }
        let make = { (options: ArchitectureOptions) in
            var study = Study(arms: [StudyArm(name: "mmoe", architecture: .mixtureOfExperts, options: options)],
                              seeds: [0], maximumEpochs: 1, baseline: "mmoe", resultsURL: url) { _ in
                throw StudyError.noCompleteSeed
            }
            study.trainsMissingRuns = false
            return study
        }
        // The first study records its settings (and has no finished seed to summarize).
        #expect(throws: StudyError.noCompleteSeed) { try make(four).run() }
        var two = four
        two.expertCount = 2
        let error = #expect(throws: StudyError.self) { try make(two).run() }
        guard case .changedSettings(_, let differences)? = error else {
            Issue.record("expected changedSettings, got \(String(describing: error))")
            return
        }
        #expect(differences.count == 1 && differences[0].hasPrefix("arm.mmoe:")
                && differences[0].contains("experts 4 shared-experts 1 task-experts 1 levels 2 then")
                && differences[0].hasSuffix("experts 2 shared-experts 1 task-experts 1 levels 2 now"), "\(differences)")
    }

    @Test("a study is deterministic for its seeds, pairs runs by seed, and resumes from its runs file")
    func deterministicAndResumable() throws {
        let first = try Self.study().run()
        let second = try Self.study().run()
        #expect(first.runs.map(\.test) == second.runs.map(\.test))
        #expect(first.runs.map(\.selectedEpochs) == second.runs.map(\.selectedEpochs))
        #expect(first.runs.count == 6 && first.pairedSeeds("multi-head") == [0, 1])
        #expect(first.deltaM(of: "stl").allSatisfy { $0 == 0 })
        #expect(first.deltaM(of: "multi-head").count == 2)
        // Selected epochs are within the epochs trained; test metrics come from the selected epoch.
        for run in first.runs { #expect(run.selectedEpochs.allSatisfy { $0 >= 1 && $0 <= run.epochsTrained }) }

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-study-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        var fresh = 0
        _ = try Self.study(resultsURL: url, seeds: [0]).run { _, isNew in if isNew { fresh += 1 } }
        #expect(fresh == 3)
        // Summarizing only: seed 1 has no runs yet, so the summary holds seed 0 and trains nothing.
        var summary = Self.study(resultsURL: url, seeds: [0, 1])
        summary.trainsMissingRuns = false
        fresh = 0
        let partial = try summary.run { _, isNew in if isNew { fresh += 1 } }
        #expect(fresh == 0 && partial.seeds == [0] && partial.runs.count == 3)
        var nothing = Self.study(resultsURL: url, seeds: [1])
        nothing.trainsMissingRuns = false
        #expect(throws: StudyError.noCompleteSeed) { try nothing.run() }
        // Killed while writing a row: the partial row is dropped, the finished runs are kept.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("multi-head,1,3".utf8))
        try handle.close()
        fresh = 0
        let resumed = try Self.study(resultsURL: url, seeds: [0, 1]).run { _, isNew in if isNew { fresh += 1 } }
        #expect(fresh == 3, "the rerun trained \(fresh) runs, not only seed 1's three")
        #expect(try StudyResult.readRuns(from: url).count == 6)
        for run in resumed.runs {
            let original = first.runs.first { $0.arm == run.arm && $0.seed == run.seed }!
            #expect(run.test == original.test && run.selectedEpochs == original.selectedEpochs,
                    "\(run.arm) seed \(run.seed)")
        }
        #expect(resumed.mismatches(against: first.runs).isEmpty)
        var altered = first.runs
        altered[0].test[0] += 1
        #expect(resumed.mismatches(against: altered) == ["\(altered[0].arm) seed \(altered[0].seed)"])
        try resumed.checkReproduces(runsAt: url)
        var extra = resumed
        extra.runs[0].seed = 7
        extra.runs[1].test[0] += 1
        #expect(throws: StudyError.notReproduced(path: url.path, runs: [
            "\(extra.runs[0].arm) seed 7 (not in the file)", "\(extra.runs[1].arm) seed \(extra.runs[1].seed)",
        ])) { try extra.checkReproduces(runsAt: url) }
        // Each task's term of Δm%: Δm% is their mean over the tasks, seed by seed.
        let terms = resumed.tasks.indices.map { resumed.taskTerms(of: "multi-head", task: $0) }
        for (index, value) in resumed.deltaM(of: "multi-head").enumerated() {
            let mean = terms.map { $0[index] }.reduce(0, +) / Double(terms.count)
            #expect(Swift.abs(mean - value) < 1e-9 * Swift.max(1, Swift.abs(value)))
        }
        #expect(resumed.taskTermTable().contains("| multi-head | ") && !resumed.taskTermTable().contains("| stl | "))
        let table = resumed.markdownTable()
        #expect(table.contains("2 seeds") && table.contains("multi-head") && table.contains("stl re-init"))
        #expect(resumed.deltaMChart(title: "t").svg().contains("<path"))
    }

    @Test("""
        with the budget counted after roaming, a roaming run trains until r(c) = 1 and then its budget, is selected \
        only from there, and writes its learning curve (read back, a rerun's rows replacing the old)
        """)
    func budgetAfterRoamingAndCurves() throws {
        var options = ArchitectureOptions(width: 4, sharingRatio: 0.5, updateInterval: 1)
        options.skipsMaskedUnits = true
        let arms = [StudyArm(name: "fixed", architecture: .fixedPartitioning, options: options, batchSize: 32),
                    StudyArm(name: "roaming", architecture: .maximumRoaming, options: options, batchSize: 32)]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-curves-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var study = Study(arms: arms, seeds: [3], maximumEpochs: 2, baseline: "fixed",
                          resultsURL: directory.appendingPathComponent("runs.csv")) { seed in
            try SyntheticDataset.shapes.make(sampleCount: 120, seed: seed)
        }
        study.countsEpochsAfterRoaming = true
        study.curvesURL = directory.appendingPathComponent("curves.csv")
        let result = try study.run()
        let curves = try StudyCurves.read(from: study.curvesURL!)
        let fixed = result.runs(of: "fixed")[0], roaming = result.runs(of: "roaming")[0]
        #expect(fixed.epochsTrained == 2)
        #expect(curves.filter { $0.arm == "fixed" }.allSatisfy { $0.progress == nil && $0.coverage == 0.5 })
        let roamingCurve = curves.filter { $0.arm == "roaming" }
        #expect(roamingCurve.map(\.epoch) == Array(1...roaming.epochsTrained))
        // r(c) rises to 1; the budget of 2 epochs starts with the epoch in which it got there.
        let completed = roamingCurve.first { $0.progress == 1 }!.epoch
        #expect(completed > 1, "roaming completed in the first epoch: the test needs a longer roaming")
        #expect(zip(roamingCurve, roamingCurve.dropFirst()).allSatisfy { $0.progress! <= $1.progress! })
        #expect(roaming.epochsTrained == completed + 1)
        #expect(roaming.selectedEpochs.allSatisfy { $0 >= completed })
        #expect(roamingCurve[roaming.selectedEpochs[0] - 1].test == roaming.test)
        // Without the rule the same run trains 2 epochs, its progress still below 1.
        let plain = try Study.trainRecordingCurve(arms[1], seed: 3, data: try SyntheticDataset.shapes.make(
            sampleCount: 120, seed: 3), maximumEpochs: 2, patience: nil)
        #expect(plain.run.epochsTrained == 2 && plain.curve.last!.progress! < 1)
        #expect(plain.curve.map(\.test) == Array(roamingCurve.prefix(2)).map(\.test))
        // A run written twice (killed before its runs row, trained again): the last rows count.
        try StudyCurves.append(plain.curve, tasks: result.tasks, to: study.curvesURL!)
        let reread = try StudyCurves.read(from: study.curvesURL!)
        #expect(reread.filter { $0.arm == "roaming" } == plain.curve)
        #expect(reread.filter { $0.arm == "fixed" }.count == 2)
    }

    @Test("swaps.csv gets one row per task of every roaming run (none for other arms) and reads back")
    func swapsFile() throws {
        var options = ArchitectureOptions(width: 8, sharingRatio: 0.5, updateInterval: 2)
        options.skipsMaskedUnits = true
        var everyBatch = options
        everyBatch.updateInterval = 1
        let arms = [StudyArm(name: "fixed", architecture: .fixedPartitioning, options: options, batchSize: 16),
                    StudyArm(name: "roaming", architecture: .maximumRoaming, options: options, batchSize: 16),
                    StudyArm(name: "every-batch", architecture: .maximumRoaming, options: everyBatch, batchSize: 16)]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-swaps-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var study = Study(arms: arms, seeds: [3, 4], maximumEpochs: 2, baseline: "fixed",
                          resultsURL: directory.appendingPathComponent("runs.csv")) { seed in
            try SyntheticDataset.shapes.make(sampleCount: 120, seed: seed)
        }
        study.swapsURL = directory.appendingPathComponent("swaps.csv")
        let result = try study.run()
        let all = try StudySwapSpikes.read(from: study.swapsURL!)
        let rows = all.filter { $0.arm == "roaming" }
        #expect(all.count == 4 * result.tasks.count && !all.contains { $0.arm == "fixed" })
        #expect(rows.map(\.task) == (result.tasks + result.tasks).map(\.name))
        #expect(rows.allSatisfy { $0.swapCount >= 1 && $0.ordinaryCount >= 1 && $0.excess?.isFinite == true })
        // Roaming every batch leaves no ordinary step while it lasts: no yardstick, no excess.
        #expect(all.filter { $0.arm == "every-batch" }.allSatisfy {
            $0.swapCount >= 1 && $0.ordinaryCount == 0 && $0.excess == nil
        })
        // The rows equal a rerun's recorder (training is deterministic), and a row written twice counts once.
        let again = try Study.trainRecordingCurve(arms[1], seed: 3, data: try SyntheticDataset.shapes.make(
            sampleCount: 120, seed: 3), maximumEpochs: 2, patience: nil).swaps
        #expect(again == rows.filter { $0.seed == 3 })
        try StudySwapSpikes.append(again, to: study.swapsURL!)
        #expect(try StudySwapSpikes.read(from: study.swapsURL!).count == all.count)
        try Data("arm,seed\nx,1\n".utf8).write(to: study.swapsURL!)
        #expect(throws: DataLoadingError.self) { try StudySwapSpikes.read(from: study.swapsURL!) }
        // A swap-cost option on an arm that is not one roaming network is refused before any training.
        var zeroed = arms[0]
        zeroed.zeroesUnvisitedHeadWeights = true
        let refused = Study(arms: [arms[1], zeroed], seeds: [3], maximumEpochs: 1, baseline: "roaming") { _ in
            Issue.record("the data were made: training started")
            return try SyntheticDataset.shapes.make(sampleCount: 120, seed: 3)
        }
        #expect(throws: StudyError.swapOptionNeedsRoaming(arm: "fixed")) { try refused.run() }
    }
}
