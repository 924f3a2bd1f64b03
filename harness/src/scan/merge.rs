//! `harness merge DIR... --out DIR`: the records of several scan outputs
//! (shards, or partial runs) into one output folder, whose tables are then
//! written as one scan's. An app recorded in two inputs must have the same
//! record apart from timings, else the merge fails (two shards of different
//! datasets or analyzer versions); shards of one split are checked for
//! matching N and for missing or repeated K.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::record::{self, AppRecord, Timing};
use super::scan::ScanMeta;
use super::shard::Shard;

pub struct Merged {
    pub records: Vec<AppRecord>,
    /// Problems worth a warning (missing shards), not fatal.
    pub warnings: Vec<String>,
}

fn without_timing(r: &AppRecord) -> AppRecord {
    AppRecord { timing: Timing::default(), ..r.clone() }
}

pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<Merged> {
    if inputs.is_empty() {
        bail!("no input folders");
    }
    let mut by_id: BTreeMap<String, (AppRecord, PathBuf)> = BTreeMap::new();
    let mut metas: Vec<(PathBuf, ScanMeta)> = Vec::new();
    for dir in inputs {
        if !record::records_dir(dir).is_dir() {
            bail!("{}: not a scan output (no records/ folder)", dir.display());
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("scan.json")) {
            let m: ScanMeta = serde_json::from_str(&text).with_context(|| format!("{}/scan.json", dir.display()))?;
            metas.push((dir.clone(), m));
        }
        for r in record::load_records(dir)? {
            let id = r.id();
            match by_id.get(&id) {
                Some((old, from)) if without_timing(old) != without_timing(&r) => {
                    bail!("{id}: recorded differently in {} and {}", from.display(), dir.display())
                }
                Some(_) => {}
                None => {
                    by_id.insert(id, (r, dir.clone()));
                }
            }
        }
    }
    let mut warnings = Vec::new();
    let datasets: BTreeSet<&str> = metas.iter().map(|(_, m)| m.dataset.as_str()).collect();
    if datasets.len() > 1 {
        warnings.push(format!("inputs scanned different dataset paths: {}", datasets.into_iter().collect::<Vec<_>>().join(", ")));
    }
    let mut shards: Vec<Shard> = Vec::new();
    for (dir, m) in &metas {
        for s in &m.shards {
            shards.push(s.parse::<Shard>().map_err(|e| anyhow::anyhow!("{}/scan.json: {e}", dir.display()))?);
        }
    }
    let counts: BTreeSet<u64> = shards.iter().map(|s| s.count).collect();
    if counts.len() > 1 {
        bail!("shards of different splits: N = {}", counts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "));
    }
    if let Some(&n) = counts.iter().next() {
        let have: BTreeSet<u64> = shards.iter().map(|s| s.index).collect();
        if have.len() < shards.len() {
            warnings.push("a shard appears more than once".into());
        }
        let missing: Vec<String> = (0..n).filter(|k| !have.contains(k)).map(|k| format!("{k}/{n}")).collect();
        if !missing.is_empty() {
            warnings.push(format!("missing shards: {}", missing.join(", ")));
        }
    }
    let records: Vec<AppRecord> = by_id.into_values().map(|(r, _)| r).collect();
    std::fs::create_dir_all(record::records_dir(out))?;
    for r in &records {
        record::write_record(out, &record::record_key(&r.repo, &r.deployment_file), r)?;
    }
    let meta = ScanMeta {
        dataset: metas.first().map(|(_, m)| m.dataset.clone()).unwrap_or_default(),
        depth: metas.first().map(|(_, m)| m.depth).unwrap_or(1),
        shards: shards.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>().into_iter().collect(),
        apps: records.len(),
        timeout_s: metas.first().map(|(_, m)| m.timeout_s).unwrap_or(0.0),
        memory_limit_mb: metas.first().map(|(_, m)| m.memory_limit_mb).unwrap_or(0),
    };
    std::fs::write(out.join("scan.json"), serde_json::to_vec_pretty(&meta)?)?;
    Ok(Merged { records, warnings })
}
