//! Adopting the analyzer on an app that already has findings: a baseline
//! run reports nothing, a flow added afterwards is the only one reported
//! (against a SARIF baseline or a git revision), a suppressed one is listed
//! as suppressed, and a stale suppression is reported.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{copy_dir, git};

fn suite_case(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks").join(rel)
}

fn scan(app: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_analyzer")).arg("scan").arg(app).args(extra).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn only_new_flows_are_reported_and_suppressions_are_kept_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let app = repo.join("services/preview");
    copy_dir(&suite_case("intra-procedural/ssrf-requests-get"), &app);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "app with a known finding"]);

    let base = tmp.path().join("base.sarif");
    let (code, _) = scan(&app, &["--format", "sarif", "-o", base.to_str().unwrap()]);
    assert_eq!(code, 1, "the app has a finding");
    let (code, text) = scan(&app, &["--baseline", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    // One flow and two deployment risks of its public route, all known.
    assert!(text.contains("0 finding(s), 0 deployment risk(s)") && text.contains("3 finding(s) already in the baseline"), "{text}");

    // A new flow, above the old one: the old finding moves down a line and
    // is still known.
    let handler = app.join("handlers/preview.py");
    let code_text = std::fs::read_to_string(&handler).unwrap();
    let added = code_text.replace(
        "    logger.info(\"preview requested by %s\"",
        "    os.system(\"curl -s \" + body[\"url\"])\n    logger.info(\"preview requested by %s\"",
    );
    std::fs::write(&handler, format!("import os\n{added}")).unwrap();
    for baseline in [["--baseline", base.to_str().unwrap()], ["--baseline-ref", "HEAD"]] {
        let (code, text) = scan(&app, &baseline);
        assert_eq!(code, 1, "{text}");
        assert!(text.starts_with("code-injection at handlers/preview.py:18 (os.system)"), "{text}");
        assert!(text.contains("1 finding(s), 0 deployment risk(s);") && !text.contains("ssrf at"), "{text}");
    }

    // The new flow, suppressed with a reason, and a stale suppression.
    let suppressed = std::fs::read_to_string(&handler)
        .unwrap()
        .replace("+ body[\"url\"])\n", "+ body[\"url\"])  # serverless-flows: ignore[code-injection] url checked by the WAF rule\n")
        .replace("TITLE_RE = re.compile(", "TITLE_RE = re.compile(  # serverless-flows: ignore[ssrf] nothing here\n    ");
    std::fs::write(&handler, suppressed).unwrap();
    let (code, text) = scan(&app, &["--baseline", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    // The stale comment's continuation line moved the new flow to line 19.
    assert!(text.contains("suppressed: code-injection at handlers/preview.py:19 (os.system) by handlers/preview.py:19: url checked by the WAF rule"), "{text}");
    assert!(text.contains("unused suppression: handlers/preview.py:11: ignore[ssrf]"), "{text}");
    let (_, sarif) = scan(&app, &["--baseline", base.to_str().unwrap(), "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&sarif[..sarif.rfind('}').unwrap() + 1]).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(results[0]["suppressions"][0]["justification"], "url checked by the WAF rule");
    assert_eq!(results[0]["baselineState"], "new");
}
