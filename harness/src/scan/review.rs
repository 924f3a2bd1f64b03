//! Review: verdicts on flows, kept by fingerprint in an append-only CSV
//! (`results/review/verdicts.csv`: fingerprint, verdict, note, app,
//! vulnerability, sink, source, reviewed_at). The last row of a
//! fingerprint wins, so a re-review is one more line and the file is its
//! own history. Scans join the verdicts to their flows by fingerprint, so
//! a verdict carries over to later scans while the flow is still found.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::record::{AppRecord, FlowRecord};
use super::triage::Triage;

pub const DEFAULT_VERDICTS: &str = "results/review/verdicts.csv";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Vulnerability,
    Potential,
    NotAVulnerability,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Vulnerability, Verdict::Potential, Verdict::NotAVulnerability];

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Vulnerability => "vulnerability",
            Verdict::Potential => "potential",
            Verdict::NotAVulnerability => "not-a-vulnerability",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Verdict {
    type Err = String;

    fn from_str(s: &str) -> Result<Verdict, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "vulnerability" | "v" | "vuln" => Ok(Verdict::Vulnerability),
            "potential" | "p" => Ok(Verdict::Potential),
            "not-a-vulnerability" | "n" | "not" | "no" => Ok(Verdict::NotAVulnerability),
            other => Err(format!("{other:?}: expected vulnerability, potential or not-a-vulnerability")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictRow {
    pub fingerprint: String,
    pub verdict: Verdict,
    pub note: String,
    pub app: String,
    pub vulnerability: String,
    pub sink: String,
    pub source: String,
    /// Seconds since the Unix epoch.
    pub reviewed_at: u64,
}

/// Verdicts by fingerprint (last row wins); an absent file is no verdict.
pub fn read_verdicts(path: &Path) -> Result<BTreeMap<String, VerdictRow>> {
    let mut out = BTreeMap::new();
    if !path.exists() {
        return Ok(out);
    }
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    for (i, row) in rdr.deserialize::<VerdictRow>().enumerate() {
        let row = row.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        out.insert(row.fingerprint.clone(), row);
    }
    Ok(out)
}

pub fn append_verdict(path: &Path, row: &VerdictRow) -> Result<()> {
    if let Some(d) = path.parent() {
        if !d.as_os_str().is_empty() {
            std::fs::create_dir_all(d)?;
        }
    }
    let new = !path.exists() || std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
    let f = std::fs::OpenOptions::new().create(true).append(true).open(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = csv::WriterBuilder::new().has_headers(new).from_writer(f);
    w.serialize(row)?;
    w.flush()?;
    Ok(())
}

pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A flow with its app, as listed for review.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub app: &'a AppRecord,
    pub flow: &'a FlowRecord,
}

impl Item<'_> {
    pub fn sink(&self) -> String {
        format!("{}:{} {} ({})", self.flow.sink_file, self.flow.sink_line, self.flow.callee, self.flow.sink_function)
    }

    pub fn source(&self) -> String {
        format!("{} {} ({}:{})", self.flow.source_kind, self.flow.source_what, self.flow.source_file, self.flow.source_line)
    }

    pub fn row(&self, verdict: Verdict, note: &str) -> VerdictRow {
        VerdictRow {
            fingerprint: self.flow.fingerprint.clone(),
            verdict,
            note: note.to_string(),
            app: self.app.id(),
            vulnerability: self.flow.vulnerability.clone(),
            sink: self.sink(),
            source: self.source(),
            reviewed_at: now(),
        }
    }
}

/// Flows to review: those of analysed apps (all apps with `all`), in app
/// order.
pub fn items(records: &[AppRecord], all: bool) -> Vec<Item<'_>> {
    records
        .iter()
        .filter(|r| all || r.triage == Triage::Analysed)
        .flat_map(|r| r.flows.iter().map(move |f| Item { app: r, flow: f }))
        .collect()
}

/// How the flows of this scan relate to a baseline's fingerprints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub new: BTreeSet<String>,
    pub unchanged: BTreeSet<String>,
    /// In the baseline, no longer found; with the baseline's description.
    pub fixed: BTreeMap<String, BaselineFlow>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct BaselineFlow {
    pub fingerprint: String,
    #[serde(default)]
    pub app: String,
    #[serde(default)]
    pub vulnerability: String,
    #[serde(default)]
    pub sink: String,
    #[serde(default)]
    pub source: String,
}

/// The flows of an earlier scan (`findings.csv` of its output folder);
/// `None` when there is none.
pub fn read_baseline(dir: &Path) -> Result<Option<BTreeMap<String, BaselineFlow>>> {
    let path = dir.join("findings.csv");
    if !path.is_file() {
        return Ok(None);
    }
    let mut rdr = csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = BTreeMap::new();
    for row in rdr.deserialize::<BaselineFlow>() {
        let row = row.with_context(|| format!("{}: not a findings table", path.display()))?;
        out.insert(row.fingerprint.clone(), row);
    }
    Ok(Some(out))
}

pub fn changes(current: &[Item<'_>], baseline: Option<&BTreeMap<String, BaselineFlow>>) -> Changes {
    let mut c = Changes::default();
    let now: BTreeSet<&str> = current.iter().map(|i| i.flow.fingerprint.as_str()).collect();
    for fp in &now {
        match baseline {
            Some(b) if b.contains_key(*fp) => c.unchanged.insert(fp.to_string()),
            _ => c.new.insert(fp.to_string()),
        };
    }
    if let Some(b) = baseline {
        for (fp, f) in b {
            if !now.contains(fp.as_str()) {
                c.fixed.insert(fp.clone(), f.clone());
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_append_and_last_wins() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r/verdicts.csv");
        let mut row = VerdictRow {
            fingerprint: "abc".into(),
            verdict: Verdict::Potential,
            note: "needs a, look".into(),
            app: "a".into(),
            vulnerability: "code-injection".into(),
            sink: "s".into(),
            source: "t".into(),
            reviewed_at: 1,
        };
        append_verdict(&p, &row).unwrap();
        row.verdict = Verdict::Vulnerability;
        append_verdict(&p, &row).unwrap();
        let v = read_verdicts(&p).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v["abc"].verdict, Verdict::Vulnerability);
        assert_eq!(v["abc"].note, "needs a, look");
        assert_eq!(std::fs::read_to_string(&p).unwrap().lines().count(), 3);
        assert_eq!("n".parse::<Verdict>().unwrap(), Verdict::NotAVulnerability);
    }
}
