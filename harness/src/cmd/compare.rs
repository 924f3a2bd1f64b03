//! `harness compare BASE.json NEW.json`: what changed between two
//! summary.json files, per case and overall. Exit 1 on a regression: a case
//! that went from PASS to FAIL (or disappeared), or a drop in precision or
//! recall. Volatile fields (seconds) are ignored.

use crate::summary::Summary;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compare two summary.json files; exit 1 on a regression (CI gate).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The baseline summary.json.
    pub base: PathBuf,
    /// The new summary.json.
    pub new: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let base = Summary::read(&args.base)?;
    let new = Summary::read(&args.new)?;
    let c = compare(&base, &new);
    crate::cmd::score::emit(&c.render());
    Ok(if c.is_regression() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// One case's (pass, tp, fp, fn).
type Counts = (bool, u32, u32, u32);

#[derive(Debug, Clone, PartialEq)]
pub struct CaseChange {
    pub name: String,
    pub base: Option<Counts>,
    pub new: Option<Counts>,
}

impl CaseChange {
    pub fn is_regression(&self) -> bool {
        matches!((self.base, self.new), (Some((true, ..)), Some((false, ..))) | (Some((true, ..)), None))
    }
}

#[derive(Debug, Clone)]
pub struct Comparison {
    pub base: Summary,
    pub new: Summary,
    /// Cases whose result or counts differ (or that exist on one side only).
    pub changes: Vec<CaseChange>,
    /// Why this is a regression (empty: it is not).
    pub regressions: Vec<String>,
}

/// The summary without volatile fields (per-case seconds).
pub fn strip_volatile(s: &Summary) -> Summary {
    let mut s = s.clone();
    for c in &mut s.per_case {
        c.seconds = None;
    }
    s
}

pub fn compare(base: &Summary, new: &Summary) -> Comparison {
    let base = strip_volatile(base);
    let new = strip_volatile(new);
    let counts = |s: &Summary| -> BTreeMap<String, Counts> {
        s.per_case.iter().map(|c| (c.name.clone(), (c.pass, c.tp, c.fp, c.fn_))).collect()
    };
    let (b, n) = (counts(&base), counts(&new));
    let mut names: Vec<&String> = b.keys().chain(n.keys()).collect();
    names.sort();
    names.dedup();
    let changes: Vec<CaseChange> = names
        .into_iter()
        .filter(|k| b.get(*k) != n.get(*k))
        .map(|k| CaseChange { name: k.clone(), base: b.get(k).copied(), new: n.get(k).copied() })
        .collect();
    let mut regressions = vec![];
    let failed: Vec<&str> = changes.iter().filter(|c| c.is_regression()).map(|c| c.name.as_str()).collect();
    if !failed.is_empty() {
        regressions.push(format!("{} case(s) went from PASS to FAIL or disappeared: {}", failed.len(), failed.join(", ")));
    }
    const EPS: f64 = 1e-9;
    if new.precision + EPS < base.precision {
        regressions.push(format!("precision dropped {:.4} -> {:.4}", base.precision, new.precision));
    }
    if new.recall + EPS < base.recall {
        regressions.push(format!("recall dropped {:.4} -> {:.4}", base.recall, new.recall));
    }
    Comparison { base, new, changes, regressions }
}

impl Comparison {
    pub fn is_regression(&self) -> bool {
        !self.regressions.is_empty()
    }

    /// True when nothing but volatile fields differ.
    pub fn identical(&self) -> bool {
        self.base == self.new
    }

    pub fn render(&self) -> String {
        let mut s = format!("base: {}\nnew:  {}\n", self.base.headline(), self.new.headline());
        if self.changes.is_empty() {
            s.push_str("\nno case changed\n");
        } else {
            s.push_str("\ncases:\n");
            let res = |c: &Option<Counts>| match c {
                Some((true, ..)) => "PASS",
                Some((false, ..)) => "FAIL",
                None => "-",
            };
            let cnt = |c: &Option<Counts>| c.map(|(_, t, p, n)| format!("{t}/{p}/{n}")).unwrap_or_else(|| "-".into());
            let width = self.changes.iter().map(|c| c.name.len()).max().unwrap_or(4);
            for c in &self.changes {
                let what = match (c.base, c.new) {
                    (None, Some(_)) => "added",
                    (Some(_), None) => "removed",
                    _ if c.is_regression() => "REGRESSED",
                    (Some((false, ..)), Some((true, ..))) => "fixed",
                    _ => "counts",
                };
                let _ = writeln!(
                    s,
                    "  {:<width$}  {:<4} -> {:<4}  TP/FP/FN {} -> {}  {what}",
                    c.name,
                    res(&c.base),
                    res(&c.new),
                    cnt(&c.base),
                    cnt(&c.new)
                );
            }
        }
        s.push_str("\noverall:\n");
        let (b, n) = (&self.base, &self.new);
        for (k, x, y) in [("cases", b.cases, n.cases), ("passed", b.passed, n.passed), ("TP", b.tp, n.tp), ("FP", b.fp, n.fp), ("FN", b.fn_, n.fn_)] {
            let _ = writeln!(s, "  {k:<9} {x:>6} -> {y:<6} ({:+})", y as i64 - x as i64);
        }
        for (k, x, y) in [("precision", b.precision, n.precision), ("recall", b.recall, n.recall), ("F1", b.f1, n.f1)] {
            let _ = writeln!(s, "  {k:<9} {x:>6.4} -> {y:<6.4} ({:+.4})", y - x);
        }
        if self.is_regression() {
            let _ = writeln!(s, "\nREGRESSION: {}", self.regressions.join("; "));
        } else {
            s.push_str("\nno regression\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::mode::Mode;
    use crate::score::CaseScore;

    fn summary(cases: &[(&str, bool, u32, u32, u32)], secs: f64) -> Summary {
        let scores: Vec<CaseScore> = cases
            .iter()
            .map(|&(n, pass, tp, fp, fn_)| CaseScore {
                name: n.into(),
                rel: n.into(),
                category: "intra-procedural".into(),
                target_service: "none".into(),
                vulnerabilities: vec![],
                features: vec![],
                pass,
                tp,
                fp,
                fn_,
                error: None,
                seconds: Some(secs),
                missed: vec![],
                false_positives: vec![],
                findings: None,
            })
            .collect();
        Summary::from_scores("t", "s", Mode::STRICT, &scores)
    }

    #[test]
    fn seconds_do_not_count() {
        let a = summary(&[("a", true, 1, 0, 0)], 0.1);
        let b = summary(&[("a", true, 1, 0, 0)], 9.0);
        let c = compare(&a, &b);
        assert!(c.identical() && !c.is_regression());
        assert!(c.render().contains("no case changed"));
    }

    #[test]
    fn pass_to_fail_and_drops_regress() {
        let a = summary(&[("a", true, 1, 0, 0), ("b", false, 0, 0, 1), ("gone", true, 0, 0, 0)], 0.1);
        let b = summary(&[("a", false, 1, 1, 0), ("b", true, 1, 0, 0), ("new", true, 0, 0, 0)], 0.1);
        let c = compare(&a, &b);
        assert!(c.is_regression());
        assert!(c.regressions[0].contains("a, gone"), "{:?}", c.regressions);
        assert!(c.regressions.iter().any(|r| r.starts_with("precision dropped")));
        let text = c.render();
        assert!(text.contains("REGRESSED") && text.contains("fixed") && text.contains("added") && text.contains("removed"));
        // Improvements only: no regression.
        let c = compare(&summary(&[("b", false, 0, 0, 1)], 0.1), &summary(&[("b", true, 1, 0, 0)], 0.1));
        assert!(!c.is_regression(), "{}", c.render());
    }
}
