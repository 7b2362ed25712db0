import Foundation
import TaskData

extension Trainer {
    /// Appends one JSON line of an epoch's diagnostics:
    /// `{"epoch": 3, "balancer": "PCGrad", "weights": {"shape": 1.0, …},
    ///   "gradientNorms": {"shape": 0.42, …}, "gradientCosines": {"shape|colour": -0.12, …}, "conflicts": 4,
    ///   "dominance": [{"layer": "trunk.0.weight", "counts": {"shape": 310, …}, "largestFraction": 0.71}, …]}`
    /// (the statistics and dominance only when they were measured).
    func writeDiagnostics(_ record: EpochRecord, tasks: [TaskSpec], to url: URL) throws {
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\(TrainingLog.jsonString($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        func number(_ value: Double) -> String { TrainingLog.jsonNumber(value) }
        var fields: [(String, String)] = [
            ("epoch", String(record.epoch)), ("balancer", TrainingLog.jsonString(balancer.name)),
            ("weights", object(zip(tasks, record.weights).map { ($0.name, number(Double($1))) }))
        ]
        if let statistics = record.gradientStatistics {
            let names = statistics.tasks.map { tasks[$0].name }
            fields.append(("gradientNorms", object(zip(names, statistics.norms).map { ($0, number($1)) })))
            var cosines: [(String, String)] = []
            for s in names.indices {
                for t in (s + 1)..<names.count {
                    cosines.append(("\(names[s])|\(names[t])", number(statistics.cosines[s][t])))
                }
            }
            fields.append(("gradientCosines", object(cosines)))
            fields.append(("conflicts", String(statistics.conflictCount)))
        }
        if let dominance = record.dominance {
            let layers = dominance.map { layer in
                object([("layer", TrainingLog.jsonString(layer.name)),
                        ("counts", object(zip(tasks, layer.dominatedCounts).map { ($0.name, String($1)) })),
                        ("largestFraction", number(layer.largestFraction))])
            }
            fields.append(("dominance", "[" + layers.joined(separator: ", ") + "]"))
        }
        let line = object(fields) + "\n"
        try TrainingLog.append(Data(line.utf8), to: url)
    }
}
