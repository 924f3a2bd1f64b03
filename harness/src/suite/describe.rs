//! `harness suite describe`: coverage tables of a suite (cases by category x
//! vulnerability, by target service, by feature tag, Python LOC range and
//! positives/negatives per category), as Markdown and CSV.
//!
//! A case counts once in every class of its expected flows (a negative case
//! is in class `none`). LOC = non-blank lines of the case's `.py` files that
//! are not comment-only. Cases whose label cannot be read are left out (and
//! counted in `skipped`).

use super::discover::{discover, Case};
use super::labels::{Category, Label, Vulnerability};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// A table with a title and a file stem for its CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub stem: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn to_markdown(&self) -> String {
        let mut s = format!("## {}\n\n| {} |\n|{}\n", self.title, self.headers.join(" | "), "---|".repeat(self.headers.len()));
        for r in &self.rows {
            let _ = writeln!(s, "| {} |", r.join(" | "));
        }
        s
    }

    pub fn to_csv(&self) -> anyhow::Result<String> {
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record(&self.headers)?;
        for r in &self.rows {
            w.write_record(r)?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}

/// The description of a suite.
#[derive(Debug, Clone)]
pub struct Description {
    pub cases: usize,
    pub skipped: usize,
    pub tables: Vec<Table>,
}

impl Description {
    pub fn to_markdown(&self, suite: &str) -> String {
        let mut s = format!("# Suite {suite}: {} cases", self.cases);
        if self.skipped > 0 {
            let _ = write!(s, " ({} with unreadable labels left out)", self.skipped);
        }
        s.push_str("\n\n");
        for t in &self.tables {
            s.push_str(&t.to_markdown());
            s.push('\n');
        }
        s
    }

    /// Writes `describe.md` and one CSV per table into `out` (created).
    pub fn write_all(&self, suite: &str, out: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        std::fs::write(out.join("describe.md"), self.to_markdown(suite))?;
        for t in &self.tables {
            std::fs::write(out.join(format!("{}.csv", t.stem)), t.to_csv()?)?;
        }
        Ok(())
    }
}

/// Non-blank, non-comment lines of Python.
pub fn python_loc(text: &str) -> usize {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).count()
}

fn case_loc(case: &Case) -> usize {
    case.python_files()
        .iter()
        .filter_map(|p| std::fs::read(case.dir.join(p)).ok())
        .map(|b| python_loc(&String::from_utf8_lossy(&b)))
        .sum()
}

fn category_order(labels: &[(&Case, &Label)]) -> Vec<Category> {
    Category::ALL.into_iter().filter(|c| labels.iter().any(|(_, l)| l.category == *c)).collect()
}

/// Describes the suite under `root`.
pub fn describe(root: &Path) -> anyhow::Result<Description> {
    let cases = discover(root)?;
    let labelled: Vec<(&Case, &Label)> = cases.iter().filter_map(|c| c.label.as_ref().ok().map(|l| (c, l))).collect();
    Ok(describe_cases(&labelled, cases.len() - labelled.len()))
}

