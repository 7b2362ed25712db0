import Foundation
import TensorCore

/// A small SVG writer for the figures of the chapters and `mtl train`: line plots (loss curves,
/// metric against a knob) and grouped bar charts, with axes, ticks, a title and a legend.
/// The output is plain SVG 1.1 text, viewable in any browser and diffable in git.
public struct LinePlot {
    /// One line of the plot: a name for the legend, its points and an optional band.
    public struct Series {
        /// The series' name in the legend (the method, and the variant when there are several).
        public var name: String
        /// The points, joined in the order given; points with a non-finite coordinate are not drawn.
        public var points: [(x: Double, y: Double)]
        /// An optional band around the line, one (lower, upper) per point — a confidence interval
        /// over seeds, drawn shaded in the series' colour (say what it is in the axis label).
        public var band: [(lower: Double, upper: Double)]?
        /// A series of `points` with an optional `band`, which needs one entry per point.
        public init(name: String, points: [(x: Double, y: Double)], band: [(lower: Double, upper: Double)]? = nil) {
            checkPrecondition(band.map { $0.count == points.count } ?? true,
                              "LinePlot.Series: \(band?.count ?? 0) band entries for \(points.count) points")
            self.name = name
            self.points = points
            self.band = band
        }
        /// y values at x = 1, 2, 3, … (epochs).
        public init(name: String, values: [Double]) {
            self.init(name: name, points: values.enumerated().map { (Double($0.offset + 1), $0.element) })
        }
    }

    /// The title: the setting (data, seeds, epochs) in a few words.
    public var title: String
    /// The x-axis label: the quantity and its unit ("epoch").
    public var xLabel: String
    /// The y-axis label: the quantity and its unit ("validation F-score"); say "log scale" with `logarithmicY`.
    public var yLabel: String
    /// The lines, each in its own palette colour in the order given.
    public var series: [Series] = []
    /// Draw y on a log₁₀ axis (loss curves).
    public var logarithmicY = false

    /// A plot with the given labels and series.
    public init(title: String, xLabel: String, yLabel: String, series: [Series] = [], logarithmicY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicY = logarithmicY
    }

    /// The SVG document.
    public func svg(width: Int = 640, height: Int = 400) -> String {
        var canvas = PlotCanvas(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel)
        let bandPoints = series.flatMap { line in
            zip(line.points, line.band ?? []).flatMap { point, band in [(x: point.x, y: band.lower), (x: point.x,
                y: band.upper)] }
        }
        let finite = (series.flatMap(\.points) + bandPoints).filter {
            $0.x.isFinite && $0.y.isFinite && (!logarithmicY || $0.y > 0)
        }
        let transform: (Double) -> Double = logarithmicY ? { log10($0) } : { $0 }
        let xs = finite.map(\.x), ys = finite.map { transform($0.y) }
        canvas.setRanges(x: (xs.min() ?? 0, xs.max() ?? 1), y: (ys.min() ?? 0, ys.max() ?? 1),
                         logarithmicY: logarithmicY)
        for (index, line) in series.enumerated() {
            guard let band = line.band else { continue }
            let pairs = zip(line.points, band).filter { $0.0.x.isFinite && $0.1.lower.isFinite && $0.1.upper.isFinite }
            guard !pairs.isEmpty else { continue }
            let upper = pairs.map { String(format: "%.1f,%.1f", canvas.pixelX($0.0.x),
                                           canvas.pixelY(transform($0.1.upper))) }
            let lower = pairs.reversed().map { String(format: "%.1f,%.1f", canvas.pixelX($0.0.x),
                                                      canvas.pixelY(transform($0.1.lower))) }
            canvas.body += "<polygon fill=\"\(PlotCanvas.palette[index % PlotCanvas.palette.count])\" "
                + "fill-opacity=\"0.18\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
        }
        for (index, line) in series.enumerated() {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logarithmicY || $0.y > 0) }
            let path = points.map { String(format: "%.1f,%.1f", canvas.pixelX($0.x), canvas.pixelY(transform($0.y))) }
                .joined(separator: " ")
            let colour = PlotCanvas.palette[index % PlotCanvas.palette.count]
            canvas.body += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            for point in points where points.count <= 30 {
                canvas.body += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>\n",
                                      canvas.pixelX(point.x), canvas.pixelY(transform(point.y)), colour)
            }
        }
        canvas.addLegend(series.map(\.name))
        return canvas.document()
    }

    /// Writes the SVG atomically.
    public func write(to url: URL, width: Int = 640, height: Int = 400) throws {
        try writeAtomically(Data(svg(width: width, height: height).utf8), to: url)
    }
}

