import Foundation
import TensorCore

/// A boxes-and-arrows picture of how an architecture shares: what every task passes through
/// (blue), what belongs to one task (its own colour), the task descriptor of the conditioned
/// networks, soft sharing's coupling penalty, cross-stitch units and the masks of Maximum Roaming.
/// The chapters draw one per architecture they introduce.
public struct ArchitectureDiagram {
    /// A box: its text, its place on a grid (column, row; fractional values allowed) and colour.
    public struct Box {
        /// The text in the box (e.g. "shared trunk", "head 0").
        public var label: String
        public var column: Double, row: Double
        /// The fill, an SVG colour: blue for shared parts, the task's colour for its own.
        public var colour: String
        /// A dashed outline, for a part that changes during training (Maximum Roaming's masks).
        public var dashed = false
    }

    /// The title above the picture (the architecture's name).
    public var title: String
    /// The boxes, in the order arrows index them.
    public var boxes: [Box] = []
    /// Arrows between boxes (indices into `boxes`), with an optional label.
    public var arrows: [(from: Int, to: Int, label: String)] = []
    /// Dashed links without direction (soft sharing's coupling).
    public var links: [(from: Int, to: Int, label: String)] = []

    static let shared = "#cfe2f3", descriptor = "#fff2cc", neutral = "#ffffff"
    static let taskColours = ["#f4cccc", "#d9ead3", "#ead1dc", "#fce5cd", "#d0e0e3", "#e6e6fa", "#f9f0c1", "#dddddd"]

    /// An empty picture titled `title`, for drawing one of your own.
    public init(title: String) { self.title = title }

    @discardableResult
    mutating func box(_ label: String, _ column: Double, _ row: Double, _ colour: String = ArchitectureDiagram.neutral,
                      dashed: Bool = false) -> Int {
        boxes.append(Box(label: label, column: column, row: row, colour: colour, dashed: dashed))
        return boxes.count - 1
    }

    /// The standard picture of `architecture` with `taskCount` tasks (2–4 read best).
    public init(_ architecture: Architecture, taskCount: Int = 2) {
        self.init(title: Self.title(of: architecture))
        let tasks = 0..<taskCount
        let middle = Double(taskCount - 1) / 2
        func taskColour(_ task: Int) -> String { Self.taskColours[task % Self.taskColours.count] }
        switch architecture {
        case .singleTask:
            for task in tasks {
                let input = box("x", 0, Double(task))
                let trunk = box("trunk \(task)", 1, Double(task), taskColour(task))
                let head = box("head \(task)", 2, Double(task), taskColour(task))
                let output = box("ŷ\(task)", 3, Double(task))
                arrows += [(input, trunk, ""), (trunk, head, ""), (head, output, "")]
            }
        case .multiHead:
            let input = box("x", 0, middle), trunk = box("shared trunk", 1, middle, Self.shared)
            arrows.append((input, trunk, ""))
            for task in tasks {
                let head = box("head \(task)", 2, Double(task), taskColour(task)), output = box("ŷ\(task)", 3,
                    Double(task))
                arrows += [(trunk, head, "Z"), (head, output, "")]
            }
        case .concatenation, .additive, .multiplicative, .film:
            let input = box("x", 0, 0), descriptor = box("task t (e_t)", 0, 1, Self.descriptor)
            let how: String
            switch architecture {
            case .concatenation: how = "[x ; e_t]"
            case .additive: how = "h + W e_t"
            case .multiplicative: how = "h ⊙ W e_t"
            default: how = "γ_t ⊙ h + β_t"
            }
            let network = box("shared network, \(how)", 1.2, 0.5, Self.shared)
            let output = box("ŷ_t", 2.5, 0.5)
            arrows += [(input, network, ""), (descriptor, network, "conditions"), (network, output, "")]
        case .softSharing, .crossStitch:
            var previous: [Int] = []
            for task in tasks {
                let input = box("x", 0, Double(task))
                let first = box("layer 1", 1, Double(task), taskColour(task))
                let second = box("layer 2", 2.2, Double(task), taskColour(task))
                let output = box("ŷ\(task)", 3.2, Double(task))
                arrows += [(input, first, ""), (first, second, ""), (second, output, "")]
                previous.append(first)
                previous.append(second)
            }
            if architecture == .softSharing {
                for task in tasks.dropFirst() {
                    links.append((previous[0], previous[2 * task], "λ‖θ₀ − θ_t‖²"))
                    links.append((previous[1], previous[2 * task + 1], ""))
                }
            } else {
                let stitch = box("cross-stitch α", 1.6, middle, Self.descriptor)
                for task in tasks { arrows += [(previous[2 * task], stitch, ""), (stitch, previous[2 * task + 1], "")] }
            }
        case .maximumRoaming, .fixedPartitioning, .squeezeExcitation:
            let input = box("x", 0, middle)
            let layer = box("shared layer", 1, middle, Self.shared)
            arrows.append((input, layer, ""))
            let roaming = architecture == .maximumRoaming
            let gate = { (task: Int) in
                architecture == .squeezeExcitation ? "SE gate s_\(task)(h)"
                    : roaming ? "mask m_\(task) (roams)" : "mask m_\(task) (fixed)"
            }
            for task in tasks {
                let mask = box(gate(task), 2.1, Double(task),
                               taskColour(task),
                               dashed: roaming)
                let head = box("head \(task)", 3.2, Double(task), taskColour(task)), output = box("ŷ\(task)", 4.2,
                    Double(task))
                arrows += [(layer, mask, ""), (mask, head, ""), (head, output, "")]
            }
        case .mixtureOfExperts, .customizedGateControl, .progressiveLayeredExtraction:
            drawExperts(architecture, taskCount: taskCount)
        case .multiTaskAttention:
            let input = box("x", 0, middle)
            let trunk = box("shared stages p_1…p_J", 1, middle, Self.shared)
            arrows.append((input, trunk, ""))
            for task in tasks {
                let attention = box("mask a_\(task) ⊙ p_j", 2.1, Double(task), taskColour(task))
                let head = box("head \(task)", 3.2, Double(task), taskColour(task))
                let output = box("ŷ\(task)", 4.2, Double(task))
                arrows += [(trunk, attention, "every j"), (attention, head, ""), (head, output, "")]
            }
        }
    }

