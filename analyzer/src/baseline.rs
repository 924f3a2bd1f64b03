//! Adopting the analyzer on code with known findings: report only what is
//! new since a baseline, an earlier SARIF log of ours or a git revision
//! analysed on the spot. Findings are matched by the line-independent
//! fingerprint of [`crate::fingerprint::fingerprint`], so edits elsewhere
//! in a file do not make old findings new.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::analysis::{analyze, Analysis, Options};
use crate::fingerprint::{fingerprint, risk_fingerprint};

/// The fingerprints of every result of an earlier log (suppressed ones
/// too).
pub fn from_sarif(path: &Path) -> Result<BTreeSet<String>, String> {
    let log = crate::sarif::read_log(path).map_err(|e| e.to_string())?;
    Ok(log
        .results()
        .filter_map(|(_, r)| r.partial_fingerprints.as_ref()?.get("primaryLocationLineHash").cloned())
        .collect())
}

/// The fingerprints of the findings the app had at git revision `rev`:
/// the revision is checked out in a temporary worktree and analysed with
/// the same options.
pub fn from_git_revision(app: &Path, rev: &str, opts: &Options) -> Result<BTreeSet<String>, String> {
    let git = |dir: &Path, args: &[&str]| -> Result<String, String> {
        let out = Command::new("git").arg("-C").arg(dir).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = PathBuf::from(git(app, &["rev-parse", "--show-toplevel"])?);
    let app_abs = app.canonicalize().map_err(|e| format!("{}: {e}", app.display()))?;
    let below = app_abs.strip_prefix(&top).map_err(|_| format!("{} is not inside {}", app.display(), top.display()))?.to_path_buf();
    let tmp = std::env::temp_dir().join(format!("serverless-flows-baseline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    git(&top, &["worktree", "add", "--detach", "--quiet", tmp.to_str().unwrap_or_default(), rev])?;
    let result = analyze(&tmp.join(&below), opts).map_err(|e| e.to_string());
    let _ = git(&top, &["worktree", "remove", "--force", tmp.to_str().unwrap_or_default()]);
    let _ = std::fs::remove_dir_all(&tmp);
    let mut base = result?;
    crate::suppress::apply(&mut base);
    let findings = base.findings.iter().chain(base.suppressed.iter().map(|s| &s.finding)).map(fingerprint);
    Ok(findings.chain(base.risks.iter().map(risk_fingerprint)).collect())
}

/// Drops the findings and deployment risks the baseline already had;
/// returns how many.
pub fn apply(analysis: &mut Analysis, known: &BTreeSet<String>) -> usize {
    let before = analysis.findings.len() + analysis.risks.len();
    analysis.findings.retain(|f| !known.contains(&fingerprint(f)));
    analysis.risks.retain(|r| !known.contains(&risk_fingerprint(r)));
    let hidden = before - analysis.findings.len() - analysis.risks.len();
    analysis.baseline_known = Some(analysis.baseline_known.unwrap_or(0) + hidden);
    hidden
}
