//! `summary.json`: the scores of one tool on one suite in one mode, and its
//! CSV and Markdown renderings.
//!
//! Keys (other tools and regression checks read them; keep them):
//! `tool, suite, mode, cases, passed, tp, fp, fn, precision, recall, f1,
//! by{category, vulnerability, target_service, feature}{name -> {cases,
//! passed, tp, fp, fn, precision, recall, f1}}, per_case[{name, category,
//! pass, tp, fp, fn, error, seconds}]`.
//!
//! Groups in `by` sum the counts of the cases that belong to them: a case
//! belongs to its category, its target service, each of its feature tags and
//! each vulnerability class of its expected flows (`none` for a negative
//! case). `seconds` is `null` when the run was not timed (e.g. `harness score`
//! from a folder of logs). Ratios are rounded to 4 decimals; see
//! [`crate::score::metrics`] for the empty-denominator convention.
//! `findings` (cases labelled for deployment-risk rules, their counts and
//! `by_rule`) and `per_case[].findings` are there only when some case is
//! labelled for them.

use crate::score::mode::Mode;
use crate::score::findings::Counts;
use crate::score::metrics::GroupScore;
use crate::score::CaseScore;
use crate::suite::labels::Category;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub tool: String,
    /// What the tool says it is (`semgrep 1.100.0`), from its logs or its
    /// install check, so that a result can be tied to the release that made
    /// it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    pub suite: String,
    pub mode: String,
    pub cases: u32,
    pub passed: u32,
    pub tp: u32,
    pub fp: u32,
    #[serde(rename = "fn")]
    pub fn_: u32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub by: By,
    pub per_case: Vec<PerCase>,
    /// Deployment-risk findings, when some case is labelled for their
    /// rules; flows' scores above never count them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<FindingsSummary>,
}

