import Foundation

/// Which implementation the grading suites check, read from the environment at run time (so switching
/// costs no rebuild): `MTL_GRADE=student` grades `Exercises/Student` (the stubs a student fills);
/// unset or `MTL_GRADE=reference` grades `Exercises/Solutions` — or, in a checkout without that folder
/// (a course that hands the exercises out without the answers), the student's code.
enum Grading {
    /// A value of `MTL_GRADE` that is neither "student" nor "reference" (a typo must not grade the
    /// reference solutions in place of a student's work), or "reference" without solutions.
    struct BadMode: Error, CustomStringConvertible {
        var description: String
    }

    /// `student` under `MTL_GRADE=student`, else `reference` (the student's when there is none).
    static func pick<Implementation>(student: Implementation, reference: Implementation?) throws -> Implementation {
        switch ProcessInfo.processInfo.environment["MTL_GRADE"] {
        case nil, "": return reference ?? student
        case "reference":
            guard let reference else { throw BadMode(description: "MTL_GRADE=reference: this checkout has no "
                                                     + "Exercises/Solutions (grade the student's code: unset it)") }
            return reference
        case "student": return student
        case let other?:
            throw BadMode(description: "MTL_GRADE=\(other): expected \"student\" or \"reference\" (or unset)")
        }
    }
}
