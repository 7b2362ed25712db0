import Foundation
import Testing
import TensorCore
import Autodiff
import NeuralNetworks
import TaskData
import MultiTask

/// Runs killed or starved at the worst moment: the checkpoint is the commit point of an epoch, the
/// logs never hold half a row or an epoch twice, and nothing is left behind.
@Suite("Interrupted runs")
struct InterruptedRunTests {
    static let data: DatasetSplits<MultiTaskDataset> = try! SyntheticDataset.regression.make(sampleCount: 80, seed: 3)

    static func trainer(epochs: Int, directory: URL) -> Trainer {
        let model = makeNetwork(.multiHead, tasks: data.train.tasks, inputShape: data.train.inputShape,
                                options: ArchitectureOptions(width: 8, seed: 4))
        return Trainer(model: model, optimizer: Adam(parameters: model.parameters(), learningRate: 1e-2),
                       configuration: .init(epochs: epochs, batchSize: 16, seed: 6,
                                            logURL: directory.appendingPathComponent("log.csv"),
                                            checkpointURL: directory.appendingPathComponent("model.mtlckpt"),
                                            showsProgress: false))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-interrupted-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func epochs(in log: URL) throws -> [Int] {
        try String(contentsOf: log,
                   encoding: .utf8).split(separator: "\n").dropFirst().map { Int($0.split(separator: ",")[0])! }
    }

    @Test("killed between the log and the checkpoint: the resumed run logs each epoch once, with a half row dropped")
    func logFollowsCheckpoint() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("model.mtlckpt"),
            log = directory.appendingPathComponent("log.csv")
        try Self.trainer(epochs: 2, directory: directory).fit(Self.data.train, validation: Self.data.validation)
        let committed = try Data(contentsOf: checkpoint)
        try Self.trainer(epochs: 3, directory: directory).resumeAndFit(checkpoint, Self.data)
        // The kill: epoch 3's rows are in the log, its checkpoint never landed, a row was cut short.
        try committed.write(to: checkpoint)
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("4,train,tas".utf8))
        try handle.close()
        #expect(try Self.epochs(in: log).contains(3))
        try Self.trainer(epochs: 3, directory: directory).resumeAndFit(checkpoint, Self.data)
        let epochs = try Self.epochs(in: log)
        #expect(epochs.filter { $0 == 3 }.count == epochs.filter { $0 == 1 }.count, "epochs logged: \(epochs)")
        #expect(Set(epochs) == [1, 2, 3])
        #expect(try String(contentsOf: log, encoding: .utf8).hasSuffix("\n"))
    }

    @Test("JSON-lines logs are cut back the same way")
    func truncateJSONLines() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("{\"epoch\": 1, \"a\": 1}\n{\"epoch\": 2, \"a\": 2}\n{\"epoch\": 3, \"a\"".utf8).write(to: url)
        try TrainingLog.truncate(url, afterEpoch: 1)
        #expect(try String(contentsOf: url, encoding: .utf8) == "{\"epoch\": 1, \"a\": 1}\n")
    }

    @Test("CSV logs keep whole rows only: a last line without its line end is dropped even at a kept epoch")
    func truncateCSV() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtk-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("epoch,split\n1,train\n2,train\n2,train,tas".utf8).write(to: url)
        try TrainingLog.truncate(url, afterEpoch: 2)
        #expect(try String(contentsOf: url, encoding: .utf8) == "epoch,split\n1,train\n2,train\n")
    }

    @Test("""
        temporary files of a killed write are removed — whatever their process id — and one being written \
        is kept
        """)
    func staleTemporaryFiles() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Left by killed writers: one with another id, one with this process's own id (ids are reused).
        let stale = directory.appendingPathComponent(".model.mtlckpt.4000001.12345.tmp")
        let ownId = directory.appendingPathComponent(".model.mtlckpt.\(getpid()).777.tmp")
        // Being written: its writer holds the lock.
        let live = directory.appendingPathComponent(".model.mtlckpt.1.12345.tmp")
        for url in [stale, ownId, live] {
            #expect(FileManager.default.createFile(atPath: url.path, contents: Data([1, 2])))
        }
        let writer = open(live.path, O_RDWR)
        defer { close(writer) }
        #expect(flock(writer, LOCK_EX) == 0)
        try Self.trainer(epochs: 1, directory: directory).fit(Self.data.train)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(!FileManager.default.fileExists(atPath: ownId.path))
        #expect(FileManager.default.fileExists(atPath: live.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".tmp")
        }
        #expect(leftovers == [live.lastPathComponent])
    }

    @Test("a full disk while appending the log is a thrown error naming the reason, not a trap")
    func fullDisk() throws {
        let tasks = Self.data.train.tasks
        // /dev/full accepts the open and refuses every write with ENOSPC.
        let log = try TrainingLog(url: URL(fileURLWithPath: "/dev/full"), tasks: tasks, appending: true)
        let evaluation = TaskEvaluation(task: tasks[0].name, loss: 1, metrics: [:], mainMetric: tasks[0].metrics[0])
        do {
            try log.write(epoch: 1, split: "train", evaluations: [evaluation])
            Issue.record("the write to /dev/full succeeded")
        } catch let error as TrainingError {
            #expect("\(error)".contains("no space left"), "\(error)")
        }
    }
}

extension Trainer {
    /// Resumes from `checkpoint` when it exists, then trains on the data's training split.
    func resumeAndFit(_ checkpoint: URL, _ data: DatasetSplits<MultiTaskDataset>) throws {
        if FileManager.default.fileExists(atPath: checkpoint.path) { try resume(from: checkpoint) }
        try fit(data.train, validation: data.validation)
    }
}