/// The findings block: the cases labelled for deployment-risk rules, their
/// counts over those rules, and the same per rule (a case belongs to each
/// rule it is labelled for, and passes a rule with no FP and no FN of it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FindingsSummary {
    #[serde(flatten)]
    pub all: GroupScore,
    pub by_rule: BTreeMap<String, GroupScore>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct By {
    pub category: BTreeMap<String, GroupScore>,
    pub vulnerability: BTreeMap<String, GroupScore>,
    pub target_service: BTreeMap<String, GroupScore>,
    pub feature: BTreeMap<String, GroupScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerCase {
    pub name: String,
    pub category: String,
    pub pass: bool,
    pub tp: u32,
    pub fp: u32,
    #[serde(rename = "fn")]
    pub fn_: u32,
    pub error: Option<String>,
    pub seconds: Option<f64>,
    /// The case's findings counts, when it is labelled for some rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<Counts>,
}

impl Summary {
    /// Aggregates case scores.
    pub fn from_scores(tool: &str, suite: &str, mode: Mode, scores: &[CaseScore]) -> Summary {
        let mut all = GroupScore::default();
        let mut by = By::default();
        for s in scores {
            let add = |map: &mut BTreeMap<String, GroupScore>, key: &str| {
                map.entry(key.to_string()).or_default().add(s.pass, s.tp, s.fp, s.fn_)
            };
            all.add(s.pass, s.tp, s.fp, s.fn_);
            add(&mut by.category, &s.category);
            if !s.target_service.is_empty() {
                add(&mut by.target_service, &s.target_service);
            }
            for v in &s.vulnerabilities {
                add(&mut by.vulnerability, v);
            }
            for f in &s.features {
                add(&mut by.feature, f);
            }
        }
        all.finish();
        for map in [&mut by.category, &mut by.vulnerability, &mut by.target_service, &mut by.feature] {
            map.values_mut().for_each(GroupScore::finish);
        }
        let mut findings: Option<FindingsSummary> = None;
        for f in scores.iter().filter_map(|s| s.findings.as_ref()) {
            let block = findings.get_or_insert_with(FindingsSummary::default);
            block.all.add(f.pass(), f.counts.tp, f.counts.fp, f.counts.fn_);
            for (rule, c) in &f.by_rule {
                block.by_rule.entry(rule.clone()).or_default().add(c.fp == 0 && c.fn_ == 0, c.tp, c.fp, c.fn_);
            }
        }
        if let Some(block) = findings.as_mut() {
            block.all.finish();
            block.by_rule.values_mut().for_each(GroupScore::finish);
        }
        Summary {
            tool_version: None,
            tool: tool.to_string(),
            suite: suite.to_string(),
            mode: mode.name().to_string(),
            cases: all.cases,
            passed: all.passed,
            tp: all.tp,
            fp: all.fp,
            fn_: all.fn_,
            precision: all.precision,
            recall: all.recall,
            f1: all.f1,
            by,
            per_case: scores
                .iter()
                .map(|s| PerCase {
                    name: s.name.clone(),
                    category: s.category.clone(),
                    pass: s.pass,
                    tp: s.tp,
                    fp: s.fp,
                    fn_: s.fn_,
                    error: s.error.clone(),
                    seconds: s.seconds,
                    findings: s.findings.as_ref().map(|f| f.counts),
                })
                .collect(),
            findings,
        }
    }

    /// The overall scores as a group.
    pub fn overall(&self) -> GroupScore {
        GroupScore {
            cases: self.cases,
            passed: self.passed,
            tp: self.tp,
            fp: self.fp,
            fn_: self.fn_,
            precision: self.precision,
            recall: self.recall,
            f1: self.f1,
        }
    }

    pub fn read(path: &Path) -> anyhow::Result<Summary> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("summary serialises") + "\n"
    }

    /// `summary.csv`: one row per group, the overall row first
    /// (`dimension,group,cases,passed,failed,tp,fp,fn,precision,recall,f1`).
    pub fn to_csv(&self) -> anyhow::Result<String> {
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record(["dimension", "group", "cases", "passed", "failed", "tp", "fp", "fn", "precision", "recall", "f1"])?;
        let mut row = |dim: &str, name: &str, g: &GroupScore| {
            w.write_record([
                dim.to_string(),
                name.to_string(),
                g.cases.to_string(),
                g.passed.to_string(),
                g.failed().to_string(),
                g.tp.to_string(),
                g.fp.to_string(),
                g.fn_.to_string(),
                g.precision.to_string(),
                g.recall.to_string(),
                g.f1.to_string(),
            ])
        };
        row("all", "all", &self.overall())?;
        for (dim, map) in self.dimensions() {
            for (name, g) in map {
                row(dim, name, g)?;
            }
        }
        if let Some(f) = &self.findings {
            row("findings", "all", &f.all)?;
            for (name, g) in &f.by_rule {
                row("finding_rule", name, g)?;
            }
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }

    /// `cases.csv`: one row per case (`name,category,pass,tp,fp,fn,error,seconds`).
    pub fn cases_csv(&self) -> anyhow::Result<String> {
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record(["name", "category", "pass", "tp", "fp", "fn", "error", "seconds"])?;
        for c in &self.per_case {
            w.write_record([
                c.name.clone(),
                c.category.clone(),
                c.pass.to_string(),
                c.tp.to_string(),
                c.fp.to_string(),
                c.fn_.to_string(),
                c.error.clone().unwrap_or_default(),
                c.seconds.map(|s| format!("{s:.3}")).unwrap_or_default(),
            ])?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }

    fn dimensions(&self) -> [(&'static str, &BTreeMap<String, GroupScore>); 4] {
        [
            ("category", &self.by.category),
            ("vulnerability", &self.by.vulnerability),
            ("target_service", &self.by.target_service),
            ("feature", &self.by.feature),
        ]
    }

    /// Categories in the contract's order, then any others (e.g. `unknown`).
    fn categories(&self) -> Vec<(&str, &GroupScore)> {
        let mut out: Vec<(&str, &GroupScore)> = Category::ALL
            .iter()
            .filter_map(|c| self.by.category.get_key_value(c.as_str()).map(|(k, v)| (k.as_str(), v)))
            .collect();
        for (k, v) in &self.by.category {
            if !out.iter().any(|(n, _)| n == k) {
                out.push((k.as_str(), v));
            }
        }
        out
    }

    /// The CloudBench-shaped table: `category | cases | pass | fail`.
    pub fn category_table(&self) -> String {
        let mut s = String::from("| category | cases | pass | fail |\n|---|---|---|---|\n");
        for (name, g) in self.categories() {
            let _ = writeln!(s, "| {name} | {} | {} | {} |", g.cases, g.passed, g.failed());
        }
        let _ = writeln!(s, "| **all** | {} | {} | {} |", self.cases, self.passed, self.cases - self.passed);
        s
    }

    /// A scores table for one dimension.
    fn group_table(title: &str, map: &BTreeMap<String, GroupScore>) -> String {
        let mut s = format!("| {title} | cases | pass | fail | TP | FP | FN | precision | recall | F1 |\n");
        s.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
        // A ratio over nothing (no finding reported, no flow expected) is
        // stored as 0.0 by convention but shown as what it is.
        let shown = |x: f64, defined: bool| if defined { format!("{x:.2}") } else { "n/a".to_string() };
        for (name, g) in map {
            let (p, r) = (g.tp + g.fp > 0, g.tp + g.fn_ > 0);
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                g.cases,
                g.passed,
                g.failed(),
                g.tp,
                g.fp,
                g.fn_,
                shown(g.precision, p),
                shown(g.recall, r),
                shown(g.f1, p && r)
            );
        }
        s
    }

    /// The headline: `tool on suite (mode): N/M cases pass; TP FP FN; P R F1`.
    pub fn headline(&self) -> String {
        format!(
            "{} on {} ({}): {}/{} cases pass; TP {} FP {} FN {}; precision {:.2} recall {:.2} F1 {:.2}",
            self.tool, self.suite, self.mode, self.passed, self.cases, self.tp, self.fp, self.fn_, self.precision, self.recall, self.f1
        )
    }

    /// The findings headline, when some case is labelled for a finding
    /// rule: `findings (deployment risks, secret exposure): N/M cases
    /// pass; TP FP FN; P R F1`.
    pub fn findings_headline(&self) -> Option<String> {
        let f = &self.findings.as_ref()?.all;
        Some(format!(
            "findings (deployment risks, secret exposure): {}/{} labelled cases pass; TP {} FP {} FN {}; precision {:.2} recall {:.2} F1 {:.2}",
            f.passed, f.cases, f.tp, f.fp, f.fn_, f.precision, f.recall, f.f1
        ))
    }

    /// `summary.md`: headline, category table, breakdowns, per-case table.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("# {}\n\n{}\n\n## By category\n\n{}", self.tool, self.headline(), self.category_table());
        for (title, map) in [
            ("vulnerability", &self.by.vulnerability),
            ("target service", &self.by.target_service),
            ("feature", &self.by.feature),
        ] {
            let _ = write!(s, "\n## By {title}\n\n{}", Self::group_table(title, map));
        }
        if let (Some(f), Some(line)) = (&self.findings, self.findings_headline()) {
            let _ = write!(s, "\n## Deployment risks\n\n{line}\n\n{}", Self::group_table("rule", &f.by_rule));
        }
        s.push_str("\n## Cases\n\n| case | category | result | TP | FP | FN | error |\n|---|---|---|---|---|---|---|\n");
        for c in &self.per_case {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                c.name,
                c.category,
                if c.pass { "PASS" } else { "FAIL" },
                c.tp,
                c.fp,
                c.fn_,
                c.error.as_deref().unwrap_or("").replace('|', "\\|")
            );
        }
        s
    }

    /// Writes summary.json, summary.csv, cases.csv and summary.md into `out` (created).
    pub fn write_all(&self, out: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        std::fs::write(out.join("summary.json"), self.to_json())?;
        std::fs::write(out.join("summary.csv"), self.to_csv()?)?;
        std::fs::write(out.join("cases.csv"), self.cases_csv()?)?;
        std::fs::write(out.join("summary.md"), self.to_markdown())?;
        Ok(())
    }
}

