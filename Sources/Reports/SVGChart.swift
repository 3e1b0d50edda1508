/// Inline SVG charts for the HTML report: plain markup, no scripts, no fonts beyond the page's, every label escaped.
enum SVGChart {
    /// Colours for series, picked in order (colour-blind-safe palette, Wong 2011).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    /// One line of a chart.
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        var dashed = false
        var markers = true
        /// Listed in the legend (an ideal bound drawn in its workload's colour is explained by the caption instead).
        var inLegend = true
    }

    static let width = 640.0
    static let plotHeight = 300.0
    static let left = 56.0, right = 16.0, top = 28.0, bottom = 44.0

    /// A line chart over `xTicks` (linear in x), y from 0 to a rounded maximum, legend under the plot.
    static func line(id: String, title: String, xLabel: String, yLabel: String, xTicks: [Double],
                     xTickLabel: (Double) -> String, series: [Series]) -> String {
        let all = series.flatMap(\.points)
        let legend = series.filter(\.inLegend)
        let legendRows = (legend.count + 1) / 2
        let height = top + plotHeight + bottom + Double(legendRows) * 18 + 8
        var s = open(id: id, title: title, height: height)
        guard !all.isEmpty, let xMin = (xTicks + all.map(\.x)).min(), let xMax = (xTicks + all.map(\.x)).max() else {
            s += text(x: width / 2, y: top + plotHeight / 2, "no data", anchor: "middle", cls: "muted")
            return s + "</svg>"
        }
        let yTop = niceCeiling(max(1, all.map(\.y).max() ?? 1))
        let span = xMax - xMin
        let plotW = width - left - right
        func px(_ x: Double) -> Double { span == 0 ? left + plotW / 2 : left + (x - xMin) / span * plotW }
        func py(_ y: Double) -> Double { top + plotHeight - min(max(y, 0), yTop) / yTop * plotHeight }

        // Grid and axes.
        let step = yTop / 5
        for k in 0...5 {
            let y = Double(k) * step
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" class=\"grid\"/>"
            s += text(x: left - 6, y: py(y) + 4, Format.fixed(y, yTop < 5 ? 1 : 0), anchor: "end", cls: "tick")
        }
        for x in xTicks {
            s += "<line x1=\"\(f(px(x)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + plotHeight + 4))\" class=\"axis\"/>"
            s += text(x: px(x), y: top + plotHeight + 16, xTickLabel(x), anchor: "middle", cls: "tick")
        }
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotHeight))\" class=\"axis\"/>"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\" class=\"axis\"/>"
        s += text(x: left + plotW / 2, y: top + plotHeight + 34, xLabel, anchor: "middle", cls: "label")
        s += "<text x=\"14\" y=\"\(f(top + plotHeight / 2))\" class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + plotHeight / 2)))\">\(Escape.html(yLabel))</text>"

        for line in series where !line.points.isEmpty {
            let pts = line.points.sorted { $0.x < $1.x }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            s += "<polyline class=\"series\" points=\"\(pts)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)><title>\(Escape.html(line.name))</title></polyline>"
            if line.markers {
                for p in line.points {
                    s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3.5\" fill=\"\(line.color)\"><title>\(Escape.html("\(line.name): \(xTickLabel(p.x)) -> \(Format.fixed(p.y, 2))"))</title></circle>"
                }
            }
        }
        // Legend: two columns under the axis label.
        for (i, line) in legend.enumerated() {
            let x = left + Double(i % 2) * (plotW / 2)
            let y = top + plotHeight + bottom + Double(i / 2) * 18 + 8
            let dash = line.dashed ? " stroke-dasharray=\"6 4\"" : ""
            s += "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 22))\" y2=\"\(f(y - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(dash)/>"
            s += text(x: x + 28, y: y, truncate(line.name, 44), anchor: "start", cls: "legend")
        }
        return s + "</svg>"
    }

    /// One stacked, normalised horizontal bar per row: segments by count, counts written beside.
    static func stackedBars(id: String, title: String, rows: [(label: String, segments: [(name: String, count: Int, color: String)])],
                            legend: [(String, String)]? = nil, empty: String = "no cases",
                            value: (Int) -> String = { String($0) }) -> String {
        let rowHeight = 26.0
        let labelWidth = 200.0
        let height = top + Double(max(1, rows.count)) * rowHeight + 30
        var s = open(id: id, title: title, height: height)
        if rows.isEmpty {
            s += text(x: width / 2, y: top + 14, empty, anchor: "middle", cls: "muted")
            return s + "</svg>"
        }
        let barWidth = width - labelWidth - 150
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            s += text(x: labelWidth - 8, y: y + 15, truncate(row.label, 30), anchor: "end", cls: "tick")
            let total = row.segments.reduce(0) { $0 + $1.count }
            var x = labelWidth
            for seg in row.segments where seg.count > 0 {
                let w = total > 0 ? Double(seg.count) / Double(total) * barWidth : 0
                s += "<rect x=\"\(f(x))\" y=\"\(f(y + 3))\" width=\"\(f(max(w, 1)))\" height=\"\(f(rowHeight - 8))\" fill=\"\(seg.color)\"><title>\(Escape.html("\(row.label): \(value(seg.count)) \(seg.name)"))</title></rect>"
                x += w
            }
            let counts = row.segments.filter { $0.count > 0 }.map { "\(value($0.count)) \($0.name)" }.joined(separator: ", ")
            s += text(x: labelWidth + barWidth + 8, y: y + 15, counts, anchor: "start", cls: "tick")
        }
        // Legend.
        let ly = top + Double(rows.count) * rowHeight + 18
        var lx = legend == nil ? labelWidth : left
        for (name, color) in legend ?? [("pass", StatusColor.pass), ("fail", StatusColor.fail), ("error", StatusColor.error), ("skip", StatusColor.skip)] {
            s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 10))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            s += text(x: lx + 16, y: ly, name, anchor: "start", cls: "legend")
            lx += legend == nil ? 70 : Double(name.count) * 7 + 30
        }
        return s + "</svg>"
    }

    /// Colours of the phases of a parallel block (`ExecutionProfile`), in `PhaseColor.order`.
    enum PhaseColor {
        static let order: [(String, String)] = [("execution", "#0072B2"), ("re-execution", "#D55E00"), ("validation", "#E69F00"),
                                                ("commit", "#009E73"), ("roots", "#CC79A7")]
    }

    /// Colours of case statuses.
    enum StatusColor {
        static let pass = "#2e7d32", fail = "#c62828", error = "#ef6c00", skip = "#9e9e9e"
    }

    static func open(id: String, title: String, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(Escape.html(id))\" class=\"chart\" role=\"img\" aria-label=\"\(Escape.html(title))\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\"><title>\(Escape.html(title))</title>"
            + text(x: left, y: 18, title, anchor: "start", cls: "title")
    }

    static func text(x: Double, y: Double, _ content: String, anchor: String, cls: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" class=\"\(cls)\">\(Escape.html(content))</text>"
    }

    /// Coordinates with one decimal: stable text for golden files.
    static func f(_ v: Double) -> String { Format.fixed(v, 1) }

    static func truncate(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "\u{2026}" }

    /// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `v`.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= v { magnitude *= 10 }
        while magnitude > v { magnitude /= 10 }
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * magnitude >= v { return m * magnitude }
        return 10 * magnitude
    }
}
