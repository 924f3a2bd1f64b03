//! The project configuration through the binary, as a team uses it: a
//! `pyproject.toml` table at the repository root read for an app below it,
//! command-line options over it, `analyzer config` showing where each
//! setting comes from, and a broken file named with its line. Also the rule
//! pages under docs/rules, which must say what `analyzer rule` says.

use std::path::PathBuf;
use std::process::Command;

mod support;
use support::{copy_dir, git};

fn analyzer(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_analyzer")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

/// A repository whose app `services/preview` has one SSRF finding.
fn repository() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    let app = repo.join("services/preview");
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks/intra-procedural/ssrf-requests-get"), &app);
    git(&repo, &["init", "-q"]);
    (tmp, app)
}

#[test]
fn a_pyproject_table_at_the_root_configures_the_app_below() {
    let (_tmp, app) = repository();
    let app_arg = app.to_str().unwrap();
    assert_eq!(analyzer(&["scan", app_arg]).0, 1, "one finding without configuration");

    let pyproject = app.join("../../pyproject.toml");
    std::fs::write(&pyproject, "[tool.ruff]\nline-length = 100\n\n[tool.serverless-flows]\ndisable-rules = [\"ssrf\"]\n").unwrap();
    let (code, text) = analyzer(&["scan", app_arg]);
    assert_eq!(code, 0, "the rule is disabled by the file: {text}");
    assert!(text.contains("0 finding(s)"), "{text}");

    assert_eq!(analyzer(&["scan", app_arg, "--isolated"]).0, 1, "--isolated ignores the file");
    let other = app.join("other.toml");
    std::fs::write(&other, "threat-model = \"all-events\"\n").unwrap();
    assert_eq!(analyzer(&["scan", app_arg, "--settings", other.to_str().unwrap()]).0, 1, "--settings replaces the file found");

    let (code, shown) = analyzer(&["config", app_arg, "--threat-model", "all-events"]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("pyproject.toml"), "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("disable-rules = [\"ssrf\"]") && l.ends_with("pyproject.toml")), "{shown}");
    assert!(shown.contains("threat-model = \"all-events\"  # command line"), "{shown}");
    assert!(shown.contains("models = []  # default"), "{shown}");
}

#[test]
fn an_excluded_handler_is_reported_as_excluded() {
    let (_tmp, app) = repository();
    std::fs::write(app.join("serverless-flows.toml"), "exclude = [\"handlers\"]\n").unwrap();
    let (code, text) = analyzer(&["scan", app.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let missing = json["stats"]["handlers_missing"].as_array().unwrap();
    assert_eq!(missing.len(), 1, "{text}");
    assert_eq!(missing[0]["reason"], "excluded", "{text}");
    assert_eq!(analyzer(&["scan", app.to_str().unwrap(), "--exclude", "nothing-here"]).0, 1, "a command-line list replaces the file's");
}

#[test]
fn a_broken_file_stops_the_scan_with_its_line() {
    let (_tmp, app) = repository();
    let file = app.join(".serverless-flows.toml");
    std::fs::write(&file, "exclude = [\"tests\"]\nthreat-model = \"everything\"\n").unwrap();
    let (code, text) = analyzer(&["scan", app.to_str().unwrap()]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains(".serverless-flows.toml:2:"), "{text}");
    assert!(text.contains("everything"), "{text}");
}

/// docs/rules/ID.md is what `analyzer rule ID` prints, for every rule;
/// after changing models/classes.toml or models/risks.toml, regenerate them with
/// `for r in $(analyzer rule | cut -d' ' -f1); do analyzer rule $r > docs/rules/$r.md; done`.
#[test]
fn rule_pages_match_the_rule_documentation() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let (code, list) = analyzer(&["rule"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = list.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(ids.contains(&"code-injection") && ids.contains(&"traceback-leakage"), "{list}");
    for id in &ids {
        let (code, page) = analyzer(&["rule", id]);
        assert_eq!(code, 0, "{page}");
        let committed = std::fs::read_to_string(docs.join(format!("{id}.md"))).unwrap_or_default();
        assert_eq!(committed, page, "docs/rules/{id}.md differs from `analyzer rule {id}`");
    }
    let index = std::fs::read_to_string(docs.join("README.md")).unwrap();
    for id in &ids {
        assert!(index.contains(&format!("[`{id}`]({id}.md)")), "docs/rules/README.md does not list {id}");
    }
    let pages = std::fs::read_dir(&docs).unwrap().count();
    assert_eq!(pages, ids.len() + 1, "one page per rule plus the index (docs/rules/README.md)");
    let (code, text) = analyzer(&["rule", "sql-injections"]);
    assert_eq!(code, 2);
    assert!(text.contains("unknown rule"), "{text}");
}
