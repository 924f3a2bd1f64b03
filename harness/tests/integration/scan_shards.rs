//! `--shard K/N` and `harness merge`: the merged shards equal one unsharded
//! run (records apart from timings, and every table without timings).

use std::path::Path;
use std::process::Command;

use harness::scan::record::{load_records, AppRecord, Timing};

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/dataset").display().to_string()
}

fn harness(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .env_remove(harness::scan::child::TEST_HOOK_ENV)
        .output()
        .expect("run harness");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "harness {args:?} failed\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout + &String::from_utf8_lossy(&out.stderr)
}

fn untimed(recs: Vec<AppRecord>) -> Vec<AppRecord> {
    recs.into_iter().map(|r| AppRecord { timing: Timing::default(), ..r }).collect()
}

#[test]
fn scan_merged_shards_equal_one_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = fixture();
    let whole = tmp.path().join("whole").display().to_string();
    let sharded = tmp.path().join("sharded").display().to_string();
    let merged = tmp.path().join("merged").display().to_string();
    let verdicts = tmp.path().join("verdicts.csv").display().to_string();
    let common = ["--dataset", ds.as_str(), "--verdicts", verdicts.as_str(), "--timeout", "120", "--quiet"];
    let mut a = vec!["scan", "--out", whole.as_str()];
    a.extend(common);
    harness(&a);
    let mut per_shard = Vec::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let mut a = vec!["scan", "--out", sharded.as_str(), "--shard", shard.as_str()];
        a.extend(common);
        harness(&a);
        let dir = Path::new(&sharded).join(format!("shard-{k}-of-3"));
        let recs = load_records(&dir).unwrap();
        per_shard.push(recs.len());
    }
    // Every shard holds something, and no repository is split.
    assert!(per_shard.iter().all(|&n| n > 0), "{per_shard:?}");
    let s0 = Path::new(&sharded).join("shard-0-of-3").display().to_string();
    let s1 = Path::new(&sharded).join("shard-1-of-3").display().to_string();
    let s2 = Path::new(&sharded).join("shard-2-of-3").display().to_string();

    // A missing shard is reported.
    let partial = tmp.path().join("partial").display().to_string();
    let said = harness(&["merge", &s0, &s1, "--out", &partial, "--verdicts", &verdicts]);
    assert!(said.contains("missing shards: 2/3"), "{said}");

    harness(&["merge", &s0, &s1, &s2, "--out", &merged, "--verdicts", &verdicts]);
    let w = untimed(load_records(Path::new(&whole)).unwrap());
    let m = untimed(load_records(Path::new(&merged)).unwrap());
    assert_eq!(w.len(), 12);
    assert_eq!(per_shard.iter().sum::<usize>(), 12);
    assert_eq!(m, w);
    for stem in ["overview", "status", "triage", "flows_per_app", "by_vulnerability", "by_source", "summary", "review_by_class", "app_flows", "findings", "changes"] {
        for ext in ["csv", "md"] {
            let a = std::fs::read_to_string(Path::new(&whole).join(format!("{stem}.{ext}"))).unwrap();
            let b = std::fs::read_to_string(Path::new(&merged).join(format!("{stem}.{ext}"))).unwrap();
            assert_eq!(a, b, "{stem}.{ext}");
        }
    }
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(Path::new(&merged).join("scan.json")).unwrap()).unwrap();
    assert_eq!(meta["shards"], serde_json::json!(["0/3", "1/3", "2/3"]));
}
