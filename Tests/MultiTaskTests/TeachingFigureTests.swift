import Foundation
import Testing
import TensorCore
import Autodiff
import MultiTask

/// The chapters' conceptual pictures: architecture diagrams, roaming masks over time, the gradient
/// geometry of two tasks — each checked for what it must show, not only for being well-formed.
@Suite("Teaching figures")
struct TeachingFigureTests {
    @Test("every architecture has a diagram; STL draws a trunk per task, hard sharing one shared trunk")
    func architectureDiagrams() {
        for architecture in Architecture.allCases {
            let svg = ArchitectureDiagram(architecture, taskCount: 3).svg()
            #expect(svg.hasPrefix("<svg") && svg.contains("</svg>"), "\(architecture)")
        }
        let stl = ArchitectureDiagram(.singleTask, taskCount: 3)
        #expect(stl.boxes.filter { $0.label.hasPrefix("trunk") }.count == 3)
        let shared = ArchitectureDiagram(.multiHead, taskCount: 3)
        #expect(shared.boxes.filter { $0.label == "shared trunk" }.count == 1)
        #expect(shared.boxes.filter { $0.label.hasPrefix("head") }.count == 3)
        #expect(ArchitectureDiagram(.softSharing, taskCount: 2).links.contains { $0.label.contains("λ") })
        #expect(ArchitectureDiagram(.maximumRoaming, taskCount: 2).boxes.filter(\.dashed).count == 2)
    }

    @Test("the mask timeline fills one dark cell per active unit and one pale cell per visited, inactive unit")
    func maskTimeline() {
        let masks = Tensor([[1, 0, 1, 0], [0, 1, 1, 0]]), visited = Tensor([[1, 1, 1, 0], [0, 1, 1, 1]])
        let timeline = MaskTimeline(title: "t", snapshots: [.init(caption: "start", masks: masks, visited: visited)])
        let svg = timeline.svg()
        let strong = ["#1f77b4", "#d62728"], pale = strong.map(MaskTimeline.pale)
        #expect(svg.components(separatedBy: "fill=\"\(strong[0])\"").count - 1 == 2)
        #expect(svg.components(separatedBy: "fill=\"\(strong[1])\"").count - 1 == 2)
        #expect(svg.components(separatedBy: "fill=\"\(pale[0])\"").count - 1 == 1)   // task 0: visited unit 1, inactive
        #expect(svg.components(separatedBy: "fill=\"\(pale[1])\"").count - 1 == 1)   // task 1: visited unit 3, inactive
    }

    @Test("the min-norm point of two gradients matches the solver's closed form; PCGrad's projection is orthogonal")
    func gradientGeometry() {
        let geometry = GradientGeometry(title: "t", first: (2, 1), second: (-1, 1.5))
        let solved = MinimumNormSolver.solve(gram: [[5, -0.5], [-0.5, 3.25]])
        #expect(Swift.abs(geometry.minimumNormWeight - solved.weights[0]) < 1e-9)
        let projected = GradientGeometry.projection((2, 1), awayFrom: (-1, 1.5))
        #expect(Swift.abs(projected.x * -1 + projected.y * 1.5) < 1e-12)
        // Gradients that agree are left alone.
        #expect(GradientGeometry.projection((1, 0), awayFrom: (1, 1)) == (1, 0))
        #expect(geometry.svg().contains("PCGrad"))
    }

    @Test("the computation graph of a small expression: leaves first, the output last, one edge per operand")
    func computationGraph() {
        let w = Variable(Tensor([[1, 2], [3, 4]]), requiresGradient: true)
        let x = Variable(Tensor([[1], [1]]))
        let loss = (w • x).squared().sum()
        let graph = ComputationGraph(of: loss, names: [(w, "w"), (x, "x")])
        #expect(graph.nodes.count == 5)
        #expect(graph.nodes.filter(\.isLeaf).map(\.label).sorted() == ["w", "x"])
        #expect(graph.nodes.last!.depth == 3 && graph.nodes.last!.shape == [])
        #expect(graph.edges.count == 4)
        #expect(graph.edges.allSatisfy { $0.parent < $0.child })
        #expect(graph.dot().contains("n0 -> ") && graph.svg().contains("</svg>"))
    }
}
