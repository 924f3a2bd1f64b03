//! The regression gate: our analyzer, run in-process over microbenchmarks/
//! by the bench machinery, must not regress against the committed baseline
//! results/baseline/analyzer/summary.json (no case PASS -> FAIL, no drop in
//! precision or recall; seconds are ignored). After an intended change,
//! refresh the baseline with
//! `cargo run --release -p harness -- bench --out results/baseline`.

use harness::cmd::compare::compare;
use harness::dataset::progress::Progress;
use harness::run::{bench, suite, RunOptions};
use harness::summary::Summary;
use harness::tools::Tools;
use std::path::Path;
use std::time::Duration;

#[test]
fn analyzer_does_not_regress_against_the_committed_baseline() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let suite = suite::load(&repo.join("microbenchmarks"), None, None).unwrap();
    assert!(suite.cases.len() >= 100, "{} cases", suite.cases.len());
    let out = tempfile::tempdir().unwrap();
    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let opts = RunOptions { jobs, timeout: Duration::from_secs(300), out: out.path().to_path_buf(), resume: false };
    let result = bench::bench(&suite, &Tools::builtin(), &["analyzer".to_string()], &opts, &Progress::hidden()).unwrap();
    let new = &result.tools[0].summary;
    let base = Summary::read(&repo.join("results/baseline/analyzer/summary.json")).unwrap();
    let c = compare(&base, new);
    println!("{}", c.render());
    assert!(!c.is_regression(), "regression against results/baseline/analyzer/summary.json:\n{}", c.render());
    if !c.identical() {
        println!("improved: refresh the baseline (cargo run --release -p harness -- bench --out results/baseline)");
    }
}
