// REFERENCE SOLUTIONS — students: do not read these files before you have done the exercises.
//
// Each `ChapterNNReference` solves the exercises its chapter's protocol (`Exercises/Student/ChapterNN.swift`)
// states. The grading suites check these by default, so the repository's CI proves that every suite passes
// on a correct solution; `MTL_GRADE=student` grades the student's stubs instead. A teacher who hands out
// the exercises without the answers deletes this folder and its target (README, "For teachers").
