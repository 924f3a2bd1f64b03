//! `harness bench`, `report`, `compare` and `ablation` through the real
//! binary: the score table, resuming after a kill, suites from a pinned git
//! revision with a label overlay, the regression exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn harness(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_harness")).args(args).current_dir(repo()).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn statuses(dir: &Path) -> Vec<(String, String, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.flatten().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| {
            // A run killed mid-write leaves a hidden temporary (harness/src/atomic.rs), not a status.
            if e.file_name().to_string_lossy().starts_with('.') {
                return None;
            }
            let text = std::fs::read_to_string(e.path()).ok()?;
            let mtime = e.metadata().ok()?.modified().ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), text, mtime))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn bench_prints_the_score_table_and_writes_summaries() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().to_str().unwrap();
    let (code, stdout, stderr) = harness(&["bench", "--case", "sqli", "--out", out, "--jobs", "2"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("analyzer on microbenchmarks (strict):"), "{stdout}");
    assert!(stdout.contains("| category | cases | pass | fail |"), "{stdout}");
    assert!(stdout.contains("| tool | mode | cases | passed |"), "{stdout}");
    for f in ["analyzer/summary.json", "analyzer/summary.md", "analyzer/cases.csv", "analyzer/sarif/sqli-parameterized.sarif", "side-by-side.csv", "side-by-side.md", "side-by-side.parquet"] {
        assert!(t.path().join(f).is_file(), "{f}");
    }
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("analyzer/summary.json")).unwrap()).unwrap();
    assert_eq!(s["cases"], 5);
    assert!(s["per_case"][0]["seconds"].is_number());
    assert_eq!(s["tool_version"], format!("serverless-flows {}", env!("CARGO_PKG_VERSION")));

    // The report from that folder.
    let (code, stdout, stderr) = harness(&["report", "--from", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("report.md"), "{stdout}");
    for f in ["report.md", "report.html", "figures/pass-rate.svg", "figures/pass-rate.png", "figures/precision-recall.svg", "figures/time-per-case.png", "tables/cases.parquet"] {
        assert!(t.path().join(f).is_file(), "{f}");
    }

    // An unknown tool is an error; a tool whose check fails is skipped.
    let (code, _, stderr) = harness(&["bench", "--case", "sqli", "--out", out, "--tool", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown tool \"nope\""), "{stderr}");
    let tools = t.path().join("tools.toml");
    std::fs::write(&tools, "[[tool]]\nname = \"ghost\"\ncheck = \"ghost-analyzer --version\"\ncommand = \"ghost {app} {out}\"\nformat = \"sarif\"\n").unwrap();
    let (code, stdout, stderr) = harness(&["bench", "--case", "sqli", "--out", out, "--tools", tools.to_str().unwrap(), "--tool", "ghost"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("skip ghost: not installed (`ghost-analyzer --version` failed)"), "{stdout}");
}

#[test]
fn killed_run_resumes_without_redoing_finished_cases() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().to_str().unwrap();
    let status_dir = t.path().join("analyzer/status");
    let mut child = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["bench", "--out", out, "--jobs", "1"])
        .current_dir(repo())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while statuses(&status_dir).len() < 5 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = statuses(&status_dir);
    assert!(before.len() >= 5, "{} finished", before.len());
    assert!(before.len() < 100, "the run finished before it was killed");

    let (code, stdout, stderr) = harness(&["bench", "--out", out, "--jobs", "2", "--resume"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("resumed {} finished case run(s)", before.len())), "{stdout}");
    let after = statuses(&status_dir);
    assert!(after.len() >= 100);
    for (name, text, mtime) in &before {
        let (_, text2, mtime2) = after.iter().find(|(n, ..)| n == name).unwrap();
        assert_eq!((text, mtime), (text2, mtime2), "{name} was run again");
    }
    for (name, text, _) in &after {
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["runs"], 1, "{name}");
    }
}

/// Commits the files under `work` (a git2 work tree) and returns the commit id.
fn commit_all(repo: &git2::Repository, msg: &str) -> String {
    let mut index = repo.index().unwrap();
    index.add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None).unwrap();
    index.update_all(["*"].iter(), None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, msg, &tree, &parents).unwrap().to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).unwrap();
        if e.file_type().is_dir() {
            std::fs::create_dir_all(to.join(rel)).unwrap();
        } else if e.file_name() != "expected.toml" {
            std::fs::copy(e.path(), to.join(rel)).unwrap();
        }
    }
}

