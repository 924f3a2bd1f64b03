//! The side-by-side comparison with the external tools, when they are
//! installed (`.ci/run` installs bandit and semgrep from PyPI); skipped with a
//! printed reason otherwise, except under CI, where a missing tool fails.

use harness::dataset::progress::Progress;
use harness::run::{bench, suite, RunOptions};
use harness::tools::Tools;
use std::path::Path;
use std::time::Duration;

#[test]
fn analyzer_bandit_and_semgrep_side_by_side() {
    let tools = Tools::builtin();
    for name in ["bandit", "semgrep"] {
        if let Err(e) = tools.get(name).unwrap().check_installed(&tools.dir) {
            assert!(std::env::var_os("CI").is_none(), "{name} is not installed ({e}): .ci/run installs it with pip");
            println!("skipped: {name} is not installed ({e}); `pip install bandit semgrep` to run this test");
            return;
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut suite = suite::load(&repo.join("microbenchmarks"), None, None).unwrap();
    suite.filter(&["deserialization-pickle".into(), "sqli-pymysql-fstring".into()]);
    assert_eq!(suite.cases.len(), 2);
    let out = tempfile::tempdir().unwrap();
    let opts = RunOptions { jobs: 2, timeout: Duration::from_secs(600), out: out.path().to_path_buf(), resume: false };
    let names: Vec<String> = ["analyzer", "bandit", "semgrep"].iter().map(|s| s.to_string()).collect();
    let r = bench::bench(&suite, &tools, &names, &opts, &Progress::hidden()).unwrap();
    bench::write_outputs(&r, out.path()).unwrap();
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    for t in &r.tools {
        println!("{}", t.summary.headline());
        for c in &t.summary.per_case {
            assert!(c.error.is_none(), "{} on {}: {:?}", t.spec.name, c.name, c.error);
        }
    }
    let modes: Vec<&str> = r.tools.iter().map(|t| t.summary.mode.as_str()).collect();
    assert_eq!(modes, ["strict", "lenient+sink-only", "sink-only"]);
    // Both sinks are plain single-file calls: every tool finds them.
    for t in &r.tools[1..] {
        assert!(t.summary.tp >= 1, "{} found nothing", t.spec.name);
        // Bandit's JSON has no version: its install check gives it.
        let version = t.summary.tool_version.as_deref().unwrap_or_default();
        assert!(version.contains(|c: char| c.is_ascii_digit()), "{}: version {version:?}", t.spec.name);
    }
    let table = std::fs::read_to_string(out.path().join("side-by-side.csv")).unwrap();
    assert_eq!(table.lines().count(), 4, "{table}");
}
