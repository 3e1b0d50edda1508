/// Report model and writers (Markdown, HTML, JSON, JUnit) for `lockstep run`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case json, markdown, html, junit
}
