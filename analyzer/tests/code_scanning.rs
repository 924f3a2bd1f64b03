//! Our SARIF as GitHub code scanning ingests it: every rule a result uses
//! carries help, CWE tags, a security severity and a precision; cloud hops
//! are related locations; the log stays inside the documented upload
//! limits. Run over every case of the suite.

use std::path::PathBuf;

use analyzer::analysis::{analyze, Options};
use analyzer::report;

/// GitHub's documented limits for one SARIF upload.
const MAX_RUNS: usize = 20;
const MAX_RESULTS_PER_RUN: usize = 25_000;
const MAX_RULES_PER_RUN: usize = 25_000;
const MAX_TAGS_PER_RULE: usize = 20;
const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
const MAX_THREAD_FLOW_LOCATIONS: usize = 10_000;

fn cases() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks");
    let mut out = Vec::new();
    for category in std::fs::read_dir(&root).unwrap().flatten().filter(|e| e.path().is_dir()) {
        out.extend(std::fs::read_dir(category.path()).unwrap().flatten().map(|e| e.path()).filter(|p| p.join("expected.toml").is_file()));
    }
    out.sort();
    out
}

#[test]
fn every_suite_log_renders_in_code_scanning() {
    let cases = cases();
    assert!(cases.len() > 100, "the suite is where the logs come from: {} cases", cases.len());
    let (mut results, mut with_hops) = (0, 0);
    for case in &cases {
        let a = analyze(case, &Options::default()).unwrap();
        let log = serde_json::to_value(report::sarif::to_sarif(&a)).unwrap();
        let runs = log["runs"].as_array().unwrap();
        assert!(runs.len() <= MAX_RUNS);
        let run = &runs[0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(rules.len() <= MAX_RULES_PER_RUN);
        let run_results = run["results"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert!(run_results.len() <= MAX_RESULTS_PER_RUN);
        for r in run_results {
            results += 1;
            let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], r["ruleId"], "{}", case.display());
            assert!(rule["help"]["text"].as_str().is_some_and(|t| t.contains("Fix:")), "{rule}");
            assert!(rule["help"]["markdown"].as_str().is_some_and(|t| t.contains("### How to fix")), "{rule}");
            assert!(rule["fullDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
            let tags: Vec<&str> = rule["properties"]["tags"].as_array().unwrap().iter().filter_map(|t| t.as_str()).collect();
            assert!(tags.len() <= MAX_TAGS_PER_RULE && tags.contains(&"security"), "{tags:?}");
            assert!(tags.iter().any(|t| t.starts_with("external/cwe/cwe-")), "{tags:?}");
            let severity: f64 = rule["properties"]["security-severity"].as_str().unwrap().parse().unwrap();
            assert!((0.0..=10.0).contains(&severity));
            assert!(rule["properties"]["precision"].is_string());
            let related = r["relatedLocations"].as_array().map(Vec::len).unwrap_or(0);
            assert!(r["locations"].as_array().unwrap().len() + related <= MAX_LOCATIONS_PER_RESULT);
            if r["properties"]["family"] == "deployment-risk" {
                assert!(r["codeFlows"].is_null() && tags.contains(&"deployment-risk"), "a deployment risk is a location, not a flow: {r}");
                continue;
            }
            for flow in r["codeFlows"].as_array().unwrap() {
                for thread in flow["threadFlows"].as_array().unwrap() {
                    let steps = thread["locations"].as_array().unwrap();
                    assert!(steps.len() <= MAX_THREAD_FLOW_LOCATIONS);
                    assert!(steps.iter().all(|s| s["location"]["message"]["text"].is_string()), "every step says what happens there");
                }
            }
            let hops = r["properties"]["hops"].as_array().map(Vec::len).unwrap_or(0);
            if hops > 0 {
                with_hops += 1;
                assert!(related >= 2, "a cloud hop is shown where it writes and where it delivers: {}", case.display());
                assert!(r["relatedLocations"][0]["message"]["text"].as_str().unwrap().starts_with("written to "));
            }
        }
    }
    assert!(results > 80 && with_hops > 30, "{results} results, {with_hops} across cloud hops");
}