    static func title(of architecture: Architecture) -> String {
        switch architecture {
        case .singleTask: return "Single-task networks: nothing shared"
        case .multiHead: return "Hard sharing: one trunk, a head per task"
        case .concatenation, .additive, .multiplicative, .film:
            return "Task conditioning (\(architecture.rawValue)): one network, the task as an input"
        case .softSharing: return "Soft sharing: a network per task, pulled together by a penalty"
        case .crossStitch: return "Cross-stitch: columns mixed by learned α between layers"
        case .maximumRoaming: return "Maximum Roaming: per-task unit masks that roam over training"
        case .fixedPartitioning: return "Fixed partitioning: per-task unit masks, fixed"
        case .squeezeExcitation: return "SE-MTL: per-task squeeze-and-excitation gates on shared layers"
        case .mixtureOfExperts: return "MMoE: shared experts, a softmax gate per task"
        case .customizedGateControl: return "CGC: shared and task-specific experts, a gate per task"
        case .progressiveLayeredExtraction: return "PLE: stacked CGC levels, a shared gate between them"
        case .multiTaskAttention: return "MTAN: per-task attention masks over every stage of a shared trunk"
        }
    }

    /// The SVG document.
    public func svg(columnWidth: Double = 150, rowHeight: Double = 70) -> String {
        let boxWidth = columnWidth * 0.78, boxHeight = rowHeight * 0.6
        func corner(_ box: Box) -> (x: Double, y: Double) { (30 + box.column * columnWidth, 50 + box.row * rowHeight) }
        let width = 60 + ((boxes.map(\.column).max() ?? 0) + 1) * columnWidth
        let height = 70 + ((boxes.map(\.row).max() ?? 0) + 1) * rowHeight
        var body = ""
        for (from, to, label) in arrows {
            let a = corner(boxes[from]), b = corner(boxes[to])
            let start = (x: a.x + boxWidth, y: a.y + boxHeight / 2), end = (x: b.x - 2, y: b.y + boxHeight / 2)
            body += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\" "
                           + "marker-end=\"url(#arrow)\"/>\n", start.x, start.y, end.x, end.y)
            if !label.isEmpty {
                body += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#444\">%@</text>\n",
                               (start.x + end.x) / 2, (start.y + end.y) / 2 - 4, escapeXML(label))
            }
        }
        for (from, to, label) in links {
            let a = corner(boxes[from]), b = corner(boxes[to])
            body += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#b45f06\" "
                           + "stroke-dasharray=\"5 4\"/>\n",
                           a.x + boxWidth / 2, a.y + boxHeight, b.x + boxWidth / 2, b.y)
            if !label.isEmpty {
                body += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#b45f06\">%@</text>\n",
                               a.x + boxWidth / 2 + 6, (a.y + boxHeight + b.y) / 2 + 4, escapeXML(label))
            }
        }
        for box in boxes {
            let at = corner(box)
            body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\" fill=\"%@\" "
                           + "stroke=\"#333\"%@/>\n",
                           at.x, at.y, boxWidth, boxHeight, box.colour, box.dashed ? " stroke-dasharray=\"4 3\"" : "")
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\">%@</text>\n",
                           at.x + boxWidth / 2, at.y + boxHeight / 2 + 4, escapeXML(box.label))
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="Helvetica, Arial, sans-serif">
            <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" \
            orient="auto">\
            <path d="M0 0L10 5L0 10z" fill="#444"/></marker></defs>
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="24" text-anchor="middle" font-size="15">\(escapeXML(title))</text>
            \(body)</svg>

            """
    }

    /// Writes the SVG atomically.
    public func write(to url: URL) throws {
        try writeAtomically(Data(svg().utf8), to: url)
    }
}