/// The per-case table printed by `harness score`, with one indented line per
/// missed expected flow and per false positive.
pub fn case_table(scores: &[CaseScore]) -> String {
    let width = scores.iter().map(|s| s.name.len()).max().unwrap_or(4).max(4);
    let mut s = format!("{:<width$}  {:<16}  {:<6}  {:>3} {:>3} {:>3}  error\n", "case", "category", "result", "TP", "FP", "FN");
    for c in scores {
        let _ = writeln!(
            s,
            "{:<width$}  {:<16}  {:<6}  {:>3} {:>3} {:>3}  {}",
            c.name,
            c.category,
            if c.pass { "PASS" } else { "FAIL" },
            c.tp,
            c.fp,
            c.fn_,
            c.error.as_deref().unwrap_or("")
        );
        if c.error.is_none() {
            for m in &c.missed {
                let _ = writeln!(
                    s,
                    "{:width$}    missed: {} {}:{} ({}) from {}:{}",
                    "", m.vulnerability, m.sink.file, m.sink.line, m.sink.callee, m.source.file, m.source.function
                );
            }
            for f in &c.false_positives {
                let _ = writeln!(s, "{:width$}    false positive: {} {}:{}", "", f.rule_id, f.file, f.line);
            }
            for f in c.findings.iter().flat_map(|f| &f.missed) {
                let _ = writeln!(s, "{:width$}    missed finding: {} {}:{}", "", f.rule, f.file, f.line);
            }
            for f in c.findings.iter().flat_map(|f| &f.false_positives) {
                let _ = writeln!(s, "{:width$}    false positive finding: {} {}:{}", "", f.rule, f.file, f.line);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(name: &str, category: &str, pass: bool, t: (u32, u32, u32), vulns: &[&str], feats: &[&str]) -> CaseScore {
        CaseScore {
            name: name.into(),
            rel: format!("{category}/{name}"),
            category: category.into(),
            target_service: "s3".into(),
            vulnerabilities: vulns.iter().map(|s| s.to_string()).collect(),
            features: feats.iter().map(|s| s.to_string()).collect(),
            pass,
            tp: t.0,
            fp: t.1,
            fn_: t.2,
            error: None,
            seconds: Some(0.5),
            missed: vec![],
            false_positives: vec![],
            findings: None,
        }
    }

    fn sample() -> Summary {
        let scores = vec![
            score("a", "inter-procedural", true, (1, 0, 0), &["code-injection"], &["boto3-client"]),
            score("b", "inter-procedural", false, (0, 1, 1), &["sql-injection"], &["boto3-client", "sam"]),
            score("c", "intra-procedural", true, (0, 0, 0), &["none"], &[]),
        ];
        Summary::from_scores("t", "suite", Mode::STRICT, &scores)
    }

    #[test]
    fn aggregates_and_round_trips() {
        let s = sample();
        assert_eq!((s.cases, s.passed, s.tp, s.fp, s.fn_), (3, 2, 1, 1, 1));
        assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
        assert_eq!(s.by.category["inter-procedural"].cases, 2);
        assert_eq!(s.by.feature["boto3-client"].passed, 1);
        assert_eq!(s.by.vulnerability["none"].cases, 1);
        assert_eq!(s.by.target_service["s3"].cases, 3);
        let json = s.to_json();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for k in ["tool", "suite", "mode", "cases", "passed", "tp", "fp", "fn", "precision", "recall", "f1", "by", "per_case"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        for k in ["category", "vulnerability", "target_service", "feature"] {
            assert!(v["by"].get(k).is_some(), "{k}");
        }
        for k in ["name", "category", "pass", "tp", "fp", "fn", "error", "seconds"] {
            assert!(v["per_case"][0].get(k).is_some(), "{k}");
        }
        assert_eq!(serde_json::from_str::<Summary>(&json).unwrap(), s);
    }

    #[test]
    fn renders() {
        let s = sample();
        assert!(s.category_table().contains("| inter-procedural | 2 | 1 | 1 |"));
        assert!(s.to_csv().unwrap().starts_with("dimension,group,cases"));
        assert_eq!(s.cases_csv().unwrap().lines().count(), 4);
        assert!(s.to_markdown().contains("| b | inter-procedural | FAIL | 0 | 1 | 1 |  |"));
    }
}
