//! Results scored as findings (deployment risks and secret-exposure flows):
//! what a log reports beside its flows, and how it is matched against
//! `[[finding]]` labels (docs/ground-truth.md).
//!
//! A result is a finding when its `properties.family` is `deployment-risk`
//! or `secret-flow`, or when the rule it names is tagged with one of them
//! in the run's driver. Such a result is never a reported flow, even with
//! code flows. A reported finding is (rule, file, line) of its first
//! location; duplicates are one. Only the rules a case is labelled for
//! (`finding_rules`, or the rules of its `[[finding]]` tables) are scored:
//! E matches R when the rules are equal, the files are the same and the
//! lines are equal. TP = expected findings matched, FN = expected findings
//! not matched, FP = reported findings of a scored rule that match none.
//! Lenient and sink-only modes do not apply.

use analyzer::sarif::same_file;
use crate::suite::labels::ExpectedFinding;
use analyzer::sarif::{clean_path, Log, Result as SarifResult, Run};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The result families scored as findings: deployment risks and flows of
/// secret material.
pub const FAMILIES: [&str; 2] = ["deployment-risk", "secret-flow"];

/// Whether a result of `run` is scored as a finding rather than as a flow.
pub fn is_finding(run: &Run, result: &SarifResult) -> bool {
    let by_property = result.properties.as_ref().and_then(|p| p.get("family")).and_then(|f| f.as_str()).is_some_and(|f| FAMILIES.contains(&f));
    by_property
        || result.resolved_rule_id(run).is_some_and(|id| {
            run.tool.driver.rules.iter().filter(|r| r.id == id).filter_map(|r| r.properties.as_ref()?.get("tags")?.as_array().cloned()).flatten().any(|t| t.as_str().is_some_and(|t| FAMILIES.contains(&t)))
        })
}

/// The distinct deployment-risk results of a log whose URIs are relative
/// to `case_dir` (normalised here), as `[[finding]]`-shaped triples.
pub fn reported_findings(log: &Log, case_dir: &Path) -> Vec<ExpectedFinding> {
    let mut log = log.clone();
    log.normalize_uris(case_dir);
    let mut out = BTreeSet::new();
    for (run, result) in log.results().filter(|(run, r)| is_finding(run, r)) {
        let Some(loc) = result.locations.first() else { continue };
        out.insert(ExpectedFinding {
            rule: result.resolved_rule_id(run).unwrap_or("").to_string(),
            file: clean_path(loc.uri().unwrap_or("")),
            line: loc.start_line().unwrap_or(0),
        });
    }
    out.into_iter().collect()
}

/// Counts of one rule (or of all) on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    pub tp: u32,
    pub fp: u32,
    #[serde(rename = "fn")]
    pub fn_: u32,
}

/// The findings part of a case's score.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindingScore {
    /// The rules scored on the case.
    pub rules: Vec<String>,
    pub counts: Counts,
    pub by_rule: BTreeMap<String, Counts>,
    pub missed: Vec<ExpectedFinding>,
    pub false_positives: Vec<ExpectedFinding>,
}

impl FindingScore {
    pub fn pass(&self) -> bool {
        self.counts.fp == 0 && self.counts.fn_ == 0
    }

    /// A run that failed: every expected finding missed.
    pub fn failed(rules: Vec<String>, expected: &[ExpectedFinding]) -> FindingScore {
        score(rules, expected, &[])
    }
}

fn matches(r: &ExpectedFinding, e: &ExpectedFinding) -> bool {
    r.rule == e.rule && r.line == e.line && same_file(&r.file, &e.file)
}

/// Matches the reported findings of the scored `rules` against the expected ones.
pub fn score(rules: Vec<String>, expected: &[ExpectedFinding], reported: &[ExpectedFinding]) -> FindingScore {
    let scored: Vec<&ExpectedFinding> = reported.iter().filter(|r| rules.contains(&r.rule)).collect();
    let mut s = FindingScore { by_rule: rules.iter().map(|r| (r.clone(), Counts::default())).collect(), rules, ..FindingScore::default() };
    for e in expected {
        let c = s.by_rule.entry(e.rule.clone()).or_default();
        if scored.iter().any(|r| matches(r, e)) {
            c.tp += 1;
        } else {
            c.fn_ += 1;
            s.missed.push(e.clone());
        }
    }
    for r in scored {
        if !expected.iter().any(|e| matches(r, e)) {
            s.by_rule.entry(r.rule.clone()).or_default().fp += 1;
            s.false_positives.push(r.clone());
        }
    }
    for c in s.by_rule.values() {
        s.counts.tp += c.tp;
        s.counts.fp += c.fp;
        s.counts.fn_ += c.fn_;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use analyzer::sarif::Location;

    fn f(rule: &str, file: &str, line: u32) -> ExpectedFinding {
        ExpectedFinding { rule: rule.into(), file: file.into(), line }
    }

    fn risk(rule: &str, file: &str, line: u32) -> SarifResult {
        let mut props = analyzer::sarif::PropertyBag::new();
        props.insert("family".into(), serde_json::json!(FAMILIES[0]));
        SarifResult { rule_id: Some(rule.into()), locations: vec![Location::at(file, line)], properties: Some(props), ..Default::default() }
    }

    #[test]
    fn only_scored_rules_count_and_lines_must_agree() {
        let expected = [f("plaintext-secret", "serverless.yml", 9), f("unused-function", "serverless.yml", 20)];
        let reported = [
            f("plaintext-secret", "./serverless.yml", 9),
            f("plaintext-secret", "serverless.yml", 12),
            f("unauthenticated-endpoint", "serverless.yml", 30),
        ];
        let s = score(vec!["plaintext-secret".into(), "unused-function".into()], &expected, &reported);
        assert_eq!(s.counts, Counts { tp: 1, fp: 1, fn_: 1 });
        assert_eq!(s.by_rule["plaintext-secret"], Counts { tp: 1, fp: 1, fn_: 0 });
        assert_eq!(s.by_rule["unused-function"], Counts { tp: 0, fp: 0, fn_: 1 });
        assert_eq!(s.missed, vec![expected[1].clone()]);
        assert!(!s.pass());
        let negative = score(vec!["unused-function".into()], &[], &reported);
        assert!(negative.pass());
    }

    #[test]
    fn risks_are_read_by_property_or_rule_tag_and_deduplicated() {
        let mut log = Log::new("t", "1", None, vec![]);
        let mut tagged = analyzer::sarif::ReportingDescriptor::new("open-bucket", "OpenBucket", "x");
        let mut props = analyzer::sarif::PropertyBag::new();
        props.insert("tags".into(), serde_json::json!(["security", FAMILIES[0]]));
        tagged.properties = Some(props);
        log.runs[0].tool.driver.rules.push(tagged);
        log.runs[0].results = vec![
            risk("plaintext-secret", "serverless.yml", 9),
            risk("plaintext-secret", "serverless.yml", 9),
            SarifResult { rule_id: Some("open-bucket".into()), locations: vec![Location::at("template.yaml", 4)], ..Default::default() },
            SarifResult { rule_id: Some("code-injection".into()), locations: vec![Location::at("a.py", 4)], ..Default::default() },
        ];
        let found = reported_findings(&log, Path::new("/x/case"));
        assert_eq!(found, vec![f("open-bucket", "template.yaml", 4), f("plaintext-secret", "serverless.yml", 9)]);
    }
}
