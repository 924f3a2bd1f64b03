//! `harness scan` on the fixture dataset (tests/fixtures/scan/dataset): every
//! status and triage category, the numbers of each app, the tables and
//! figures, resumption, and the review workflow across scans.
//!
//! The time-out and out-of-memory apps use the child's test hook
//! (`HARNESS_SCAN_TEST_HOOK`, documented in harness/src/scan/scan.rs): the
//! child sleeps, or allocates past the memory limit, for those apps only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::scan::record::{load_records, AppRecord, Status};
use harness::scan::triage::Triage;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/dataset")
}

fn harness(args: &[&str], hook: Option<&str>) -> (String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
    cmd.args(args).env_remove(harness::scan::child::TEST_HOOK_ENV);
    if let Some(h) = hook {
        cmd.env(harness::scan::child::TEST_HOOK_ENV, h);
    }
    let out = cmd.output().expect("run harness");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "harness {args:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}");
    (stdout, stderr)
}

fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records().map(|rec| head.iter().cloned().zip(rec.unwrap().iter().map(str::to_string)).collect()).collect()
}

fn by_id(recs: &[AppRecord]) -> BTreeMap<String, &AppRecord> {
    recs.iter().map(|r| (r.id(), r)).collect()
}

const HOOK: &str = "acme_slow=sleep:60000;acme_oom=alloc:6000";

fn scan_args<'a>(out: &'a str, verdicts: &'a str) -> Vec<&'a str> {
    let ds = Box::leak(fixture().display().to_string().into_boxed_str());
    vec!["scan", "--dataset", ds, "--out", out, "--verdicts", verdicts, "--timeout", "6", "--memory-limit", "2048", "--jobs", "2", "--quiet"]
}

