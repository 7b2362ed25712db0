import Foundation
import TensorCore

/// A heat map of a matrix as SVG: one cell per entry, its value written in it, row and column labels,
/// and a colour bar. The colour scale is diverging around 0 (blue negative, white 0, red positive)
/// over [−m, m], m = the largest |value| (or `range`), so that the sign of an affinity reads at a
/// glance and two maps with the same `range` compare by colour.
///
/// Used for task × task affinity matrices (`TaskAffinity.heatMap`): rows = source, columns = target.
public struct HeatMap {
    /// The title: the setting in a few words.
    public var title: String
    /// What the rows and columns are ("source task", "target task").
    public var rowLabel: String, columnLabel: String
    public var rowNames: [String], columnNames: [String]
    /// `values[row][column]`; non-finite entries are drawn grey.
    public var values: [[Double]]
    /// The largest |value| of the colour scale; nil: the matrix's own.
    public var range: Double?

    /// A heat map of `values` (`rowNames.count` × `columnNames.count`).
    public init(title: String, rowLabel: String, columnLabel: String, rowNames: [String], columnNames: [String],
                values: [[Double]], range: Double? = nil) {
        checkPrecondition(values.count == rowNames.count && values.allSatisfy { $0.count == columnNames.count },
                          "HeatMap: values are \(values.count) × \(values.first?.count ?? 0), names "
                            + "\(rowNames.count) × \(columnNames.count)")
        self.title = title
        self.rowLabel = rowLabel
        self.columnLabel = columnLabel
        self.rowNames = rowNames
        self.columnNames = columnNames
        self.values = values
        self.range = range
    }

    /// The colour of `value` on the diverging scale with half-width `scale`.
    static func colour(_ value: Double, scale: Double) -> String {
        guard value.isFinite else { return "#bbbbbb" }
        let fraction = max(-1, min(1, scale > 0 ? value / scale : 0))
        // White to red (#d62728) for positive values, white to blue (#1f77b4) for negative ones.
        let target = fraction >= 0 ? (214.0, 39.0, 40.0) : (31.0, 119.0, 180.0)
        let amount = abs(fraction)
        func channel(_ end: Double) -> Int { Int((255 + (end - 255) * amount).rounded()) }
        return String(format: "#%02x%02x%02x", channel(target.0), channel(target.1), channel(target.2))
    }

    /// The SVG document; cells are `cell` pixels square.
    public func svg(cell: Int = 56) -> String {
        let left = 110.0, top = 60.0, size = Double(cell)
        let width = Int(left + size * Double(columnNames.count) + 110)
        let height = Int(top + size * Double(rowNames.count) + 60)
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let scale = range ?? (finite.map { abs($0) }.max() ?? 1)
        var body = ""
        for (row, line) in values.enumerated() {
            for (column, value) in line.enumerated() {
                let x = left + Double(column) * size, y = top + Double(row) * size
                body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" "
                               + "stroke=\"white\"/>\n", x, y, size, size, Self.colour(value, scale: scale))
                let text = value.isFinite ? String(format: "%.2f", value) : "—"
                let dark = value.isFinite && abs(value) > 0.6 * scale
                body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" "
                               + "fill=\"%@\">%@</text>\n", x + size / 2, y + size / 2 + 4,
                               dark ? "white" : "#222", text)
            }
        }
        for (row, name) in rowNames.enumerated() {
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%@</text>\n",
                           left - 6, top + (Double(row) + 0.5) * size + 4, escapeXML(name))
        }
        for (column, name) in columnNames.enumerated() {
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%@</text>\n",
                           left + (Double(column) + 0.5) * size, top - 6, escapeXML(name))
        }
        // The colour bar: −m, 0, m.
        let barX = left + size * Double(columnNames.count) + 30, barHeight = size * Double(rowNames.count)
        for step in 0..<20 {
            let value = scale * (1 - 2 * (Double(step) + 0.5) / 20)
            body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.1f\" fill=\"%@\"/>\n", barX,
                           top + barHeight * Double(step) / 20, barHeight / 20 + 0.5, Self.colour(value, scale: scale))
        }
        for (fraction, value) in [(0.0, scale), (0.5, 0), (1.0, -scale)] {
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%@</text>\n", barX + 22,
                           top + barHeight * fraction + 4, String(format: "%g", (value * 1000).rounded() / 1000))
        }
        let centreX = Int(left + size * Double(columnNames.count) / 2), centreY = Int(top + barHeight / 2)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" font-family="Helvetica, Arial, sans-serif">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(centreX)" y="22" text-anchor="middle" font-size="14">\(escapeXML(title))</text>
            <text x="\(centreX)" y="40" text-anchor="middle" font-size="12">\(escapeXML(columnLabel))</text>
            <text x="16" y="\(centreY)" text-anchor="middle" font-size="12" \
            transform="rotate(-90 16 \(centreY))">\(escapeXML(rowLabel))</text>
            \(body)</svg>

            """
    }

    /// Writes the SVG atomically.
    public func write(to url: URL, cell: Int = 56) throws {
        try writeAtomically(Data(svg(cell: cell).utf8), to: url)
    }
}

extension TaskAffinity {
    /// The matrix as a heat map: rows = source task, columns = target task.
    public func heatMap(title: String, range: Double? = nil) -> HeatMap {
        HeatMap(title: title, rowLabel: "source task s", columnLabel: "target task t", rowNames: taskNames,
                columnNames: taskNames, values: values, range: range)
    }
}
