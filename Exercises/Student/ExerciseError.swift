// The graded exercises: one file per chapter (`Chapter03.swift` for chapter 03), each with a protocol
// that states the exercises and an enum whose bodies a student fills in. The grading suites
// (`Tests/ExerciseTests/Exercises03.swift`) check an implementation of the protocol: the reference
// solutions by default, these stubs with `MTL_GRADE=student` (README, "Exercises").

/// What an unfinished exercise throws: the stub's body until a student replaces it.
///
/// Stubs throw rather than stop the program (`fatalError`), so an unfinished exercise fails its own
/// test and every other test still runs.
public enum ExerciseError: Error, CustomStringConvertible, Equatable {
    /// The exercise named by the associated text has not been done yet.
    case notDone(String)

    /// Which exercise is not done, and where to do it.
    public var description: String {
        switch self {
        case .notDone(let exercise):
            return "exercise \(exercise) is not done yet: replace the `throw` in Exercises/Student with your code"
        }
    }
}
