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

use crate::outcome::Analysis;
pub use crate::outcome::Suppressed;


/// Applies the suppression comments found when the files were parsed
/// ([`crate::program::suppressions`]): moves suppressed findings to
/// `analysis.suppressed` and records the comments that matched nothing in
/// `analysis.unused_suppressions`.
pub fn apply(analysis: &mut Analysis) {
    let comments = &analysis.suppression_comments;
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
    analysis.unused_suppressions = comments.iter().zip(used).filter(|(_, u)| !u).map(|(c, _)| c.clone()).collect();
}

