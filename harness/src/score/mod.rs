//! Scoring a tool's findings against a suite's labels: flows against
//! `[[flow]]`, deployment-risk results against `[[finding]]`.
//!
//! [`score_case`] scores one case from the tool's output (a SARIF log, or the
//! error that stopped the tool); [`score_sarif_dir`] scores every case of a
//! suite from a folder of `<case-name>.sarif` logs;
//! [`crate::summary::Summary::from_scores`] aggregates.

pub mod findings;
pub mod flows;
pub mod matching;
pub mod metrics;
pub mod mode;

use crate::suite::discover::Case;
use crate::suite::labels::ExpectedFlow;
use crate::suite::python;
use analyzer::sarif::Log;
use findings::{reported_findings, FindingScore};
use flows::{reported_flows, ReportedFlow};
use matching::match_flows;
use mode::Mode;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

/// What a tool produced for one case.
#[derive(Debug, Clone)]
pub enum ToolOutput {
    /// A SARIF log (URIs relative to the case folder, or normalisable to it).
    Sarif(Log),
    /// The tool crashed, timed out or wrote nothing: the error to record.
    Failed(String),
}

/// The score of one case, with what is needed to explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseScore {
    pub name: String,
    /// Folder relative to the suite root.
    pub rel: String,
    pub category: String,
    pub target_service: String,
    /// Vulnerability classes of the expected flows; `["none"]` for a negative case.
    pub vulnerabilities: Vec<String>,
    pub features: Vec<String>,
    pub pass: bool,
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
    pub error: Option<String>,
    pub seconds: Option<f64>,
    /// Expected flows no report matched.
    pub missed: Vec<ExpectedFlow>,
    /// Reported flows that matched no expected flow.
    pub false_positives: Vec<ReportedFlow>,
    /// Deployment risks, for a case labelled for some of their rules.
    pub findings: Option<FindingScore>,
}

/// Scores one case: it PASSES when its flows and the findings of the rules
/// it is labelled for both have no FP and no FN. A failed tool run FAILS
/// the case with every expected flow and finding counted as FN; so does a log whose run says `executionSuccessful: false`.
/// An unreadable label FAILS the case with no counts and the label error.
pub fn score_case(case: &Case, output: ToolOutput, mode: Mode, seconds: Option<f64>) -> CaseScore {
    let mut score = CaseScore {
        name: case.name.clone(),
        rel: case.rel.clone(),
        category: case.category(),
        target_service: String::new(),
        vulnerabilities: vec![],
        features: vec![],
        pass: false,
        tp: 0,
        fp: 0,
        fn_: 0,
        error: None,
        seconds,
        missed: vec![],
        false_positives: vec![],
        findings: None,
    };
    let label = match &case.label {
        Ok(l) => l,
        Err(e) => {
            score.error = Some(format!("label: {e}"));
            return score;
        }
    };
    score.target_service = label.target_service.clone();
    score.vulnerabilities = label.vulnerabilities();
    score.features = label.features.clone();
    let output = match output {
        ToolOutput::Sarif(log) => match failed_run(&log) {
            Some(e) => ToolOutput::Failed(e),
            None => ToolOutput::Sarif(log),
        },
        other => other,
    };
    match output {
        ToolOutput::Failed(e) => {
            score.error = Some(e);
            score.fn_ = label.flows.len() as u32;
            score.missed = label.flows.clone();
            let rules = label.scored_rules();
            score.findings = (!rules.is_empty()).then(|| FindingScore::failed(rules, &label.findings));
        }
        ToolOutput::Sarif(log) => {
            let reported = reported_flows(&log, &case.dir, mode);
            let cache: RefCell<HashMap<String, Option<python::PyFile>>> = RefCell::new(HashMap::new());
            let locate = |file: &str, line: u32| -> Option<String> {
                let mut cache = cache.borrow_mut();
                let parsed = cache.entry(file.to_string()).or_insert_with(|| {
                    std::fs::read_to_string(case.dir.join(file)).ok().and_then(|s| python::parse(&s).ok())
                });
                parsed.as_ref().map(|p| p.function_at(line))
            };
            let m = match_flows(&label.flows, &reported, mode, &locate);
            score.tp = m.tp;
            score.fp = m.fp;
            score.fn_ = m.fn_;
            let rules = label.scored_rules();
            score.findings = (!rules.is_empty()).then(|| findings::score(rules, &label.findings, &reported_findings(&log, &case.dir)));
            score.pass = m.fp == 0 && m.fn_ == 0 && score.findings.as_ref().is_none_or(FindingScore::pass);
            score.missed =
                label.flows.iter().zip(&m.matched).filter(|(_, ok)| !**ok).map(|(f, _)| f.clone()).collect();
            score.false_positives = m.false_positives;
        }
    }
    score
}

/// The error of a log whose invocation says the tool did not complete.
fn failed_run(log: &Log) -> Option<String> {
    let inv = log.runs.iter().flat_map(|r| &r.invocations).find(|i| !i.execution_successful)?;
    let notes: Vec<&str> = inv.tool_execution_notifications.iter().map(|n| n.message.text.as_str()).collect();
    Some(if notes.is_empty() {
        "tool run not successful (executionSuccessful: false)".to_string()
    } else {
        format!("tool run not successful: {}", notes.join("; "))
    })
}