#[test]
fn scan_fixture_dataset_records_every_status_and_number() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("scan");
    let verdicts = tmp.path().join("review/verdicts.csv");
    let (o, v) = (out.display().to_string(), verdicts.display().to_string());
    let (stdout, _) = harness(&scan_args(&o, &v), Some(HOOK));
    assert!(stdout.contains("scanned 12 apps"), "{stdout}");
    // Two jobs, two workers; the app that times out and the one that runs
    // out of memory each cost their worker, and nothing else does.
    let workers: usize = stdout.split(" worker process").next().and_then(|s| s.rsplit(' ').next()).and_then(|n| n.parse().ok()).expect("worker count printed");
    assert!((2..=4).contains(&workers), "{workers} workers for 11 analysed apps:\n{stdout}");

    let recs = load_records(&out).unwrap();
    let ids: Vec<String> = recs.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "acme_bad-code/serverless.yml",
            "acme_broken-yaml/serverless.yml",
            "acme_jobs/serverless.yml",
            "acme_kit/serverless.yml",
            "acme_legacy-py2/serverless.yml",
            "acme_missing-handler/serverless.yml",
            "acme_multi/svc-a/serverless.yml",
            "acme_multi/svc-b/template.yaml",
            "acme_no-deploy",
            "acme_oom/serverless.yml",
            "acme_slow/serverless.yml",
            "acme_uploads/serverless.yml",
        ]
    );
    let m = by_id(&recs);
    // (status, triage, handlers, handlers missing, python files, failed, python 2, flows, inter)
    let expect: [(&str, Status, Triage, u64, u64, u64, u64, u64, usize, u64); 12] = [
        ("acme_bad-code/serverless.yml", Status::PythonNotParsed, Triage::InconsistentCode, 1, 0, 2, 1, 0, 1, 0),
        ("acme_broken-yaml/serverless.yml", Status::DeploymentFileInvalid, Triage::InconsistentInfrastructure, 0, 0, 1, 0, 0, 0, 0),
        ("acme_jobs/serverless.yml", Status::Ok, Triage::Analysed, 1, 0, 1, 0, 0, 1, 0),
        ("acme_kit/serverless.yml", Status::Ok, Triage::Template, 1, 0, 1, 0, 0, 1, 0),
        ("acme_legacy-py2/serverless.yml", Status::Ok, Triage::Python2, 1, 0, 1, 0, 1, 1, 0),
        ("acme_missing-handler/serverless.yml", Status::HandlerModuleMissing, Triage::InconsistentInfrastructure, 2, 1, 1, 0, 0, 1, 0),
        ("acme_multi/svc-a/serverless.yml", Status::Ok, Triage::Analysed, 1, 0, 1, 0, 0, 1, 0),
        ("acme_multi/svc-b/template.yaml", Status::Ok, Triage::NoPythonFunctions, 0, 0, 0, 0, 0, 0, 0),
        ("acme_no-deploy", Status::NoDeploymentFile, Triage::NoDeploymentFile, 0, 0, 0, 0, 0, 0, 0),
        ("acme_oom/serverless.yml", Status::Crash, Triage::Crash, 0, 0, 0, 0, 0, 0, 0),
        ("acme_slow/serverless.yml", Status::Timeout, Triage::Timeout, 0, 0, 0, 0, 0, 0, 0),
        ("acme_uploads/serverless.yml", Status::Ok, Triage::Analysed, 2, 0, 2, 0, 0, 1, 1),
    ];
    for (id, status, triage, handlers, missing, py, failed, py2, flows, inter) in expect {
        let r = m[id];
        let got = (r.status, r.triage, r.handlers, r.handlers_missing, r.python_files, r.python_failed, r.python2_files, r.flows.len(), r.inter());
        assert_eq!(got, (status, triage, handlers, missing, py, failed, py2, flows, inter), "{id}: {r:#?}");
    }
    // Details people read.
    assert!(m["acme_oom/serverless.yml"].detail.contains("out of memory (limit 2048 MB)"), "{}", m["acme_oom/serverless.yml"].detail);
    assert!(m["acme_slow/serverless.yml"].detail.contains("killed after 6s"));
    assert!(m["acme_slow/serverless.yml"].timing.total_ms >= 6000.0);
    assert!(m["acme_broken-yaml/serverless.yml"].detail.contains("invalid YAML"), "{}", m["acme_broken-yaml/serverless.yml"].detail);
    assert_eq!(m["acme_missing-handler/serverless.yml"].detail, "1 of 2 handlers missing: gone (file not found)");
    assert_eq!(m["acme_bad-code/serverless.yml"].detail, "1 of 2 Python files not parsed (0 Python 2)");
    // Python 2 is read all the same, and still triaged as the study did.
    assert_eq!(m["acme_legacy-py2/serverless.yml"].triage_reason, "1 Python files with Python 2 syntax");
    assert_eq!(m["acme_legacy-py2/serverless.yml"].flows[0].sink_line, 7);
    assert_eq!(m["acme_kit/serverless.yml"].triage_reason, "README.md: \"boilerplate\"");
    assert_eq!(m["acme_multi/svc-b/template.yaml"].other_runtime_functions, 1);
    assert_eq!(m["acme_multi/svc-b/template.yaml"].framework, "sam");
    assert_eq!(m["acme_jobs/serverless.yml"].framework, "serverless");
    // LOC: tokei code lines of the app folder.
    assert_eq!(m["acme_multi/svc-a/serverless.yml"].loc, 5);
    assert_eq!(m["acme_no-deploy"].loc, 2);
    // Flows: class, source, sink.
    let up = &m["acme_uploads/serverless.yml"].flows[0];
    assert_eq!((up.vulnerability.as_str(), up.source_kind.as_str(), up.callee.as_str(), up.sink_file.as_str()), ("code-injection", "http", "os.system", "handlers/s3handler.py"));
    assert!(up.hops >= 1);
    let jobs = &m["acme_jobs/serverless.yml"].flows[0];
    assert_eq!((jobs.vulnerability.as_str(), jobs.source_kind.as_str(), jobs.callee.as_str(), jobs.sink_line), ("code-injection", "cloud-api", "subprocess.call", 16));
    // Stage times recorded for finished apps.
    let t = &m["acme_jobs/serverless.yml"].timing;
    assert!(t.total_ms > 0.0 && t.parse_ms > 0.0 && t.total_ms >= t.infra_ms + t.parse_ms + t.taint_ms);
    assert!(t.max_rss_mb > 0.0);

    // Tables.
    let tri: BTreeMap<String, String> = csv_rows(&out.join("triage.csv")).into_iter().map(|r| (r["category"].clone(), r["apps"].clone())).collect();
    let want: BTreeMap<String, String> = [
        ("template", 1),
        ("python2", 1),
        ("inconsistent-infrastructure", 2),
        ("inconsistent-code", 1),
        ("no-python-functions", 1),
        ("no-deployment-file", 1),
        ("timeout", 1),
        ("crash", 1),
        ("analysed", 3),
        ("total", 12),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(tri, want);
    let status: BTreeMap<String, String> = csv_rows(&out.join("status.csv")).into_iter().map(|r| (r["status"].clone(), r["apps"].clone())).collect();
    assert_eq!(status["ok"], "6");
    assert_eq!(status["python-not-parsed"], "1");
    assert_eq!(status["timeout"], "1");
    assert_eq!(status["crash"], "1");
    assert_eq!(status["no-deployment-file"], "1");
    assert_eq!(status["deployment-file-invalid"], "1");
    assert_eq!(status["handler-module-missing"], "1");
    let summary = csv_rows(&out.join("summary.csv"));
    let total = summary.iter().find(|r| r["category"] == "total").unwrap();
    assert_eq!((total["total"].as_str(), total["apps"].as_str(), total["inter"].as_str(), total["intra"].as_str()), ("3", "3", "1", "2"));
    let unrev = summary.iter().find(|r| r["category"] == "unreviewed").unwrap();
    assert_eq!(unrev["total"], "3");
    let ranked = csv_rows(&out.join("flows_per_app.csv"));
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[0]["app"], "acme_jobs/serverless.yml");
    let by_vuln = csv_rows(&out.join("by_vulnerability.csv"));
    assert_eq!(by_vuln[0]["vulnerability"], "code-injection");
    assert_eq!(by_vuln[0]["total"], "3");
    let by_src: BTreeMap<String, String> = csv_rows(&out.join("by_source.csv")).into_iter().map(|r| (r["source"].clone(), r["total"].clone())).collect();
    assert_eq!(by_src["http"], "2");
    assert_eq!(by_src["cloud-api"], "1");
    assert_eq!(csv_rows(&out.join("apps.csv")).len(), 12);
    assert_eq!(csv_rows(&out.join("findings.csv")).len(), 7, "every flow of every app, triaged or not");
    let stages: Vec<String> = csv_rows(&out.join("time_stages.csv")).into_iter().map(|r| r["stage"].clone()).collect();
    assert_eq!(stages, ["infra", "parse", "taint", "other"]);
    let rates = csv_rows(&out.join("taint_rate.csv"));
    assert_eq!(rates.iter().map(|r| r["loc"].as_str()).collect::<Vec<_>>(), ["1-99", "100-999", "1000-9999", "10000+"]);
    let timed = csv_rows(&out.join("apps.csv")).into_iter().filter(|r| !["no-deployment-file", "timeout", "crash"].contains(&r["status"].as_str()) && r["loc"] != "0" && r["taint_ms"].parse::<f64>().unwrap() > 0.0).count();
    assert_eq!(rates.iter().map(|r| r["apps"].parse::<usize>().unwrap()).sum::<usize>(), timed, "every timed app is in one band: {rates:?}");
    let mut small_us: Vec<f64> = csv_rows(&out.join("apps.csv"))
        .into_iter()
        .filter(|r| r["loc"].parse::<u64>().is_ok_and(|l| (1..100).contains(&l)) && r["taint_ms"].parse::<f64>().unwrap() > 0.0)
        .map(|r| r["taint_ms"].parse::<f64>().unwrap() * 1000.0)
        .collect();
    small_us.sort_by(f64::total_cmp);
    let n = small_us.len();
    assert!(n > 0, "the fixture has apps under 100 lines");
    let typical = if n % 2 == 1 { small_us[n / 2] } else { (small_us[n / 2 - 1] + small_us[n / 2]) / 2.0 };
    let reported: f64 = rates[0]["median_taint_us"].parse().unwrap();
    assert!((reported - typical).abs() <= 1.0, "the band's typical taint time: {reported} us, from apps.csv {typical} us");
    for stem in ["overview", "status", "triage", "flows_per_app", "by_vulnerability", "by_source", "summary", "review_by_class", "time_stages", "taint_rate", "slowest_taint", "apps", "app_flows", "findings", "changes"] {
        for ext in ["csv", "md", "parquet"] {
            assert!(out.join(format!("{stem}.{ext}")).is_file(), "{stem}.{ext}");
        }
    }
    for fig in ["flows_per_app", "flows_cdf", "flows_loc", "time_loc", "time_share"] {
        for ext in ["svg", "png"] {
            assert!(out.join(format!("{fig}.{ext}")).metadata().map(|m| m.len() > 500).unwrap_or(false), "{fig}.{ext}");
        }
    }
    assert!(std::fs::read_to_string(out.join("report.md")).unwrap().contains("Table 6.2"));

    // Resumed: nothing reruns, so no record is written again (a timed-out
    // app's new record could equal its old one).
    let written = record_times(&out);
    assert_eq!(written.len(), 12);
    let (stdout, _) = harness(&scan_args(&o, &v), Some(HOOK));
    assert_eq!(record_times(&out), written, "resumed scan reran apps");
    assert!(stdout.contains("0 new, 0 fixed, 7 unchanged"), "{stdout}");
    let again = load_records(&out).unwrap();
    assert_eq!(again, recs);
}

