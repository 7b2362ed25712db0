import Foundation

/// Which implementation the grading suites check, read from the environment at run time (so switching
/// costs no rebuild): `MTL_GRADE=student` grades `Exercises/Student` (the stubs a student fills);
/// unset or `MTL_GRADE=reference` grades `Exercises/Solutions`.
enum Grading {
    /// A value of `MTL_GRADE` that is neither "student" nor "reference" — a typo must not grade the
    /// reference solutions in place of a student's work.
    struct UnknownMode: Error, CustomStringConvertible {
        var value: String
        var description: String { "MTL_GRADE=\(value): expected \"student\" or \"reference\" (or unset)" }
    }

    /// `student` under `MTL_GRADE=student`, else `reference`.
    static func pick<Implementation>(student: Implementation, reference: Implementation) throws -> Implementation {
        switch ProcessInfo.processInfo.environment["MTL_GRADE"] {
        case nil, "", "reference": return reference
        case "student": return student
        case let other?: throw UnknownMode(value: other)
        }
    }
}