fn describe_cases(labelled: &[(&Case, &Label)], skipped: usize) -> Description {
    let cats = category_order(labelled);
    let count = |pred: &dyn Fn(&Label) -> bool| labelled.iter().filter(|(_, l)| pred(l)).count().to_string();

    // category x vulnerability
    let mut vulns: Vec<String> = Vulnerability::KNOWN
        .iter()
        .filter(|v| labelled.iter().any(|(_, l)| l.vulnerabilities().iter().any(|x| x == *v)))
        .map(|v| v.to_string())
        .collect();
    let others: BTreeSet<String> = labelled
        .iter()
        .flat_map(|(_, l)| l.vulnerabilities())
        .filter(|v| v != "none" && !Vulnerability::KNOWN.contains(&v.as_str()))
        .collect();
    vulns.extend(others);
    vulns.push("none".to_string());
    let mut headers = vec!["category".to_string()];
    headers.extend(vulns.iter().cloned());
    headers.push("cases".to_string());
    let mut rows = Vec::new();
    for c in cats.iter().map(|c| Some(*c)).chain([None]) {
        let in_cat = |l: &Label| c.is_none_or(|c| l.category == c);
        let mut row = vec![c.map(|c| c.to_string()).unwrap_or_else(|| "**all**".into())];
        for v in &vulns {
            row.push(count(&|l| in_cat(l) && l.vulnerabilities().contains(v)));
        }
        row.push(count(&|l| in_cat(l)));
        rows.push(row);
    }
    let by_vuln = Table { title: "Cases by category and vulnerability".into(), stem: "category-vulnerability".into(), headers, rows };

    // by target service and by feature
    let mut services: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut features: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (_, l) in labelled {
        let bump = |e: &mut (usize, usize)| if l.is_negative() { e.1 += 1 } else { e.0 += 1 };
        bump(services.entry(l.target_service.clone()).or_default());
        for f in l.features.iter().collect::<BTreeSet<_>>() {
            bump(features.entry(f.clone()).or_default());
        }
    }
    let pn_rows = |m: &BTreeMap<String, (usize, usize)>| -> Vec<Vec<String>> {
        m.iter().map(|(k, (p, n))| vec![k.clone(), (p + n).to_string(), p.to_string(), n.to_string()]).collect()
    };
    let h = |first: &str| ["cases", "positive", "negative"].iter().fold(vec![first.to_string()], |mut v, x| {
        v.push(x.to_string());
        v
    });
    let by_service = Table { title: "Cases by target service".into(), stem: "target-service".into(), headers: h("target service"), rows: pn_rows(&services) };
    let by_feature = Table { title: "Cases by feature tag".into(), stem: "feature".into(), headers: h("feature"), rows: pn_rows(&features) };

    // LOC and positives/negatives per category
    let mut loc_rows = Vec::new();
    let mut pn_cat = Vec::new();
    for c in cats.iter().map(|c| Some(*c)).chain([None]) {
        let members: Vec<&(&Case, &Label)> = labelled.iter().filter(|(_, l)| c.is_none_or(|c| l.category == c)).collect();
        let name = c.map(|c| c.to_string()).unwrap_or_else(|| "**all**".into());
        let locs: Vec<usize> = members.iter().map(|(case, _)| case_loc(case)).collect();
        let (min, max) = (locs.iter().min().copied().unwrap_or(0), locs.iter().max().copied().unwrap_or(0));
        loc_rows.push(vec![name.clone(), members.len().to_string(), format!("{min}-{max}"), locs.iter().sum::<usize>().to_string()]);
        let pos = members.iter().filter(|(_, l)| !l.is_negative()).count();
        let flows: usize = members.iter().map(|(_, l)| l.flows.len()).sum();
        pn_cat.push(vec![name, members.len().to_string(), pos.to_string(), (members.len() - pos).to_string(), flows.to_string()]);
    }
    let loc = Table {
        title: "Python LOC per category".into(),
        stem: "loc".into(),
        headers: ["category", "cases", "LOC (min-max)", "LOC total"].map(String::from).to_vec(),
        rows: loc_rows,
    };
    let polarity = Table {
        title: "Positive and negative cases per category".into(),
        stem: "positive-negative".into(),
        headers: ["category", "cases", "positive", "negative", "expected flows"].map(String::from).to_vec(),
        rows: pn_cat,
    };
    let mut tables = vec![by_vuln, polarity, loc, by_service, by_feature];

    // Deployment risks: a case is positive for a rule it has a `[[finding]]` of.
    let mut rules: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for (_, l) in labelled {
        for rule in l.scored_rules() {
            let expected = l.findings.iter().filter(|f| f.rule == rule).count();
            let e = rules.entry(rule).or_default();
            if expected > 0 { e.0 += 1 } else { e.1 += 1 }
            e.2 += expected;
        }
    }
    if !rules.is_empty() {
        tables.push(Table {
            title: "Cases by deployment-risk rule".into(),
            stem: "finding-rule".into(),
            headers: ["rule", "cases", "positive", "negative", "expected findings"].map(String::from).to_vec(),
            rows: rules.into_iter().map(|(r, (p, n, e))| vec![r, (p + n).to_string(), p.to_string(), n.to_string(), e.to_string()]).collect(),
        });
    }
    Description { cases: labelled.len(), skipped, tables }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loc_counts_code_lines() {
        assert_eq!(python_loc("# c\n\nimport os\n  # x\nx = 1  # y\n"), 2);
    }

    #[test]
    fn describes_a_small_suite() {
        let t = tempfile::tempdir().unwrap();
        let mk = |cat: &str, name: &str, vuln: Option<&str>, service: &str, py: &str| {
            let d = t.path().join(cat).join(name);
            std::fs::create_dir_all(&d).unwrap();
            let mut label = format!(
                "schema = 1\nname = \"{name}\"\ncategory = \"{cat}\"\ntarget_service = \"{service}\"\nservices = []\nfeatures = [\"sam\"]\ndescription = \"d\"\n"
            );
            if let Some(v) = vuln {
                label += &format!("[[flow]]\nvulnerability = \"{v}\"\nsource = {{ file = \"a.py\", function = \"f\", kind = \"http\" }}\nsink = {{ file = \"a.py\", line = 1, callee = \"os.system\" }}\n");
            }
            std::fs::write(d.join("expected.toml"), label).unwrap();
            std::fs::write(d.join("a.py"), py).unwrap();
        };
        mk("inter-procedural", "a", Some("code-injection"), "s3", "x = 1\ny = 2\n");
        mk("inter-procedural", "b", None, "s3", "x = 1\n");
        mk("application", "c", Some("ssrf"), "none", "x = 1\n\n# c\nz = 3\nw = 4\n");
        let d = describe(t.path()).unwrap();
        assert_eq!(d.cases, 3);
        let md = d.to_markdown("s");
        assert!(md.contains("| category | code-injection | ssrf | none | cases |"), "{md}");
        assert!(md.contains("| inter-procedural | 1 | 0 | 1 | 2 |"), "{md}");
        assert!(md.contains("| **all** | 1 | 1 | 1 | 3 |"), "{md}");
        assert!(md.contains("| inter-procedural | 2 | 1-2 | 3 |"), "{md}");
        assert!(md.contains("| s3 | 2 | 1 | 1 |"), "{md}");
        assert!(md.contains("| sam | 3 | 2 | 1 |"), "{md}");
        let out = t.path().join("out");
        d.write_all("s", &out).unwrap();
        assert!(std::fs::read_to_string(out.join("loc.csv")).unwrap().starts_with("category,cases,LOC (min-max),LOC total"));
    }
}
