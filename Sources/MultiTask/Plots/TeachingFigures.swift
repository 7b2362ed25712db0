import Foundation
import TensorCore

/// Maximum Roaming's masks over training, as a picture: one panel per snapshot, a row per task and
/// a column per unit; a cell is filled in the task's colour where the unit is active, pale where it
/// was visited but is inactive now, white where the task never used it. Roaming shows as the pale
/// cells spreading until every unit has been visited. (Colours: the plots' palette, one per task.)
public struct MaskTimeline {
    /// One panel: its caption, and `masks` and `visited` as `[T, C]` 0/1 tensors (a `TaskMask`'s
    /// buffers).
    public struct Snapshot {
        /// The text under the panel (e.g. the epoch or the update count).
        public var caption: String
        /// m `[T, C]`: 1 where the unit is active for the task.
        public var masks: Tensor
        /// The visited sets B_t as `[T, C]`: 1 where the task has ever used the unit.
        public var visited: Tensor
        /// A panel of `masks` and `visited`, which must be `[T, C]` tensors of the same shape.
        public init(caption: String, masks: Tensor, visited: Tensor) {
            checkPrecondition(masks.rank == 2 && masks.shape == visited.shape,
                              "MaskTimeline: masks \(masks.shape), visited \(visited.shape)")
            self.caption = caption
            self.masks = masks
            self.visited = visited
        }
    }

    /// The title above the panels.
    public var title: String
    /// The panels, left to right in training order; all have the first one's T and C.
    public var snapshots: [Snapshot]

    /// A timeline of `snapshots` titled `title`.
    public init(title: String, snapshots: [Snapshot]) {
        self.title = title
        self.snapshots = snapshots
    }

