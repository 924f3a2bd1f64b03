//! Findings as GitHub Actions workflow commands: each becomes an annotation
//! on the sink's line in the pull request, with its source and hops in the
//! message; deployment risks are annotations on the deployment file's line,
//! at their rule's level; errors of the run are annotations too.

use std::fmt::Write;

use crate::analysis::Analysis;

/// Workflow command values escape `%`, CR and LF; properties also `:` and `,`.
fn escape(s: &str, property: bool) -> String {
    let mut out = s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    for e in analysis.errors() {
        let _ = writeln!(out, "::error title=serverless-flows::{}", escape(&e, false));
    }
    for f in &analysis.findings {
        let title = super::rules::class(&f.vulnerability).map_or(f.vulnerability.clone(), |c| format!("{} ({})", c.name, c.id));
        let mut message = String::new();
        for flow in &f.flows {
            let _ = write!(message, "{} at {}:{}", flow.source.what, flow.source.site.file, flow.source.site.line);
            for hop in &flow.hops {
                let _ = write!(message, " -> {} ({}) -> {}:{}", hop.call, hop.resource, hop.to.file, hop.to.line);
            }
            let _ = writeln!(message, " -> {}", f.callee);
        }
        let _ = writeln!(
            out,
            "::error file={},line={},title={}::{}",
            escape(&f.sink.file, true),
            f.sink.line,
            escape(&title, true),
            escape(message.trim_end(), false)
        );
    }
    for r in &analysis.risks {
        let doc = super::rules::class(&r.rule);
        let title = doc.map_or(r.rule.clone(), |c| format!("{} ({})", c.name, c.id));
        let command = match doc.map(|c| c.result_level()) {
            Some(crate::sarif::Level::Error) => "error",
            Some(crate::sarif::Level::Warning) => "warning",
            _ => "notice",
        };
        let _ = writeln!(out, "::{command} file={},line={},title={}::{}", escape(&r.file, true), r.line, escape(&title, true), escape(&r.message, false));
    }
    for u in &analysis.unused_suppressions {
        let _ = writeln!(out, "::warning file={},line={},title=unused suppression::ignore[{}] matches no finding", escape(&u.file, true), u.line, escape(&u.classes.join(","), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_as_workflow_commands_want() {
        assert_eq!(escape("a:b,c\n100%", true), "a%3Ab%2Cc%0A100%25");
        assert_eq!(escape("a:b,c", false), "a:b,c");
    }
}