/// Each record file of a scan with the time it was last written.
fn record_times(out: &Path) -> BTreeMap<String, std::time::SystemTime> {
    std::fs::read_dir(harness::scan::record::records_dir(out))
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().modified().unwrap()))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect()
}

/// A dataset of the good apps only, copied so that the test can edit it.
fn copy_good_apps(dst: &Path) {
    for app in ["acme_jobs", "acme_uploads", "acme_multi"] {
        for e in walkdir::WalkDir::new(fixture().join(app)) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(fixture()).unwrap();
            if e.file_type().is_dir() {
                std::fs::create_dir_all(dst.join(rel)).unwrap();
            } else {
                std::fs::copy(e.path(), dst.join(rel)).unwrap();
            }
        }
    }
}

#[test]
fn scan_review_verdicts_carry_forward_and_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("dataset");
    copy_good_apps(&ds);
    let out1 = tmp.path().join("scan1");
    let out2 = tmp.path().join("scan2");
    let verdicts = tmp.path().join("review/verdicts.csv");
    let (d, o1, o2, v) = (ds.display().to_string(), out1.display().to_string(), out2.display().to_string(), verdicts.display().to_string());
    let base = ["--verdicts", v.as_str(), "--quiet", "--dataset", d.as_str()];
    let mut a = vec!["scan", "--out", o1.as_str()];
    a.extend(base);
    harness(&a, None);

    // Listing: three unreviewed flows, with fingerprints.
    let (list, _) = harness(&["review", "--results", &o1, "--verdicts", &v, "--list"], None);
    assert!(list.starts_with("3 of 3 flows not reviewed"), "{list}");
    let findings = csv_rows(&out1.join("findings.csv"));
    let fp_of = |app: &str| findings.iter().find(|r| r["app"] == app).unwrap()["fingerprint"].clone();
    let (fp_jobs, fp_svc, fp_up) = (fp_of("acme_jobs/serverless.yml"), fp_of("acme_multi/svc-a/serverless.yml"), fp_of("acme_uploads/serverless.yml"));
    assert!(list.contains(&fp_jobs));

    // Verdicts, non-interactive.
    harness(&["review", "--results", &o1, "--verdicts", &v, "--fingerprint", &fp_up, "--verdict", "vulnerability", "--note", "HTTP body reaches os.system via S3"], None);
    let (out, _) = harness(&["review", "--results", &o1, "--verdicts", &v, "--fingerprint", &fp_svc, "--verdict", "not-a-vulnerability", "--note", "echo only"], None);
    assert!(out.contains("| vulnerability | 1 | 1 | 1 | 0 |"), "{out}");
    let (list, _) = harness(&["review", "--results", &o1, "--verdicts", &v, "--list"], None);
    assert!(list.starts_with("1 of 3 flows not reviewed"), "{list}");
    assert!(list.contains(&fp_jobs) && !list.contains(&fp_up));
    let summary: BTreeMap<String, Vec<String>> = csv_rows(&out1.join("summary.csv"))
        .into_iter()
        .map(|r| (r["category"].clone(), vec![r["total"].clone(), r["apps"].clone(), r["inter"].clone(), r["intra"].clone()]))
        .collect();
    assert_eq!(summary["vulnerability"], ["1", "1", "1", "0"]);
    assert_eq!(summary["not-a-vulnerability"], ["1", "1", "0", "1"]);
    assert_eq!(summary["potential"], ["0", "0", "0", "0"]);
    assert_eq!(summary["unreviewed"], ["1", "1", "0", "1"]);
    assert_eq!(summary["total"], ["3", "3", "1", "2"]);
    assert!(harness_fails(&["review", "--results", &o1, "--verdicts", &v, "--fingerprint", "0000", "--verdict", "potential"]));

    // The code changes: lines shift above the uploads sink (same
    // fingerprint), the svc-a sink goes away (fixed), a new sink appears in
    // the jobs app (new).
    let s3 = ds.join("acme_uploads/handlers/s3handler.py");
    let text = std::fs::read_to_string(&s3).unwrap();
    std::fs::write(&s3, format!("# moved down\n\n\n{text}")).unwrap();
    std::fs::write(ds.join("acme_multi/svc-a/handler.py"), "def handle(event, context):\n    return {\"statusCode\": 200}\n").unwrap();
    let jobs = ds.join("acme_jobs/handlers/jobs.py");
    let mut text = std::fs::read_to_string(&jobs).unwrap();
    text.push_str("\n\ndef extra(event, context):\n    import os\n    os.system(event[\"body\"])\n");
    std::fs::write(&jobs, text).unwrap();
    let yml = ds.join("acme_jobs/serverless.yml");
    let mut y = std::fs::read_to_string(&yml).unwrap();
    y = y.replacen("functions:\n", "functions:\n  extra:\n    handler: handlers/jobs.extra\n    events:\n      - http:\n          path: extra\n          method: post\n", 1);
    std::fs::write(&yml, y).unwrap();

    let mut a = vec!["scan", "--out", o2.as_str(), "--baseline", o1.as_str()];
    a.extend(base);
    let (stdout, _) = harness(&a, None);
    let changes = csv_rows(&out2.join("changes.csv"));
    let change_of = |fp: &str| changes.iter().find(|r| r["fingerprint"] == fp).map(|r| r["change"].clone());
    assert_eq!(change_of(&fp_up).as_deref(), Some("unchanged"), "{changes:#?}");
    assert_eq!(change_of(&fp_jobs).as_deref(), Some("unchanged"));
    assert_eq!(change_of(&fp_svc).as_deref(), Some("fixed"));
    let new: Vec<_> = changes.iter().filter(|r| r["change"] == "new").collect();
    assert_eq!(new.len(), 1, "{changes:#?}");
    assert_eq!(new[0]["app"], "acme_jobs/serverless.yml");
    assert!(stdout.contains("1 new, 1 fixed, 2 unchanged"), "{stdout}");
    // The verdict follows the flow to the new scan, at its new line.
    let f2 = csv_rows(&out2.join("findings.csv"));
    let up = f2.iter().find(|r| r["fingerprint"] == fp_up).unwrap();
    assert_eq!(up["verdict"], "vulnerability");
    assert_eq!(up["note"], "HTTP body reaches os.system via S3");
    let old_line: u64 = findings.iter().find(|r| r["fingerprint"] == fp_up).unwrap()["sink_line"].parse().unwrap();
    assert_eq!(up["sink_line"].parse::<u64>().unwrap(), old_line + 3);
    let (list, _) = harness(&["review", "--results", &o2, "--verdicts", &v, "--list"], None);
    assert!(list.starts_with("2 of 3 flows not reviewed"), "{list}");
}

fn harness_fails(args: &[&str]) -> bool {
    !Command::new(env!("CARGO_BIN_EXE_harness")).args(args).output().unwrap().status.success()
}
