//! Scoring 10,000 synthetic cases (two expected flows each; a log with a
//! matching flow, a flow from the wrong source and a false positive) and
//! aggregating them into a summary.

use analyzer::sarif::{CodeFlow, Location, Log, Result as SarifResult};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harness::score::mode::Mode;
use harness::score::{score_case, ToolOutput};
use harness::suite::discover::Case;
use harness::suite::labels::parse_label;
use harness::summary::Summary;
use std::path::{Path, PathBuf};

const CASES: usize = 10_000;

fn synthetic() -> Vec<(Case, Log)> {
    let categories = ["inter-procedural", "intra-procedural", "application"];
    (0..CASES)
        .map(|i| {
            let name = format!("case-{i}");
            let text = format!(
                "schema = 1\nname = \"{name}\"\ncategory = \"{}\"\ntarget_service = \"s3\"\nservices = [\"s3\"]\nfeatures = [\"f{}\"]\ndescription = \"d\"\n\
                 [[flow]]\nvulnerability = \"code-injection\"\nsource = {{ file = \"h.py\", function = \"handle\", kind = \"http\" }}\nsink = {{ file = \"h.py\", line = 10, callee = \"os.system\" }}\n\
                 [[flow]]\nvulnerability = \"sql-injection\"\nsource = {{ file = \"h.py\", function = \"handle\", kind = \"http\" }}\nsink = {{ file = \"db.py\", line = 20, callee = \"cursor.execute\" }}\n",
                categories[i % 3],
                i % 7
            );
            let label = parse_label(&text, Path::new("expected.toml"));
            let case = Case { dir: PathBuf::from(format!("/nonexistent/{name}")), rel: format!("x/{name}"), name, label };
            let mut log = Log::new("synthetic", "1", None, vec![]);
            let src = |f: &str| Location::at("h.py", 3).in_function(&format!("h.{f}"), "function");
            log.runs[0].results = vec![
                SarifResult {
                    rule_id: Some("code-injection".into()),
                    locations: vec![Location::at("h.py", 10)],
                    code_flows: vec![CodeFlow::through(vec![src("handle"), Location::at("h.py", 10)])],
                    ..Default::default()
                },
                SarifResult {
                    rule_id: Some("sql-injection".into()),
                    locations: vec![Location::at("db.py", 20)],
                    code_flows: vec![CodeFlow::through(vec![src(if i % 2 == 0 { "handle" } else { "other" }), Location::at("db.py", 20)])],
                    ..Default::default()
                },
                SarifResult { rule_id: Some("ssrf".into()), locations: vec![Location::at("net.py", 5)], ..Default::default() },
            ];
            (case, log)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let cases = synthetic();
    let mut group = c.benchmark_group("scoring");
    group.throughput(Throughput::Elements(CASES as u64));
    group.sample_size(10);
    group.bench_function("10,000 synthetic cases, strict", |b| {
        b.iter(|| {
            let scores: Vec<_> =
                cases.iter().map(|(c, l)| score_case(c, ToolOutput::Sarif(l.clone()), Mode::STRICT, Some(0.01))).collect();
            Summary::from_scores("synthetic", "synthetic", Mode::STRICT, &scores)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