/// A grouped bar chart: one group per category (a task), one bar per series (a method).
public struct BarChart {
    /// The title: the setting (data, seeds, epochs) in a few words.
    public var title: String
    /// The y-axis label: the quantity and its unit.
    public var yLabel: String
    /// The group names along the x axis (tasks), slanted when they do not fit.
    public var categories: [String]
    /// (series name, one value per category).
    public var series: [(name: String, values: [Double])]
    /// Optional error bars, one (lower, upper) per value of each series — a confidence interval or
    /// mean ± sd over seeds, drawn as whiskers (say which in `yLabel`).
    public var errorBars: [[(lower: Double, upper: Double)]]?

    /// A chart of `series` over `categories`; set `errorBars` afterwards to draw whiskers.
    public init(title: String, yLabel: String, categories: [String], series: [(name: String, values: [Double])]) {
        self.title = title
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
    }

    /// The SVG document, `width` × `height` pixels.
    public func svg(width: Int = 640, height: Int = 400) -> String {
        var canvas = PlotCanvas(width: width, height: height, title: title, xLabel: "", yLabel: yLabel)
        // Category names longer than their slot are written at a slant, with room below for them.
        let slot = (Double(width) - canvas.left - canvas.right) / Double(max(1, categories.count))
        let longest = Double(categories.map(\.count).max() ?? 0) * 6.2
        let slanted = longest > slot * 0.95
        if slanted { canvas.bottomMargin = 30 + longest * 0.6 }
        let bars = (errorBars ?? []).flatMap { $0.flatMap { [$0.lower, $0.upper] } }
        let values = (series.flatMap(\.values) + bars).filter(\.isFinite)
        canvas.setRanges(x: (0, Double(max(1, categories.count))),
                         y: (min(0, values.min() ?? 0), max(0, values.max() ?? 1)), logarithmicY: false, xTicks: false)
        let groupWidth = canvas.plotWidth / Double(max(1, categories.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        let zero = canvas.pixelY(0)
        for (c, category) in categories.enumerated() {
            for (s, line) in series.enumerated() where c < line.values.count && line.values[c].isFinite {
                let x = canvas.left + Double(c) * groupWidth + groupWidth * 0.1 + Double(s) * barWidth
                let y = canvas.pixelY(line.values[c])
                canvas.body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                      + "fill=\"%@\"/>\n",
                                      x, min(y, zero), barWidth * 0.95, abs(zero - y),
                                      PlotCanvas.palette[s % PlotCanvas.palette.count])
                if let errorBars, s < errorBars.count, c < errorBars[s].count,
                   errorBars[s][c].lower.isFinite, errorBars[s][c].upper.isFinite {
                    let middle = x + barWidth * 0.475, cap = barWidth * 0.2
                    let low = canvas.pixelY(errorBars[s][c].lower), high = canvas.pixelY(errorBars[s][c].upper)
                    canvas.body += String(format: "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" "
                                          + "stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>\n",
                                          middle, low, high, middle - cap, low, middle + cap, middle - cap, high,
                                          middle + cap)
                }
            }
            let x = canvas.left + (Double(c) + 0.5) * groupWidth, y = canvas.bottom + 16
            canvas.body += slanted
                ? String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\" "
                         + "transform=\"rotate(-35 %.1f %.1f)\">%@</text>\n",
                         x, y, x, y, escapeXML(category))
                : String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\">%@</text>\n",
                         x, y, escapeXML(category))
        }
        canvas.addLegend(series.map(\.name))
        return canvas.document()
    }

    /// Writes `svg(width:height:)` to `url` atomically: a temporary file beside it, flushed, then renamed.
    public func write(to url: URL, width: Int = 640, height: Int = 400) throws {
        try writeAtomically(Data(svg(width: width, height: height).utf8), to: url)
    }
}

