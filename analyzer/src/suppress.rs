//! Inline suppressions: a comment on a sink or source line,
//!
//! ```text
//! os.system(cmd)  # serverless-flows: ignore[code-injection] the command is built from a fixed table
//! ```
//!
//! keeps that finding out of the report (SARIF lists it with the comment's
//! reason as an in-source suppression). Classes are listed in the brackets
//! (`ignore[ssrf,path-traversal]`, `ignore[*]` for all). A suppression that
//! matches nothing is reported as unused, so stale ones do not pile up.

use serde::Serialize;

use crate::analysis::{Analysis, Finding};

pub const MARKER: &str = "serverless-flows: ignore[";

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub file: String,
    pub line: u32,
    /// Classes it applies to; `*` for all.
    pub classes: Vec<String>,
    pub reason: String,
}

impl Suppression {
    fn covers(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == "*" || c == class)
    }
}

/// A finding kept out of the report, with the comment that did it.
#[derive(Clone, Debug, Serialize)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: Suppression,
}

/// The suppression comments of one file's text.
pub fn parse(file: &str, text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find('#').and_then(|h| line[h..].find(MARKER).map(|m| h + m + MARKER.len())) else { continue };
        let Some(close) = line[at..].find(']') else { continue };
        let classes: Vec<String> = line[at..at + close].split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        if classes.is_empty() {
            continue;
        }
        out.push(Suppression { file: file.to_string(), line: i as u32 + 1, classes, reason: line[at + close + 1..].trim().to_string() });
    }
    out
}

/// Applies the suppression comments of the files the findings touch: moves
/// suppressed findings to `analysis.suppressed` and records the comments
/// that matched nothing in `analysis.unused_suppressions`.
pub fn apply(analysis: &mut Analysis) {
    let mut files: Vec<String> = analysis.findings.iter().flat_map(|f| std::iter::once(f.sink.file.clone()).chain(f.flows.iter().map(|fl| fl.source.site.file.clone()))).collect();
    files.extend(analysis.python_files.iter().cloned());
    files.sort();
    files.dedup();
    let comments: Vec<Suppression> = files
        .iter()
        .filter_map(|f| crate::confine::read_text(&analysis.app, f).ok().map(|t| parse(f, &t)))
        .flatten()
        .collect();
    if comments.is_empty() {
        return;
    }
    let mut used = vec![false; comments.len()];
    let mut kept = Vec::new();
    for f in std::mem::take(&mut analysis.findings) {
        let at = |file: &str, line: u32| comments.iter().position(|c| c.file == file && c.line == line && c.covers(&f.vulnerability));
        let by_sink = at(&f.sink.file, f.sink.line);
        let by_sources: Vec<Option<usize>> = f.flows.iter().map(|fl| at(&fl.source.site.file, fl.source.site.line)).collect();
        let by = by_sink.or_else(|| by_sources.iter().all(Option::is_some).then(|| by_sources[0]).flatten());
        match by {
            Some(i) => {
                used[i] = true;
                by_sources.iter().flatten().for_each(|&j| used[j] = true);
                analysis.suppressed.push(Suppressed { finding: f, by: comments[i].clone() });
            }
            None => kept.push(f),
        }
    }
    analysis.findings = kept;
    analysis.unused_suppressions = comments.into_iter().zip(used).filter(|(_, u)| !u).map(|(c, _)| c).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_name_classes_and_a_reason() {
        let text = "a = 1\nos.system(c)  # serverless-flows: ignore[code-injection, ssrf] fixed table\nx()  # serverless-flows: ignore[*]\ny  # serverless-flows: ignore[]\n";
        let s = parse("h.py", text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].classes.clone(), s[0].reason.as_str()), (2, vec!["code-injection".to_string(), "ssrf".to_string()], "fixed table"));
        assert!(s[1].covers("anything") && s[1].reason.is_empty());
        assert!(parse("h.py", "s = 'serverless-flows: ignore[ssrf] not a comment'\n").is_empty());
    }
}
