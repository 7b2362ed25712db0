import Foundation
import Testing
import MultiTaskKit

/// `mtl relations` and the grouped study arms, run as a user runs them.
@Suite("Relations command")
struct RelationsCommandTests {
    typealias CLI = CommandLineTests

    @Test("mtl relations prints the matrix, the sources and the groups, and writes the CSV and the heat map")
    func relationsRun() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLI.mtl(["relations", "--dataset", "regression", "--samples", "300", "--method", "gradient",
                                   "--epochs", "2", "--budget", "1", "--groups", "2", "--threads", "1",
                                   "--output", directory.path])
        #expect(outcome.status == 0, "status \(outcome.status): \(outcome.error)")
        #expect(outcome.output.contains("gradient affinity on regression"), "\(outcome.output)")
        #expect(outcome.output.contains("best sources for a budget of 1"), "\(outcome.output)")
        #expect(outcome.output.contains("best 2 groups: {task0} {task1}"), "\(outcome.output)")
        let svg = try String(contentsOf: directory.appendingPathComponent("affinity.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("task1"), "affinity.svg")
        let csv = try String(contentsOf: directory.appendingPathComponent("affinity.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("source,task0,task1\n") && csv.split(separator: "\n").count == 3, "\(csv)")
    }

    @Test("mtl relations reads the user's own table: Taskonomy transfers between its three tasks")
    func relationsOnUserData() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let table = try UserDataTests.write(UserDataTests.csv(UserDataTests.table(rows: 80)), "table.csv",
                                            in: directory)
        let outcome = try CLI.mtl(["relations", "--data", table, "--tasks", "species,weight,attributes=smiling+glasses",
                                   "--method", "taskonomy", "--epochs", "2", "--readout-epochs", "1", "--budget", "2",
                                   "--groups", "2", "--threads", "1"])
        #expect(outcome.status == 0, "status \(outcome.status): \(outcome.error)")
        #expect(outcome.output.contains("taskonomy affinity on table.csv"), "\(outcome.output)")
        #expect(outcome.output.contains("species") && outcome.output.contains("attributes"), "\(outcome.output)")
        #expect(outcome.output.contains("best 2 groups: {"), "\(outcome.output)")
    }

    @Test("mtl relations refuses bad values with status 2")
    func relationsRefusals() throws {
        #expect(try CLI.mtl(["relations", "--method", "nope"]).refused(saying: "--method"))
        #expect(try CLI.mtl(["relations", "--budget", "9", "--samples", "100"]).refused(saying: "only 2 tasks"))
        #expect(try CLI.mtl(["relations", "--groups", "3", "--samples", "100"]).refused(saying: "--groups 3"))
        #expect(try CLI.mtl(["study", "--arms", "multi-head+groups=0.x", "--quick"]).refused(saying: "groups must"))
        #expect(try CLI.mtl(["study", "--arms", "multi-head+groups=0.1/1", "--quick", "--noise-floor", "off"])
            .refused(saying: "task groups must split"))
    }

    @Test("a study arm with task groups trains one network per group")
    func groupedArm() throws {
        let outcome = try CLI.mtl(["study", "--dataset", "regression", "--arms", "multi-head,multi-head+groups=0/1,stl",
                                   "--quick", "--noise-floor", "off", "--threads", "1"])
        #expect(outcome.status == 0, "status \(outcome.status): \(outcome.error)")
        #expect(outcome.output.contains("multi-head+groups=0/1"), "\(outcome.output)")
    }
}