    /// The SVG document.
    public func svg(cell: Double = 9) -> String {
        guard let first = snapshots.first else { return "" }
        let tasks = first.masks.shape[0], units = first.masks.shape[1]
        let panelWidth = Double(units) * cell + 24, panelHeight = Double(tasks) * cell
        let width = Swift.max(620, 70 + Double(snapshots.count) * panelWidth), height = 110 + panelHeight
        var body = ""
        for task in 0..<tasks {
            body += String(format: "<text x=\"60\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">task %d</text>\n",
                           60 + (Double(task) + 0.8) * cell, task)
        }
        for (panel, snapshot) in snapshots.enumerated() {
            let left = 70 + Double(panel) * panelWidth
            for task in 0..<tasks {
                let strong = PlotCanvas.palette[task % PlotCanvas.palette.count]
                for unit in 0..<units {
                    let active = snapshot.masks[flat: task * units + unit] == 1
                    let visited = snapshot.visited[flat: task * units + unit] == 1
                    let fill = active ? strong : visited ? Self.pale(strong) : "#ffffff"
                    body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" "
                                   + "stroke=\"#bbb\" stroke-width=\"0.5\"/>\n",
                                   left + Double(unit) * cell, 60 + Double(task) * cell, cell, cell, fill)
                }
            }
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%@</text>\n",
                           left + Double(units) * cell / 2, 60 + panelHeight + 16, escapeXML(snapshot.caption))
        }
        body += String(format: "<text x=\"70\" y=\"%.1f\" font-size=\"11\" fill=\"#444\">%@</text>\n", height - 16,
                       "dark: active now · pale: visited before, inactive now · white: never used (columns: units)")
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(width / 2))" y="24" text-anchor="middle" font-size="15">\(escapeXML(title))</text>
            \(body)</svg>

            """
    }

    /// A task's colour blended three parts in four with white, for visited, inactive cells.
    package static func pale(_ colour: String) -> String {
        let hex = Array(colour.dropFirst())
        let channels = stride(from: 0, to: 6, by: 2).map { Int(String(hex[$0..<($0 + 2)]), radix: 16) ?? 0 }
        return "#" + channels.map { String(format: "%02x", ($0 + 3 * 255) / 4) }.joined()
    }

    /// Writes the SVG atomically.
    public func write(to url: URL) throws { try writeAtomically(Data(svg().utf8), to: url) }
}

/// The geometry of two task gradients in the plane (chapter 11): g₁ and g₂ from the origin, the
/// segment of their convex combinations, the min-norm point d* = α g₁ + (1 − α) g₂ (MGDA's update
/// direction: every task's loss decreases along it when it is not zero), and PCGrad's projections
/// of each gradient onto the normal plane of the other when they conflict (g₁ · g₂ < 0).
public struct GradientGeometry {
    /// The title above the figure.
    public var title: String
    /// g₁, the first task's gradient.
    public var first: (x: Double, y: Double)
    /// g₂, the second task's gradient.
    public var second: (x: Double, y: Double)

    /// The figure of the gradients `first` (g₁) and `second` (g₂).
    public init(title: String, first: (x: Double, y: Double), second: (x: Double, y: Double)) {
        self.title = title
        self.first = first
        self.second = second
    }

    /// α of the min-norm point: the closed form α = clip((g₂ − g₁)·g₂ / ‖g₁ − g₂‖², 0, 1).
    public var minimumNormWeight: Double {
        let difference = (first.x - second.x, first.y - second.y)
        let squared = difference.0 * difference.0 + difference.1 * difference.1
        guard squared > 0 else { return 0.5 }
        return Swift.min(1, Swift.max(0, -((difference.0) * second.x + difference.1 * second.y) / squared))
    }

    /// d* = α g₁ + (1 − α) g₂.
    public var minimumNormPoint: (x: Double, y: Double) {
        let alpha = minimumNormWeight
        return (alpha * first.x + (1 - alpha) * second.x, alpha * first.y + (1 - alpha) * second.y)
    }

    /// g projected onto the normal plane of h: g − (g·h / ‖h‖²) h (PCGrad, when g·h < 0).
    public static func projection(_ g: (x: Double, y: Double), awayFrom h: (x: Double, y: Double)) -> (x: Double,
        y: Double) {
        let dot = g.x * h.x + g.y * h.y, squared = h.x * h.x + h.y * h.y
        guard dot < 0, squared > 0 else { return g }
        return (g.x - dot / squared * h.x, g.y - dot / squared * h.y)
    }

    /// The SVG document: a square plane with the origin at its centre.
    public func svg(size: Double = 520) -> String {
        let points = [first, second, minimumNormPoint, Self.projection(first, awayFrom: second),
                      Self.projection(second, awayFrom: first)]
        let extent = (points.flatMap { [abs($0.x), abs($0.y)] }.max() ?? 1) * 1.25
        func pixel(_ point: (x: Double, y: Double)) -> (Double, Double) {
            (size / 2 + point.x / extent * size / 2, 40 + size / 2 - point.y / extent * size / 2)
        }
        var body = ""
        let origin = pixel((0, 0))
        body += String(format: "<line x1=\"0\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", origin.1,
                       size, origin.1)
        body += String(format: "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", origin.0,
                       origin.0, size + 40)
        func arrow(_ to: (x: Double, y: Double), _ colour: String, _ label: String, dashed: Bool = false) {
            let end = pixel(to)
            body += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" "
                           + "stroke-width=\"2.5\" marker-end=\"url(#head)\"%@/>\n",
                           origin.0, origin.1, end.0, end.1, colour,
                           dashed ? " stroke-dasharray=\"6 4\"" : "")
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" fill=\"%@\">%@</text>\n", end.0 + 6,
                           end.1 - 6, colour,
                           escapeXML(label))
        }
        let a = pixel(first), b = pixel(second)
        body += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                       + "stroke-dasharray=\"3 3\"/>\n", a.0, a.1, b.0, b.1)
        arrow(first, "#1f77b4", "g₁")
        arrow(second, "#d62728", "g₂")
        arrow(minimumNormPoint, "#2ca02c", String(format: "d* (α = %.2f)", minimumNormWeight))
        if first.x * second.x + first.y * second.y < 0 {
            arrow(Self.projection(first, awayFrom: second), "#1f77b4", "g₁ ⟂ g₂ (PCGrad)", dashed: true)
            arrow(Self.projection(second, awayFrom: first), "#d62728", "g₂ ⟂ g₁ (PCGrad)", dashed: true)
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(size))" height="\(Int(size + 60))" \
            font-family="Helvetica, Arial, sans-serif">
            <defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" \
            orient="auto">\
            <path d="M0 0L10 5L0 10z" fill="context-stroke"/></marker></defs>
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(size / 2))" y="24" text-anchor="middle" font-size="15">\(escapeXML(title))</text>
            \(body)<text x="10" y="\(Int(size + 52))" font-size="11" fill="#444">\
            dotted: the convex combinations of g₁ and g₂; d*: the shortest of them (MGDA)</text>
            </svg>

            """
    }

    /// Writes the SVG atomically.
    public func write(to url: URL) throws { try writeAtomically(Data(svg().utf8), to: url) }
}
