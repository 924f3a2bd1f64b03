//! `harness characterize` on a fixture dataset of three small repositories
//! (harness/tests/fixtures/dataset): every table's numbers.
//!
//! alpha: two serverless.yml (root and ops/), three Python files; beta: one
//! serverless.yml, sessions, `self.x` clients, partial imports; gamma: a
//! broken serverless.yml and a Python file that does not parse, not even
//! as Python 2 (counted, not fatal).

use std::collections::HashMap;
use std::path::Path;

use harness::dataset::characterize::{self, RepoRecord};
use harness::dataset::progress::Progress;
use harness::report::tables;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dataset")
}

fn records() -> Vec<RepoRecord> {
    let repos = characterize::discover_repos(&fixtures(), 1).unwrap();
    assert_eq!(repos.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), vec!["alpha", "beta", "gamma"]);
    characterize::characterize_all(&repos, 2, &Progress::hidden()).unwrap()
}

fn table(t: &characterize::Tables, stem: &str) -> Vec<Vec<String>> {
    tables::rows(t.get(stem).unwrap_or_else(|| panic!("no table {stem}")))
}

fn metrics(t: &characterize::Tables, stem: &str) -> HashMap<String, String> {
    table(t, stem).into_iter().map(|r| (r[0].clone(), r[1].clone())).collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn dataset_characterize_fixture_tables() {
    let recs = records();
    let t = characterize::build_tables(&recs).unwrap();

    // Per repository. alpha: 10 + 12 + 5 Python code lines (tokei counts
    // cron.py's one-line module docstring as code, the comment not).
    let repos = table(&t, "repos");
    let cols = tables::header(t.get("repos").unwrap());
    let col = |name: &str| cols.iter().position(|c| c == name).unwrap();
    let pick = |r: &Vec<String>, names: &[&str]| names.iter().map(|n| r[col(n)].clone()).collect::<Vec<_>>();
    let names = ["repo", "loc_python", "python_files", "deployment_files", "first_deployment_file", "framework", "provider", "framework_version", "plugins", "handlers", "events", "boto3_instantiations", "boto3_api_calls", "failures"];
    assert_eq!(
        pick(&repos[0], &names),
        s(&["alpha", "27", "3", "2", "serverless.yml", "serverless", "aws", "3", "serverless-python-requirements;serverless-iam-roles-per-function", "2", "3", "4", "6", "0"])
    );
    assert_eq!(pick(&repos[1], &names), s(&["beta", "18", "1", "1", "serverless.yml", "serverless", "aws", ">=2.0.0", "serverless-python-requirements", "1", "2", "3", "4", "0"]));
    assert_eq!(pick(&repos[2], &names), s(&["gamma", "4", "1", "1", "", "", "", "", "", "0", "0", "1", "0", "2"]));
    assert!(recs[0].loc_total > recs[0].loc_python, "all languages include the YAML");

    // Table 3.2: plugins of the first deployment file (ops/ has serverless-offline: not counted).
    assert_eq!(table(&t, "table_3_2_plugins"), vec![s(&["serverless-python-requirements", "2"]), s(&["serverless-iam-roles-per-function", "1"])]);

    // Table 3.3: size.
    let m = metrics(&t, "table_3_3_size");
    let want = [
        ("repos", "3"),
        ("python_loc_mean", "16"),
        ("python_loc_median", "18"),
        ("python_loc_min", "4"),
        ("python_loc_max", "27"),
        ("share_under_1000_python_loc", "1"),
        ("share_under_100_python_loc", "1"),
        ("handlers_mean", "1"),
        ("handlers_median", "1"),
        ("share_at_most_4_handlers", "1"),
        ("events_mean", "1.667"),
        ("events_median", "2"),
        ("share_under_5_events", "1"),
    ];
    for (k, v) in want {
        assert_eq!(m[k], v, "{k}");
    }

    // Table 3.4: boto3 services.
    assert_eq!(
        table(&t, "table_3_4_boto3_services"),
        vec![s(&["s3", "2", "3"]), s(&["dynamodb", "2", "2"]), s(&["sqs", "2", "2"]), s(&["<dynamic>", "1", "1"])]
    );

    // Table 3.5: top APIs (close, copy and unknown methods excluded).
    assert_eq!(tables::header(t.get("table_3_5_top_apis").unwrap()), s(&["s3", "s3 #", "dynamodb", "dynamodb #", "sqs", "sqs #"]));
    assert_eq!(
        table(&t, "table_3_5_top_apis"),
        vec![
            s(&["put_object", "2", "put_item", "2", "delete_message", "1"]),
            s(&["get_object", "1", "get_item", "1", "list_queues", "1"]),
            s(&["upload_file", "1", "other", "0", "send_message", "1"]),
            s(&["other", "0", "", "", "other", "0"]),
        ]
    );

    // Extras.
    let e = metrics(&t, "extras");
    assert_eq!(e["functions"], "4");
    assert_eq!(e["http_endpoints"], "2");
    assert_eq!(e["share_http_endpoints_without_authorizer"], "0.5");
    assert_eq!(e["share_repos_with_more_than_one_deployment_file"], "0.333");
    assert_eq!(e["repos_with_parse_failures"], "1");
    let perms = table(&t, "permissions_per_function");
    let row = |f: &str| perms.iter().find(|r| r[2] == f).unwrap().clone();
    // upload inherits the provider statements: 3 actions, dynamodb:* on "*".
    assert_eq!(row("upload")[3..6], s(&["3", "true", "true"]));
    // process has its own statement (serverless-iam-roles-per-function).
    assert_eq!(row("process")[3..6], s(&["1", "false", "false"]));
    assert_eq!(row("cron")[3..6], s(&["0", "false", "false"]));
    assert_eq!(row("worker")[3..6], s(&["0", "false", "false"]));
    assert_eq!(e["share_functions_wildcard_action"], "0.25");
    assert_eq!(e["share_functions_wildcard_resource"], "0.25");
    assert_eq!(e["permissions_per_function_mean"], "1");
    assert_eq!(table(&t, "deployment_files_per_repo"), vec![s(&["1", "2"]), s(&["2", "1"])]);

    // Failures are listed, not fatal.
    let f = table(&t, "failures");
    assert_eq!(f.len(), 2);
    assert!(f.iter().any(|r| r[0] == "gamma" && r[1] == "deployment" && r[2] == "serverless.yml"));
    assert!(f.iter().any(|r| r[0] == "gamma" && r[1] == "python" && r[2] == "main.py"));
}

#[test]
fn dataset_characterize_writes_every_format() {
    let recs = records();
    let out = tempfile::tempdir().unwrap();
    characterize::write_outputs(&recs, out.path()).unwrap();
    for stem in ["repos", "table_3_2_plugins", "table_3_3_size", "table_3_4_boto3_services", "table_3_5_top_apis", "extras", "permissions_per_function", "deployment_files_per_repo", "failures"] {
        for ext in ["csv", "md", "parquet"] {
            let p = out.path().join(format!("{stem}.{ext}"));
            assert!(p.metadata().map(|m| m.len() > 0).unwrap_or(false), "{}", p.display());
        }
    }
    for stem in ["figure_3_2_loc_cdf", "figure_3_3_handlers_vs_loc", "figure_3_4_events_vs_handlers"] {
        let svg = std::fs::read_to_string(out.path().join(format!("{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("Figure 3."), "{stem}");
        let png = std::fs::read(out.path().join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..4], b"\x89PNG");
    }
    let csv = std::fs::read_to_string(out.path().join("table_3_4_boto3_services.csv")).unwrap();
    assert!(csv.starts_with("service,repos,occurrences\ns3,2,3\n"), "{csv}");
    let md = std::fs::read_to_string(out.path().join("tables.md")).unwrap();
    assert!(md.contains("| serverless-python-requirements | 2 |"));
}

#[test]
fn dataset_characterize_cli_on_fixtures_and_default_suite() {
    let out = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_harness"))
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
            .output()
            .unwrap()
    };
    let o = run(&["characterize", "--dataset", fixtures().to_str().unwrap(), "--out", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Table 3.2") && text.contains("Table 3.5") && text.contains("characterised 3 repositories"), "{text}");
    // gamma's broken files are reported on stderr, not fatal.
    assert!(String::from_utf8_lossy(&o.stderr).contains("gamma"));
    // No dataset: the bundled microbenchmarks.
    let out2 = tempfile::tempdir().unwrap();
    let o = run(&["characterize", "--out", out2.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out2.path().join("table_3_4_boto3_services.csv").exists());
    let services = std::fs::read_to_string(out2.path().join("table_3_4_boto3_services.csv")).unwrap();
    assert!(services.contains("s3,") && services.contains("dynamodb,"), "{services}");
}
