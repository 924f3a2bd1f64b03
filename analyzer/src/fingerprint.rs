//! Stable identities of findings and deployment risks: they survive line
//! shifts and edits elsewhere in the file, so that baselines, review
//! verdicts and SARIF's `partialFingerprints` follow a finding across
//! commits.

use crate::analysis::Finding;
use crate::risks::Risk;

/// A fingerprint that survives line shifts: the sink's file, function,
/// callee and class, and the sources' functions.
pub fn fingerprint(f: &Finding) -> String {
    let mut parts = vec![f.sink.file.clone(), f.sink.function.clone(), f.callee.clone(), f.vulnerability.clone()];
    for fl in &f.flows {
        parts.push(fl.source.site.function.clone());
    }
    fnv(&parts.join("|"))
}

/// A deployment risk's fingerprint: its rule, file, function and subject,
/// no line.
pub fn risk_fingerprint(r: &Risk) -> String {
    fnv(&[r.rule.as_str(), &r.file, r.function.as_deref().unwrap_or(""), &r.subject].join("|"))
}

/// FNV-1a: stable across platforms and versions, unlike std's hasher.
fn fnv(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::analysis::{analyze, Options};

    #[test]
    fn fingerprints_ignore_line_shifts() {
        let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks");
        let a = analyze(&suite.join("inter-procedural/api-put-item-boto3-client"), &Options::default()).unwrap();
        let mut shifted = a.findings[0].clone();
        shifted.sink.line += 7;
        assert_eq!(fingerprint(&a.findings[0]), fingerprint(&shifted));
        shifted.sink.function.push('x');
        assert_ne!(fingerprint(&a.findings[0]), fingerprint(&shifted));
    }
}
