//! Review fingerprints of flows: stable across scans and edits elsewhere
//! in a file, so that verdicts carry over (`review.rs`).

use std::collections::HashMap;

use super::record::FlowRecord;

/// Gives each flow its review fingerprint: a hash of the app, sink file and
/// function, callee, class, source kind, file, function and description.
/// No line numbers: edits elsewhere in a file keep it. Flows that share
/// all of that (two identical calls in one function) are told apart by
/// their order in the function: the second gets `-2`, and so on.
pub fn assign_fingerprints(repo: &str, deployment_file: &str, flows: &mut [FlowRecord]) {
    flows.sort_by(|a, b| (&a.sink_file, a.sink_line, &a.vulnerability, &a.source_file, a.source_line, &a.source_kind).cmp(&(&b.sink_file, b.sink_line, &b.vulnerability, &b.source_file, b.source_line, &b.source_kind)));
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for f in flows.iter_mut() {
        let text = [
            repo,
            deployment_file,
            &f.sink_file,
            &f.sink_function,
            &f.callee,
            &f.vulnerability,
            &f.source_kind,
            &f.source_file,
            &f.source_function,
            &f.source_what,
        ]
        .join("|");
        let h = super::fnv1a(&text);
        let n = seen.entry(h).or_insert(0);
        *n += 1;
        f.fingerprint = if *n == 1 { format!("{h:016x}") } else { format!("{h:016x}-{n}") };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::record::FlowRecord;

    fn flow(sink_line: u32, function: &str) -> FlowRecord {
        FlowRecord {
            fingerprint: String::new(),
            sarif_fingerprint: String::new(),
            vulnerability: "code-injection".into(),
            callee: "os.system".into(),
            sink_file: "h.py".into(),
            sink_line,
            sink_function: function.into(),
            source_kind: "http".into(),
            source_what: "POST /x".into(),
            source_file: "h.py".into(),
            source_line: 1,
            source_function: "h.handle".into(),
            hops: 0,
            inter: false,
        }
    }

    #[test]
    fn fingerprints_ignore_lines_and_tell_duplicates_apart() {
        let mut a = vec![flow(10, "h.handle"), flow(20, "h.handle"), flow(30, "h.other")];
        let mut b = vec![flow(15, "h.handle"), flow(27, "h.handle"), flow(99, "h.other")];
        assign_fingerprints("r", "serverless.yml", &mut a);
        assign_fingerprints("r", "serverless.yml", &mut b);
        let fa: Vec<_> = a.iter().map(|f| f.fingerprint.clone()).collect();
        let fb: Vec<_> = b.iter().map(|f| f.fingerprint.clone()).collect();
        assert_eq!(fa, fb);
        assert!(fa[1].ends_with("-2"));
        assert_ne!(fa[0], fa[2]);
        let mut c = vec![flow(10, "h.handle")];
        assign_fingerprints("other-repo", "serverless.yml", &mut c);
        assert_ne!(c[0].fingerprint, fa[0]);
    }
}