#[test]
fn git_suite_at_a_pinned_revision_with_a_label_overlay() {
    let t = tempfile::tempdir().unwrap();
    // A published-style suite: case folders without our labels.
    let work = t.path().join("work");
    let wrepo = git2::Repository::init(&work).unwrap();
    let micro = repo().join("microbenchmarks/intra-procedural");
    copy_dir(&micro.join("deserialization-pickle"), &work.join("cases/deserialization-pickle"));
    copy_dir(&micro.join("yaml-safe-load"), &work.join("cases/yaml-safe-load"));
    let first = commit_all(&wrepo, "two cases");
    copy_dir(&micro.join("ssrf-urllib"), &work.join("cases/ssrf-urllib"));
    commit_all(&wrepo, "a third case");
    let bare = t.path().join("suite.git");
    git2::build::RepoBuilder::new().bare(true).clone(&format!("file://{}", work.display()), &bare).unwrap();
    // Labels for one case only; the other is unlabelled.
    let labels = t.path().join("labels");
    std::fs::create_dir_all(&labels).unwrap();
    std::fs::copy(micro.join("deserialization-pickle/expected.toml"), labels.join("deserialization-pickle.toml")).unwrap();

    let out = t.path().join("out");
    let spec = format!("file://{}@{first}", bare.display());
    let cache = t.path().join("cache");
    let args = ["bench", "--suite", &spec, "--labels", labels.to_str().unwrap(), "--cache", cache.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let (code, stdout, stderr) = harness(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("analyzer on suite@{}", &first[..12])), "{stdout}");
    assert!(stdout.contains("1 unlabelled case(s), run but not scored"), "{stdout}");
    let s: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("analyzer/summary.json")).unwrap()).unwrap();
    assert_eq!(s["cases"], 1, "only the labelled case is scored");
    assert_eq!(s["per_case"][0]["pass"], true);
    let unl = std::fs::read_to_string(out.join("analyzer/unlabelled.csv")).unwrap();
    assert_eq!(unl.lines().collect::<Vec<_>>(), ["case,findings,error", "yaml-safe-load,0,"], "the third case is not at the pinned revision");
    // Fetched once: a second run at the same commit works from the cache.
    let (code, _, stderr) = harness(&args);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn compare_gates_on_regressions() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().to_str().unwrap();
    let (code, _, stderr) = harness(&["bench", "--case", "deserialization", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    let base = t.path().join("analyzer/summary.json");
    let mut worse: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    worse["per_case"][0]["pass"] = serde_json::Value::Bool(false);
    worse["per_case"][0]["seconds"] = serde_json::json!(99.0);
    let worse_path = t.path().join("worse.json");
    std::fs::write(&worse_path, worse.to_string()).unwrap();
    let (code, stdout, _) = harness(&["compare", base.to_str().unwrap(), base.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("no regression"));
    let (code, stdout, _) = harness(&["compare", base.to_str().unwrap(), worse_path.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("REGRESSED") && stdout.contains("REGRESSION:"), "{stdout}");
}

#[test]
fn ablation_writes_cloudflow_shaped_tables() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().to_str().unwrap();
    let (code, stdout, stderr) = harness(&["ablation", "--case", "api-put-object", "--case", "sqs", "--out", out]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("## Cases each feature turns from FAIL to PASS"), "{stdout}");
    assert!(stdout.contains("| feature | cases FAIL without it |"), "{stdout}");
    assert!(stdout.contains("pass without links"), "{stdout}");
    let features = std::fs::read_to_string(t.path().join("ablation-features.csv")).unwrap();
    let links = features.lines().find(|l| l.starts_with("links,")).unwrap();
    let n: u32 = links.split(',').nth(1).unwrap().parse().unwrap();
    assert!(n > 0, "turning cloud links off must fail some inter-procedural case: {features}");
    for f in ["ablation.md", "ablation-cases.csv", "ablation-cases.parquet", "ablation-categories.md"] {
        assert!(t.path().join(f).is_file(), "{f}");
    }
}
