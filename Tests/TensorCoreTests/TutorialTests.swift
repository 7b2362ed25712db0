import Testing
import Foundation

/// The tutorials never drift from code that compiles: every Swift block in `Tutorials/*.md` and in
/// the DocC articles (`Sources/*/*.docc/*.md`) must appear verbatim (as consecutive lines, ignoring
/// indentation) in a notebook, in `Sources/`, in `Tests/` (chapter 14 shows tests) or in `Templates/`
/// (the student package, which CI builds).
@Suite("Tutorials")
struct TutorialTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func files(under folder: String, withExtension fileExtension: String) -> [URL] {
        let directory = root.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == fileExtension }
            .sorted { $0.path < $1.path }
    }

    static func normalizedLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The chapters: `Tutorials/NN-name.md` (not the study results and other notes beside them).
    static var chapterFiles: [URL] {
        files(under: "Tutorials", withExtension: "md").filter {
            $0.deletingLastPathComponent().lastPathComponent == "Tutorials"
                && $0.lastPathComponent.first?.isNumber == true
        }
    }

    /// The DocC articles: the `.md` files of the `.docc` catalogs under `Sources/`.
    static var articleFiles: [URL] {
        files(under: "Sources", withExtension: "md").filter { $0.deletingLastPathComponent().pathExtension == "docc" }
    }

    @Test("every Swift block of every chapter and DocC article exists verbatim in a notebook or the sources")
    func codeBlocksExist() throws {
        let chapters = Self.chapterFiles
        #expect(chapters.count >= 5, "chapters found: \(chapters.map(\.lastPathComponent))")
        let articles = Self.articleFiles
        #expect(articles.count >= 6, "DocC articles found: \(articles.map(\.lastPathComponent))")
        let code = try (Self.files(under: "Notebooks", withExtension: "swift")
                        + Self.files(under: "Sources", withExtension: "swift")
                        + Self.files(under: "Templates", withExtension: "swift")
                        + Self.files(under: "Tests", withExtension: "swift")
                            .filter { $0.lastPathComponent != "TutorialTests.swift" })
            .map { Self.normalizedLines(try String(contentsOf: $0, encoding: .utf8)) }
        for chapter in chapters + articles {
            let text = try String(contentsOf: chapter, encoding: .utf8)
            let blocks = text.components(separatedBy: "```swift\n").dropFirst().map {
                $0.components(separatedBy: "```")[0]
            }
            for block in blocks {
                let lines = Self.normalizedLines(block)
                let found = code.contains { file in
                    file.count >= lines.count && (0...(file.count - lines.count)).contains {
                        Array(file[$0..<($0 + lines.count)]) == lines
                    }
                }
                #expect(found, """
                    \(chapter.lastPathComponent): a Swift block is not in any notebook, source or test file:
                    \(block)
                    """)
            }
        }
    }

    @Test("every notebook has a chapter, and every chapter a notebook")
    func chaptersMatchNotebooks() {
        let chapters = Set(Self.chapterFiles.map { $0.deletingPathExtension().lastPathComponent })
        let notebooks = Set(Self.files(under: "Notebooks", withExtension: "swift").map {
            $0.deletingLastPathComponent().lastPathComponent
        })
        #expect(chapters == notebooks, """
            chapters without notebooks: \(chapters.subtracting(notebooks)), \
            notebooks without chapters: \(notebooks.subtracting(chapters))
            """)
    }
}