/// Reads `<sarif_dir>/<case-name>.sarif`: a missing or unreadable log is a failed run.
pub fn read_case_output(sarif_dir: &Path, case: &Case) -> ToolOutput {
    let path = sarif_dir.join(format!("{}.sarif", case.name));
    if !path.is_file() {
        return ToolOutput::Failed(format!("no SARIF log {}", path.display()));
    }
    match analyzer::sarif::read_log(&path) {
        Ok(log) => ToolOutput::Sarif(log),
        Err(e) => ToolOutput::Failed(e.to_string()),
    }
}

/// Scores every case from `<sarif_dir>/<case-name>.sarif`.
pub fn score_sarif_dir(cases: &[Case], sarif_dir: &Path, mode: Mode) -> Vec<CaseScore> {
    cases.iter().map(|c| score_case(c, read_case_output(sarif_dir, c), mode, None)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::labels::parse_label;
    use analyzer::sarif::{Invocation, Location, Message, Notification};
    use std::path::PathBuf;

    fn case() -> Case {
        let label = parse_label(
            r#"schema = 1
name = "c"
category = "intra-procedural"
target_service = "none"
services = []
features = ["cli"]
description = "d"
[[flow]]
vulnerability = "code-injection"
source = { file = "a.py", function = "main", kind = "cli" }
sink = { file = "a.py", line = 4, callee = "os.system" }
[[flow]]
vulnerability = "code-injection"
source = { file = "a.py", function = "main", kind = "cli" }
sink = { file = "a.py", line = 5, callee = "os.system" }
"#,
            Path::new("c/expected.toml"),
        );
        Case { dir: PathBuf::from("/nonexistent/c"), rel: "cat/c".into(), name: "c".into(), label }
    }

    #[test]
    fn crash_fails_with_every_flow_missed() {
        let s = score_case(&case(), ToolOutput::Failed("timeout after 60 s".into()), Mode::STRICT, Some(60.0));
        assert!(!s.pass);
        assert_eq!((s.tp, s.fp, s.fn_), (0, 0, 2));
        assert_eq!(s.error.as_deref(), Some("timeout after 60 s"));
        assert_eq!(s.missed.len(), 2);
    }

    #[test]
    fn unsuccessful_invocation_is_a_crash() {
        let mut log = Log::new("t", "1", None, vec![]);
        log.runs[0].invocations = vec![Invocation {
            execution_successful: false,
            exit_code: Some(1),
            tool_execution_notifications: vec![Notification { message: Message::text("boom"), level: None, locations: vec![] }],
        }];
        log.runs[0].results.push(analyzer::sarif::Result {
            rule_id: Some("code-injection".into()),
            locations: vec![Location::at("a.py", 4)],
            ..Default::default()
        });
        let s = score_case(&case(), ToolOutput::Sarif(log), Mode { lenient: false, sink_only: true }, None);
        assert_eq!((s.pass, s.tp, s.fn_), (false, 0, 2));
        assert_eq!(s.error.as_deref(), Some("tool run not successful: boom"));
    }

    #[test]
    fn missing_log_is_recorded() {
        let out = read_case_output(Path::new("/nonexistent-dir"), &case());
        let s = score_case(&case(), out, Mode::STRICT, None);
        assert!(s.error.unwrap().contains("no SARIF log"));
        assert_eq!(s.fn_, 2);
    }

    #[test]
    fn partial_detection_fails() {
        let mut log = Log::new("t", "1", None, vec![]);
        log.runs[0].results.push(analyzer::sarif::Result {
            rule_id: Some("code-injection".into()),
            locations: vec![Location::at("a.py", 4)],
            ..Default::default()
        });
        let s = score_case(&case(), ToolOutput::Sarif(log.clone()), Mode { lenient: false, sink_only: true }, None);
        assert_eq!((s.pass, s.tp, s.fp, s.fn_), (false, 1, 0, 1));
        assert_eq!(s.missed[0].sink.line, 5);
        assert_eq!(s.vulnerabilities, vec!["code-injection"]);
    }

    /// A deployment risk is never a flow: on a case labelled for no risk
    /// rule it is not scored at all; labelled, it is a finding.
    #[test]
    fn deployment_risks_are_not_flows() {
        let mut log = Log::new("t", "1", None, vec![]);
        let mut props = analyzer::sarif::PropertyBag::new();
        props.insert("family".into(), serde_json::json!("deployment-risk"));
        log.runs[0].results.push(analyzer::sarif::Result {
            rule_id: Some("unused-function".into()),
            locations: vec![Location::at("serverless.yml", 12)],
            properties: Some(props),
            ..Default::default()
        });
        let s = score_case(&case(), ToolOutput::Sarif(log.clone()), Mode::STRICT, None);
        assert_eq!((s.tp, s.fp, s.fn_), (0, 0, 2));
        assert!(s.false_positives.is_empty() && s.findings.is_none());
        let mut labelled = case();
        if let Ok(l) = labelled.label.as_mut() {
            l.finding_rules = Some(vec!["unused-function".into()]);
        }
        let s = score_case(&labelled, ToolOutput::Sarif(log), Mode::STRICT, None);
        assert_eq!(s.findings.map(|f| (f.counts.fp, f.false_positives[0].line)), Some((1, 12)));
        assert_eq!(s.fp, 0);
    }

    #[test]
    fn bad_label_fails_the_case() {
        let mut c = case();
        c.label = parse_label("schema = 1\n", Path::new("c/expected.toml"));
        let s = score_case(&c, ToolOutput::Failed("x".into()), Mode::STRICT, None);
        assert!(!s.pass);
        assert!(s.error.unwrap().starts_with("label: c/expected.toml"));
        assert_eq!(s.category, "unknown");
    }
}