/// Escapes text for SVG.
func escapeXML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// The frame shared by the plots: margins, axes with "nice" ticks, labels, legend.
struct PlotCanvas {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                          "#7f7f7f", "#bcbd22"]
    let width: Int, height: Int
    let title: String, xLabel: String, yLabel: String
    let left = 70.0, right = 150.0, top = 40.0
    var bottomMargin = 50.0
    var xRange = (0.0, 1.0), yRange = (0.0, 1.0)
    var axes = ""
    var body = ""

    init(width: Int, height: Int, title: String, xLabel: String, yLabel: String) {
        self.width = width
        self.height = height
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    var plotWidth: Double { Double(width) - left - right }
    var plotHeight: Double { Double(height) - top - bottomMargin }
    var bottom: Double { top + plotHeight }

    func pixelX(_ x: Double) -> Double { left + (x - xRange.0) / (xRange.1 - xRange.0) * plotWidth }
    func pixelY(_ y: Double) -> Double { bottom - (y - yRange.0) / (yRange.1 - yRange.0) * plotHeight }

    /// Ticks at 1, 2 or 5 × 10^k covering the range with about five steps.
    static func ticks(_ range: (Double, Double)) -> [Double] {
        let span = range.1 - range.0
        let rough = span / 5
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = ceil(range.0 / step) * step
        // A tick within rounding of zero is zero (never "-0").
        return stride(from: first, through: range.1 + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    mutating func setRanges(x: (Double, Double), y: (Double, Double), logarithmicY: Bool, xTicks: Bool = true) {
        xRange = x.0 == x.1 ? (x.0 - 1, x.1 + 1) : x
        let pad = (y.1 - y.0) * 0.05
        yRange = y.0 == y.1 ? (y.0 - 1, y.1 + 1) : (y.0 - pad, y.1 + pad)
        axes += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                       + "stroke=\"#333\"/>\n", left, top, plotWidth, plotHeight)
        for tick in Self.ticks(yRange) {
            let y = pixelY(tick)
            let label = logarithmicY ? String(format: "%g", pow(10, tick)) : String(format: "%g", tick)
            axes += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, y,
                           left + plotWidth, y)
            axes += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%@</text>\n",
                           left - 6, y + 4, label)
        }
        if xTicks {
            for tick in Self.ticks(xRange) {
                let x = pixelX(tick)
                axes += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x,
                               bottom, x, bottom + 4)
                axes += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                               + "font-size=\"11\">%@</text>\n", x, bottom + 16, String(format: "%g", tick))
            }
        }
    }

    mutating func addLegend(_ names: [String]) {
        for (index, name) in names.enumerated() {
            let y = top + 10 + Double(index) * 18
            let x = left + plotWidth + 12
            body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%@\"/>\n", x, y - 10,
                           Self.palette[index % Self.palette.count])
            body += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%@</text>\n", x + 18, y,
                           escapeXML(name))
        }
    }

    func document() -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
        font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(left + plotWidth / 2))" y="22" text-anchor="middle" font-size="15">\(escapeXML(title))</text>
        <text x="\(Int(left + plotWidth / 2))" y="\(height - 10)" text-anchor="middle" \
        font-size="12">\(escapeXML(xLabel))</text>
        <text x="16" y="\(Int(top + plotHeight / 2))" text-anchor="middle" font-size="12" \
        transform="rotate(-90 16 \(Int(top + plotHeight / 2)))">\(escapeXML(yLabel))</text>
        \(axes)\(body)</svg>

        """
    }
}
