import Foundation
import TensorCore

/// The graph of operations that produced a `Variable` — what `backward()` walks in reverse — as a
/// picture: every node is an operation (or a leaf: an input or a parameter), every arrow a
/// parent → child edge. Leaves are drawn on the left, the output on the right; a node's column is
/// its depth (the longest path from a leaf; a leaf stands just before its first consumer), so each
/// arrow points rightward.
///
/// ```swift
/// let graph = ComputationGraph(of: loss, names: [(w, "w"), (x, "x")])
/// try graph.svg().write(to: url, atomically: true, encoding: .utf8)   // or graph.dot() for Graphviz
/// ```
public struct ComputationGraph {
    /// A node: its label (the operation, or the name given for a leaf) and its value's shape.
    public struct Node: Sendable {
        /// The operation's name (e.g. "matmul"); for a leaf, its name in `names`, else "parameter" or "constant".
        public var label: String
        /// The shape of the node's value, shown under its label.
        public var shape: [Int]
        /// Whether the node has no parents (an input, a parameter or a constant) rather than being an operation.
        public var isLeaf: Bool
        /// Whether the node's variable requires a gradient (a parameter, or an operation downstream of one).
        public var requiresGradient: Bool
        /// The column in the drawing: an operation's longest path from a leaf; a leaf's first
        /// consumer's column minus one.
        public var depth: Int
    }

    /// Nodes in topological order (parents before children); the output is last.
    public private(set) var nodes: [Node] = []
    /// Edges as (parent, child) indices into `nodes`.
    public private(set) var edges: [(parent: Int, child: Int)] = []

    /// The graph of `output`; `names` labels the leaves you know (inputs, parameters).
    public init(of output: Variable, names: [(variable: Variable, name: String)] = []) {
        var index: [ObjectIdentifier: Int] = [:]
        let labels = Dictionary(names.map { (ObjectIdentifier($0.variable), $0.name) }, uniquingKeysWith: { first,
            _ in first })
        // Depth-first post-order: every parent is numbered before its children.
        func visit(_ variable: Variable) -> Int {
            if let known = index[ObjectIdentifier(variable)] { return known }
            let parents = variable.parents.map(visit)
            let depth = (parents.map { nodes[$0].depth }.max() ?? -1) + 1
            let label = labels[ObjectIdentifier(variable)]
                ?? (variable.isLeaf ? (variable.requiresGradient ? "parameter" : "constant") : variable.operation)
            nodes.append(Node(label: label, shape: variable.shape, isLeaf: variable.isLeaf,
                              requiresGradient: variable.requiresGradient, depth: depth))
            let own = nodes.count - 1
            for parent in parents { edges.append((parent, own)) }
            index[ObjectIdentifier(variable)] = own
            return own
        }
        _ = visit(output)
        // Leaves sit in the column just before their first consumer, so their arrows stay short.
        for leaf in nodes.indices where nodes[leaf].isLeaf {
            let consumers = edges.filter { $0.parent == leaf }.map { nodes[$0.child].depth }
            if let first = consumers.min() { nodes[leaf].depth = Swift.max(0, first - 1) }
        }
    }

    /// The graph in Graphviz's DOT language.
    public func dot() -> String {
        var lines = ["digraph computation {", "  rankdir=LR;"]
        for (number, node) in nodes.enumerated() {
            let style = node.isLeaf
                ? (node.requiresGradient ? "shape=box,style=filled,fillcolor=\"#fde7c8\"" : "shape=box")
                : "shape=ellipse"
            lines.append("  n\(number) [label=\"\(node.label)\\n\(node.shape)\",\(style)];")
        }
        for edge in edges { lines.append("  n\(edge.parent) -> n\(edge.child);") }
        return (lines + ["}"]).joined(separator: "\n") + "\n"
    }

    /// The graph as an SVG picture: columns by depth; parameters shaded, inputs plain, operations
    /// rounded.
    public func svg(columnWidth: Double = 130, rowHeight: Double = 64) -> String {
        let columns = Dictionary(grouping: nodes.indices, by: { nodes[$0].depth })
        var position: [Int: (x: Double, y: Double)] = [:]
        let rows = columns.values.map(\.count).max() ?? 1
        for (depth, members) in columns {
            for (row, member) in members.enumerated() {
                let offset = Double(rows - members.count) * rowHeight / 2
                position[member] = (40 + Double(depth) * columnWidth, 40 + offset + Double(row) * rowHeight)
            }
        }
        let width = 80 + Double((columns.keys.max() ?? 0) + 1) * columnWidth, height = 60 + Double(rows) * rowHeight
        var body = ""
        let boxWidth = columnWidth * 0.72, boxHeight = rowHeight * 0.62
        for edge in edges {
            let from = position[edge.parent]!, to = position[edge.child]!
            body += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" "
                           + "marker-end=\"url(#arrow)\"/>\n",
                           from.x + boxWidth, from.y + boxHeight / 2, to.x - 2, to.y + boxHeight / 2)
        }
        for (number, node) in nodes.enumerated() {
            let at = position[number]!
            let fill = node.isLeaf ? (node.requiresGradient ? "#fde7c8" : "#ffffff") : "#dbe9f6"
            let radius = node.isLeaf ? 2 : 12
            body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%d\" fill=\"%@\" "
                           + "stroke=\"#333\"/>\n", at.x, at.y, boxWidth, boxHeight, radius, fill)
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">%@</text>\n",
                           at.x + boxWidth / 2, at.y + boxHeight / 2 - 2, Self.escaped(node.label))
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
                           + "fill=\"#555\">%@</text>\n",
                           at.x + boxWidth / 2, at.y + boxHeight / 2 + 12, "\(node.shape)")
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="Helvetica, Arial, sans-serif">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto">\
            <path d="M0 0L10 5L0 10z" fill="#555"/></marker></defs>
            <rect width="100%" height="100%" fill="white"/>
            \(body)</svg>

            """
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
