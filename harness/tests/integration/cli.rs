//! Runs the real `harness` binary on the hand-made suite and SARIF logs in
//! tests/fixtures/, and on the project's own microbenchmarks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .current_dir(fixtures())
        .output()
        .expect("harness runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn score(extra: &[&str]) -> (String, String) {
    let out = tempfile::tempdir().unwrap();
    let out_s = out.path().to_str().unwrap();
    let mut args = vec!["score", "--suite", "suite", "--sarif-dir", "sarif", "--tool", "fixture-tool", "--out", out_s];
    args.extend_from_slice(extra);
    let o = harness(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = stdout(&o).replace(out_s, "<out>");
    let json = std::fs::read_to_string(out.path().join("summary.json")).unwrap();
    for f in ["summary.csv", "cases.csv", "summary.md"] {
        assert!(out.path().join(f).is_file(), "{f}");
    }
    let back = harness::summary::Summary::read(&out.path().join("summary.json")).unwrap();
    assert_eq!(back.to_json(), json);
    (printed, json)
}

#[test]
fn score_strict() {
    let (printed, json) = score(&[]);
    insta::assert_snapshot!("score_strict_stdout", printed);
    insta::assert_snapshot!("score_strict_summary_json", json);
}

#[test]
fn score_lenient_sink_only() {
    let (printed, json) = score(&["--lenient", "--sink-only"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["mode"], "lenient+sink-only");
    // lenient + sink-only: the B602 report on line 13 now matches subprocess.call
    assert_eq!((v["tp"].as_u64(), v["fp"].as_u64(), v["fn"].as_u64()), (Some(3), Some(1), Some(1)));
    insta::assert_snapshot!("score_lenient_sink_only_stdout", printed);
}

#[test]
fn suite_check_accepts_the_fixtures() {
    let o = harness(&["suite", "check", "suite"]);
    assert_eq!(stdout(&o), "4 cases, 0 problems\n");
    assert!(o.status.success());
}

#[test]
fn suite_check_reports_problems_and_exits_1() {
    let t = tempfile::tempdir().unwrap();
    let case = t.path().join("intra-procedural/bad");
    std::fs::create_dir_all(&case).unwrap();
    std::fs::write(case.join("expected.toml"), "schema = 1\nname = \"bad\"\n").unwrap();
    std::fs::write(case.join("x.py"), "def f(:\n").unwrap();
    let o = harness(&["suite", "check", t.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("no deployment file"), "{s}");
    assert!(s.contains("no README.md"), "{s}");
    assert!(s.contains("x.py does not parse"), "{s}");
    assert!(s.contains("expected.toml:1: key `category`: missing field `category`"), "{s}");
    assert!(s.ends_with("1 cases, 4 problems\n"), "{s}");
}

#[test]
fn suite_describe_prints_and_writes_tables() {
    let out = tempfile::tempdir().unwrap();
    let o = harness(&["suite", "describe", "suite", "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success());
    let printed = stdout(&o).replace(out.path().to_str().unwrap(), "<out>");
    insta::assert_snapshot!("describe_stdout", printed);
    for f in ["describe.md", "category-vulnerability.csv", "target-service.csv", "feature.csv", "loc.csv", "positive-negative.csv"] {
        assert!(out.path().join(f).is_file(), "{f}");
    }
}

/// The project's suite passes its own check (issue 3: run inside the test command).
#[test]
fn microbenchmarks_pass_suite_check() {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks");
    let report = harness::suite::check::check_suite(&suite).unwrap();
    let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "{} cases, {} problems:\n{}", report.cases, problems.len(), problems.join("\n"));
}

/// `results/suite/` is what `harness suite describe` writes for the bundled
/// suite: a case added without regenerating it fails here.
#[test]
fn committed_suite_tables_match_the_suite() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let d = harness::suite::describe::describe(&root.join("microbenchmarks")).unwrap();
    let out = tempfile::tempdir().unwrap();
    d.write_all("microbenchmarks", out.path()).unwrap();
    for entry in std::fs::read_dir(out.path()).unwrap().flatten() {
        let name = entry.file_name();
        let committed = std::fs::read_to_string(root.join("results/suite").join(&name)).unwrap_or_default();
        let fresh = std::fs::read_to_string(entry.path()).unwrap();
        assert!(committed == fresh, "results/suite/{} is stale: run `harness suite describe microbenchmarks`", name.to_string_lossy());
    }
}
