//! `harness perf` on a small dataset made here, with tools that are shell
//! one-liners: one finishes, one holds 80 MB, one fails, one reports errors
//! but writes its output, one times out.
//! Checks the measured memory, the statuses, the report and resumption.

use std::path::Path;
use std::process::Command;

use harness::perf::Run;

const TOOLS: &str = r#"
[[tool]]
name = "quick"
kind = "command"
command = "echo '{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"quick\"}},\"results\":[]}]}' > {out}"
format = "sarif"

[[tool]]
name = "hungry"
kind = "command"
command = "perl -e '$x = \"a\" x 80_000_000; print length($x)' > /dev/null && echo '{\"version\":\"2.1.0\",\"runs\":[]}' > {out}"
format = "sarif"

[[tool]]
name = "broken"
kind = "command"
command = "echo 'no such rule set' >&2; exit 3"
format = "sarif"

[[tool]]
name = "grumbling"
kind = "command"
command = "echo 'one file did not parse' >&2; echo '{\"version\":\"2.1.0\",\"runs\":[]}' > {out}; exit 2"
format = "sarif"

[[tool]]
name = "stuck"
kind = "command"
command = "sleep 30"
format = "sarif"
"#;

fn harness(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_harness")).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "harness {args:?}:\n{text}");
    text
}

fn runs(out: &Path) -> Vec<Run> {
    csv::Reader::from_path(out.join("perf.csv")).unwrap().deserialize().map(Result::unwrap).collect()
}

#[test]
fn tools_are_timed_side_by_side_with_their_peak_memory() {
    let dir = tempfile::tempdir().unwrap();
    let dataset = dir.path().join("dataset");
    for (repo, code) in [("alpha", "import os\nos.system(input())\n"), ("beta", "x = 1\n")] {
        std::fs::create_dir_all(dataset.join(repo)).unwrap();
        std::fs::write(dataset.join(repo).join("handler.py"), code).unwrap();
    }
    let tools = dir.path().join("tools.toml");
    std::fs::write(&tools, TOOLS).unwrap();
    let out = dir.path().join("perf");
    let (d, t, o) = (dataset.to_str().unwrap(), tools.to_str().unwrap(), out.to_str().unwrap());
    let args = ["perf", "--dataset", d, "--tools", t, "--out", o, "--timeout", "2", "--tool", "quick", "--tool", "hungry", "--tool", "broken", "--tool", "grumbling", "--tool", "stuck"];
    let text = harness(&args);
    assert!(text.contains("quick: "), "{text}");

    let all = runs(&out);
    assert_eq!(all.len(), 10);
    let get = |tool: &str, repo: &str| all.iter().find(|r| r.tool == tool && r.repo == repo).unwrap();
    for repo in ["alpha", "beta"] {
        assert_eq!(get("quick", repo).status, "ok");
        assert_eq!(get("quick", repo).results, Some(0));
        assert_eq!(get("hungry", repo).status, "ok");
        assert!(get("hungry", repo).peak_mb >= 75.0, "{:?}", get("hungry", repo));
        assert!(get("hungry", repo).peak_mb > get("quick", repo).peak_mb + 50.0);
        assert_eq!(get("broken", repo).status, "failed");
        assert!(get("broken", repo).error.contains("exit code 3: no such rule set"), "{:?}", get("broken", repo));
        assert_eq!(get("grumbling", repo).status, "partial");
        assert!(get("grumbling", repo).error.contains("exit code 2: one file did not parse"));
        assert_eq!(get("stuck", repo).status, "timeout");
        assert!(get("stuck", repo).seconds < 10.0);
    }
    assert_eq!(get("quick", "alpha").python_lines, 2);

    let md = std::fs::read_to_string(out.join("perf.md")).unwrap();
    // Totals only count repositories every tool finished: none here.
    assert!(md.contains("| quick | 0 | 0 |"), "{md}");
    assert!(md.contains("Wall clock of each tool's pass over the corpus (repositories in parallel): quick "), "{md}");
    assert!(md.contains("| stuck | alpha | timeout |"), "{md}");
    assert!(out.join("perf_totals.csv").is_file());

    // Resuming keeps what was measured; only missing runs are made.
    let before = std::fs::read_to_string(out.join("perf.csv")).unwrap();
    let mut resumed = args.to_vec();
    resumed.push("--resume");
    harness(&resumed);
    assert_eq!(std::fs::read_to_string(out.join("perf.csv")).unwrap(), before);

    // A pass that measured one repository again is no pass over the corpus:
    // it gives no wall clock.
    let without: String = before.lines().filter(|l| !l.starts_with("alpha,quick,")).map(|l| format!("{l}\n")).collect();
    std::fs::write(out.join("perf.csv"), without).unwrap();
    harness(&resumed);
    assert_eq!(runs(&out).len(), 10);
    let md = std::fs::read_to_string(out.join("perf.md")).unwrap();
    assert!(!md.contains("Wall clock"), "{md}");
}
