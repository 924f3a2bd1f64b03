//! The scan's tables and figures, built from the records alone (so a merge
//! of shards and one unsharded run write the same tables), the verdicts
//! and, for new/fixed/unchanged, an earlier scan's `findings.csv`.
//!
//! Tables (CSV, Markdown, Parquet, via [`crate::report::tables`]):
//! `overview`, `status`, `triage`, `flows_per_app` (ranked),
//! `by_vulnerability`, `by_source`, `summary` (the study's Table 6.2:
//! category, total, apps, inter, intra, by verdict), `review_by_class`,
//! `precision_by_class` (from the verdicts of every reviewed flow),
//! `time_stages`, `taint_rate` (taint-stage LOC per second by app size),
//! `slowest_taint`, `apps` (one row per app), `app_flows` (per app,
//! class and source), `findings` (one row per flow, with verdict and
//! change), `changes`. Figures (SVG, PNG, via [`crate::report::plots`]):
//! `flows_per_app`, `flows_cdf`, `flows_loc`, `time_loc`, `time_share`.
//! Flow counts cover analysed apps (triage `analysed`) only, as the study
//! counts the apps left after triage; `apps` and `findings` list all.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Result;
use polars::prelude::DataFrame;

use super::review::{self, BaselineFlow, Changes, Item, Verdict, VerdictRow};
use super::record::{AppRecord, PrivilegeCounts, RiskRecord, Status};
use super::triage::Triage;
use crate::report::plots::{self, Figure, Kind, PointSeries};
use crate::report::tables::{self, TableBuilder};

pub struct Outputs {
    /// (stem, title, table), in the order they are printed.
    pub tables: Vec<(String, String, DataFrame)>,
    pub figures: Vec<PathBuf>,
    pub changes: Changes,
}

impl Outputs {
    pub fn get(&self, stem: &str) -> Option<&DataFrame> {
        self.tables.iter().find(|(s, _, _)| s == stem).map(|(_, _, d)| d)
    }
}

/// The taint-stage throughput every app should reach (issue 16): apps
/// below it are counted in `taint_rate`.
const TAINT_LINES_PER_S_TARGET: f64 = 200_000.0;
/// Rows of `slowest_taint`.
const SLOWEST_TAINT_APPS: usize = 15;

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Flows grouped by a key: total, apps, inter, intra.
struct Group {
    total: u64,
    apps: BTreeSet<String>,
    inter: u64,
    intra: u64,
}

fn grouped<'a>(items: &[Item<'a>], key: impl Fn(&Item<'a>) -> Option<String>) -> BTreeMap<String, Group> {
    let mut out: BTreeMap<String, Group> = BTreeMap::new();
    for i in items {
        let Some(k) = key(i) else { continue };
        let g = out.entry(k).or_insert_with(|| Group { total: 0, apps: BTreeSet::new(), inter: 0, intra: 0 });
        g.total += 1;
        g.apps.insert(i.app.id());
        if i.flow.inter {
            g.inter += 1;
        } else {
            g.intra += 1;
        }
    }
    out
}

fn group_table(first: &str, rows: &[(String, Option<&Group>)]) -> Result<DataFrame> {
    TableBuilder::new()
        .str(first, rows.iter().map(|(k, _)| k.clone()))
        .u64("total", rows.iter().map(|(_, g)| g.map_or(0, |g| g.total)))
        .u64("apps", rows.iter().map(|(_, g)| g.map_or(0, |g| g.apps.len() as u64)))
        .u64("inter", rows.iter().map(|(_, g)| g.map_or(0, |g| g.inter)))
        .u64("intra", rows.iter().map(|(_, g)| g.map_or(0, |g| g.intra)))
        .build()
}

fn verdict_of(v: &BTreeMap<String, VerdictRow>, fp: &str) -> Option<Verdict> {
    v.get(fp).map(|r| r.verdict)
}

pub fn build_tables(records: &[AppRecord], verdicts: &BTreeMap<String, VerdictRow>, changes: &Changes) -> Result<Vec<(String, String, DataFrame)>> {
    let mut t: Vec<(String, String, DataFrame)> = Vec::new();
    let analysed: Vec<&AppRecord> = records.iter().filter(|r| r.triage == Triage::Analysed).collect();
    let items = review::items(records, false);
    let all_items = review::items(records, true);
    let repos: BTreeSet<&str> = records.iter().map(|r| r.repo.as_str()).collect();

    // Overview.
    let mut per_repo: BTreeMap<&str, u64> = BTreeMap::new();
    for r in records.iter().filter(|r| !r.deployment_file.is_empty()) {
        *per_repo.entry(r.repo.as_str()).or_default() += 1;
    }
    let multi = per_repo.values().filter(|&&n| n > 1).count();
    let with_flows = analysed.iter().filter(|r| !r.flows.is_empty()).count();
    let mut counts: Vec<u64> = analysed.iter().map(|r| r.flows.len() as u64).collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let verdict_count = |v: Verdict| items.iter().filter(|i| verdict_of(verdicts, &i.flow.fingerprint) == Some(v)).count() as u64;
    let vuln_apps = items.iter().filter(|i| verdict_of(verdicts, &i.flow.fingerprint) == Some(Verdict::Vulnerability)).map(|i| i.app.id()).collect::<BTreeSet<_>>().len();
    let mut locs: Vec<f64> = analysed.iter().map(|r| r.loc as f64).collect();
    let overview: Vec<(&str, String)> = vec![
        ("repositories", repos.len().to_string()),
        ("apps (deployment files)", records.iter().filter(|r| !r.deployment_file.is_empty()).count().to_string()),
        ("repositories with more than one deployment file", format!("{multi} ({:.0}%)", pct(multi as u64, per_repo.len() as u64))),
        ("analysed apps (after triage)", analysed.len().to_string()),
        ("apps with flows", with_flows.to_string()),
        ("flows", items.len().to_string()),
        ("inter-procedural flows", items.iter().filter(|i| i.flow.inter).count().to_string()),
        ("apps with more than 10 flows", {
            let big: Vec<String> = counts.iter().filter(|&&c| c > 10).map(|c| c.to_string()).collect();
            if big.is_empty() { "0".to_string() } else { format!("{} ({})", big.len(), big.join(", ")) }
        }),
        ("confirmed vulnerabilities", format!("{} in {vuln_apps} apps", verdict_count(Verdict::Vulnerability))),
        ("potential vulnerabilities", verdict_count(Verdict::Potential).to_string()),
        ("not a vulnerability", verdict_count(Verdict::NotAVulnerability).to_string()),
        ("not reviewed", items.iter().filter(|i| !verdicts.contains_key(&i.flow.fingerprint)).count().to_string()),
        ("median Python LOC of analysed apps", tables::fmt_f64(median(&mut locs))),
        ("Python handlers analysed", {
            let (declared, missing) = records.iter().fold((0, 0), |(d, m), r| (d + r.handlers, m + r.handlers_missing));
            format!("{} of {declared} ({:.1}%)", declared - missing, pct(declared - missing, declared))
        }),
        ("vendored Python files, followed but never a source (apps)", {
            let hit: Vec<&AppRecord> = records.iter().filter(|r| r.vendored_files > 0).collect();
            format!("{} ({})", hit.iter().map(|r| r.vendored_files).sum::<u64>(), hit.len())
        }),
        ("files absent from the fetched repositories (apps affected)", {
            let hit: Vec<&AppRecord> = records.iter().filter(|r| r.files_omitted > 0).collect();
            format!("{} ({})", hit.iter().map(|r| r.files_omitted).sum::<u64>(), hit.len())
        }),
        ("new / fixed / unchanged flows", format!("{} / {} / {}", changes.new.len(), changes.fixed.len(), changes.unchanged.len())),
    ];
    t.push((
        "overview".into(),
        "Overview".into(),
        TableBuilder::new().str("metric", overview.iter().map(|(k, _)| *k)).str("value", overview.iter().map(|(_, v)| v.clone())).build()?,
    ));

    // Least privilege, over the analysed apps (analyzer::privilege).
    let sum = |f: fn(&PrivilegeCounts) -> u64| analysed.iter().map(|r| f(&r.privileges)).sum::<u64>();
    let functions = sum(|p| p.functions);
    let over = sum(|p| p.over_privileged);
    let share = |n: u64| format!("{n} ({:.1}%)", pct(n, functions));
    let privilege_rows: Vec<(&str, String)> = vec![
        ("functions with an analysed Python handler", functions.to_string()),
        ("over-privileged: granted something no call needs", share(over)),
        ("  an action/resource pair no call of the app needs", share(sum(|p| p.unused_grant))),
        ("  a `*` resource (or NotAction/NotResource) where the calls name theirs", share(sum(|p| p.wildcard_resource))),
        ("  a role shared with functions that need other things", share(sum(|p| p.shared_role))),
        ("  an administrator or full-access managed policy", share(sum(|p| p.admin_policy))),
        ("excess grants per over-privileged function (mean)", if over == 0 { "n/a".into() } else { format!("{:.1}", sum(|p| p.excess_grants) as f64 / over as f64) }),
        ("under-privileged: a call the role denies (fails at run time)", share(sum(|p| p.under_privileged))),
        ("role partly unknown (role ARN or managed policies)", share(sum(|p| p.role_partly_unknown))),
        ("calls without a model (needs unknown)", share(sum(|p| p.unmodelled_calls))),
    ];
    t.push((
        "privileges".into(),
        "Least privilege of analysed functions".into(),
        TableBuilder::new().str("measure", privilege_rows.iter().map(|(k, _)| *k)).str("functions", privilege_rows.iter().map(|(_, v)| v.clone())).build()?,
    ));

    // Deployment risks (analyzer::risks), over the analysed apps.
    let rules: BTreeSet<&str> = analysed.iter().flat_map(|r| r.risks.iter().map(|k| k.rule.as_str())).collect();
    let risk_rows: Vec<(String, u64, u64, u64)> = rules
        .iter()
        .map(|rule| {
            let hits: Vec<(&AppRecord, &RiskRecord)> = analysed.iter().flat_map(|r| r.risks.iter().filter(|k| k.rule == *rule).map(move |k| (*r, k))).collect();
            let apps = hits.iter().map(|(r, _)| r.id()).collect::<BTreeSet<_>>().len() as u64;
            let fns = hits.iter().filter(|(_, k)| !k.function.is_empty()).map(|(r, k)| (r.id(), k.function.clone())).collect::<BTreeSet<_>>().len() as u64;
            (rule.to_string(), hits.len() as u64, apps, fns)
        })
        .collect();
    t.push((
        "risks".into(),
        "Deployment risks of analysed apps, by rule".into(),
        TableBuilder::new()
            .str("rule", risk_rows.iter().map(|r| r.0.clone()))
            .u64("results", risk_rows.iter().map(|r| r.1))
            .u64("apps", risk_rows.iter().map(|r| r.2))
            .u64("functions", risk_rows.iter().map(|r| r.3))
            .f64("share_of_functions", risk_rows.iter().map(|r| round3(pct(r.3, functions))))
            .build()?,
    ));
    let all_risks: Vec<(&AppRecord, &RiskRecord)> = analysed.iter().flat_map(|r| r.risks.iter().map(move |k| (*r, k))).collect();
    t.push((
        "risks_found".into(),
        "Every deployment risk of analysed apps".into(),
        TableBuilder::new()
            .str("app", all_risks.iter().map(|(r, _)| r.id()))
            .str("rule", all_risks.iter().map(|(_, k)| k.rule.clone()))
            .str("file", all_risks.iter().map(|(_, k)| k.file.clone()))
            .u64("line", all_risks.iter().map(|(_, k)| k.line as u64))
            .str("function", all_risks.iter().map(|(_, k)| k.function.clone()))
            .str("subject", all_risks.iter().map(|(_, k)| k.subject.clone()))
            .str("message", all_risks.iter().map(|(_, k)| k.message.clone()))
            .build()?,
    ));

    // Status.
    let status_rows: Vec<(Status, u64, u64)> = Status::ALL
        .iter()
        .map(|&s| {
            let rs: Vec<&AppRecord> = records.iter().filter(|r| r.status == s).collect();
            (s, rs.len() as u64, rs.iter().map(|r| r.repo.as_str()).collect::<BTreeSet<_>>().len() as u64)
        })
        .collect();
    t.push((
        "status".into(),
        "Apps by status of the analysis".into(),
        TableBuilder::new()
            .str("status", status_rows.iter().map(|r| r.0.name()))
            .u64("apps", status_rows.iter().map(|r| r.1))
            .u64("repos", status_rows.iter().map(|r| r.2))
            .build()?,
    ));

    // Triage.
    let total = records.len() as u64;
    let mut tri: Vec<(String, String, u64, u64)> = Triage::ALL
        .iter()
        .map(|&c| {
            let rs: Vec<&AppRecord> = records.iter().filter(|r| r.triage == c).collect();
            (c.name().to_string(), c.description().to_string(), rs.len() as u64, rs.iter().map(|r| r.repo.as_str()).collect::<BTreeSet<_>>().len() as u64)
        })
        .collect();
    tri.push(("total".into(), "all apps".into(), total, repos.len() as u64));
    t.push((
        "triage".into(),
        "Triage of the apps".into(),
        TableBuilder::new()
            .str("category", tri.iter().map(|r| r.0.clone()))
            .str("description", tri.iter().map(|r| r.1.clone()))
            .u64("apps", tri.iter().map(|r| r.2))
            .u64("repos", tri.iter().map(|r| r.3))
            .f64("share", tri.iter().map(|r| round3(pct(r.2, total))))
            .build()?,
    ));

    // Flows per app, ranked.
    let mut ranked: Vec<&&AppRecord> = analysed.iter().filter(|r| !r.flows.is_empty()).collect();
    ranked.sort_by(|a, b| b.flows.len().cmp(&a.flows.len()).then_with(|| a.id().cmp(&b.id())));
    t.push((
        "flows_per_app".into(),
        "Flows per app (analysed apps with flows, ranked)".into(),
        TableBuilder::new()
            .u64("rank", 1..=ranked.len() as u64)
            .str("app", ranked.iter().map(|r| r.id()))
            .u64("flows", ranked.iter().map(|r| r.flows.len() as u64))
            .u64("inter", ranked.iter().map(|r| r.inter()))
            .u64("intra", ranked.iter().map(|r| r.intra()))
            .u64("loc", ranked.iter().map(|r| r.loc))
            .u64("handlers", ranked.iter().map(|r| r.handlers))
            .build()?,
    ));

    // By vulnerability, by source.
    let by_vuln = grouped(&items, |i| Some(i.flow.vulnerability.clone()));
    let mut rows: Vec<(String, Option<&Group>)> = by_vuln.iter().map(|(k, g)| (k.clone(), Some(g))).collect();
    let tot = grouped(&items, |_| Some("total".into()));
    rows.push(("total".into(), tot.get("total")));
    t.push(("by_vulnerability".into(), "Flows by vulnerability class".into(), group_table("vulnerability", &rows)?));
    let by_src = grouped(&items, |i| Some(i.flow.source_kind.clone()));
    let mut rows: Vec<(String, Option<&Group>)> = by_src.iter().map(|(k, g)| (k.clone(), Some(g))).collect();
    rows.push(("total".into(), tot.get("total")));
    t.push(("by_source".into(), "Flows by source kind".into(), group_table("source", &rows)?));

    // Table 6.2: by verdict.
    let by_verdict = grouped(&items, |i| Some(verdict_of(verdicts, &i.flow.fingerprint).map(|v| v.name().to_string()).unwrap_or_else(|| "unreviewed".into())));
    let mut rows: Vec<(String, Option<&Group>)> = Verdict::ALL.iter().map(|v| (v.name().to_string(), by_verdict.get(v.name()))).collect();
    rows.push(("unreviewed".into(), by_verdict.get("unreviewed")));
    rows.push(("total".into(), tot.get("total")));
    t.push(("summary".into(), "Security-sensitive data flows by review verdict (Table 6.2)".into(), group_table("category", &rows)?));

    let by_class = grouped(&items, |i| {
        let v = verdict_of(verdicts, &i.flow.fingerprint).map(|v| v.name()).unwrap_or("unreviewed");
        Some(format!("{v}\u{1}{} via {}", i.flow.vulnerability, i.flow.source_kind))
    });
    let keys: Vec<(String, String)> = by_class.keys().map(|k| k.split_once('\u{1}').map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or_default()).collect();
    let groups: Vec<&Group> = by_class.values().collect();
    t.push((
        "review_by_class".into(),
        "Flows by verdict, class and source".into(),
        TableBuilder::new()
            .str("verdict", keys.iter().map(|k| k.0.clone()))
            .str("class", keys.iter().map(|k| k.1.clone()))
            .u64("total", groups.iter().map(|g| g.total))
            .u64("apps", groups.iter().map(|g| g.apps.len() as u64))
            .u64("inter", groups.iter().map(|g| g.inter))
            .u64("intra", groups.iter().map(|g| g.intra))
            .build()?,
    ));

    // Precision per class, from the verdicts of every reviewed flow (apps
    // left out by triage too: a false positive in a template is still one).
    let mut per_class: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for i in &all_items {
        let slot = match verdict_of(verdicts, &i.flow.fingerprint) {
            Some(Verdict::Vulnerability) => 0,
            Some(Verdict::Potential) => 1,
            Some(Verdict::NotAVulnerability) => 2,
            None => 3,
        };
        for class in [i.flow.vulnerability.clone(), "all".to_string()] {
            per_class.entry(class).or_default()[slot] += 1;
        }
    }
    let prec: Vec<(String, [u64; 4])> = per_class.into_iter().collect();
    let ratio = |num: u64, c: &[u64; 4]| {
        let reviewed = c[0] + c[1] + c[2];
        if reviewed == 0 { f64::NAN } else { round3(num as f64 / reviewed as f64) }
    };
    t.push((
        "precision_by_class".into(),
        "Precision per class on reviewed flows (all apps): strict counts vulnerabilities, lenient also potential ones".into(),
        TableBuilder::new()
            .str("class", prec.iter().map(|(k, _)| k.clone()))
            .u64("flows", prec.iter().map(|(_, c)| c.iter().sum()))
            .u64("vulnerability", prec.iter().map(|(_, c)| c[0]))
            .u64("potential", prec.iter().map(|(_, c)| c[1]))
            .u64("not_a_vulnerability", prec.iter().map(|(_, c)| c[2]))
            .u64("unreviewed", prec.iter().map(|(_, c)| c[3]))
            .f64("precision_strict", prec.iter().map(|(_, c)| ratio(c[0], c)))
            .f64("precision_lenient", prec.iter().map(|(_, c)| ratio(c[0] + c[1], c)))
            .build()?,
    ));

    // Time per stage.
    let ran: Vec<&AppRecord> = records.iter().filter(|r| r.status.completed()).collect();
    let stages = stage_times(&ran);
    let grand: f64 = stages.iter().map(|(_, v)| v.iter().sum::<f64>()).sum();
    let mut stage_rows = Vec::new();
    for (name, v) in &stages {
        let sum: f64 = v.iter().sum();
        let mut shares: Vec<f64> = ran.iter().zip(v).filter(|(r, _)| r.timing.total_ms > 0.0).map(|(r, x)| x / r.timing.total_ms).collect();
        let lo = shares.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = shares.iter().copied().fold(0.0, f64::max);
        stage_rows.push((name.to_string(), sum / 1000.0, if grand > 0.0 { sum / grand } else { 0.0 }, median(&mut shares), if lo.is_finite() { lo } else { 0.0 }, hi));
    }
    t.push((
        "time_stages".into(),
        "Time per stage (apps whose analysis finished)".into(),
        TableBuilder::new()
            .str("stage", stage_rows.iter().map(|r| r.0.clone()))
            .f64("total_s", stage_rows.iter().map(|r| round3(r.1)))
            .f64("share", stage_rows.iter().map(|r| round3(r.2)))
            .f64("median_app_share", stage_rows.iter().map(|r| round3(r.3)))
            .f64("min_app_share", stage_rows.iter().map(|r| round3(r.4)))
            .f64("max_app_share", stage_rows.iter().map(|r| round3(r.5)))
            .build()?,
    ));

    // Taint-stage throughput.
    let rates: Vec<(&AppRecord, f64)> = ran.iter().filter(|r| r.loc > 0 && r.timing.taint_ms > 0.0).map(|r| (*r, r.loc as f64 / (r.timing.taint_ms / 1000.0))).collect();
    let bands: [(&str, u64, u64); 4] = [("1-99", 1, 100), ("100-999", 100, 1_000), ("1000-9999", 1_000, 10_000), ("10000+", 10_000, u64::MAX)];
    let mut band_rows = Vec::new();
    for (name, lo, hi) in bands {
        let in_band: Vec<&(&AppRecord, f64)> = rates.iter().filter(|(r, _)| (lo..hi).contains(&r.loc)).collect();
        let mut v: Vec<f64> = in_band.iter().map(|(_, x)| *x).collect();
        // Most of a small app's taint time is a fixed part per app, which
        // its lines per second hide: the band's typical time shows it.
        let mut us: Vec<f64> = in_band.iter().map(|(r, _)| r.timing.taint_ms * 1000.0).collect();
        let below = v.iter().filter(|x| **x < TAINT_LINES_PER_S_TARGET).count() as u64;
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        band_rows.push((name, v.len() as u64, median(&mut v).round(), if min.is_finite() { min.round() } else { 0.0 }, below, median(&mut us).round()));
    }
    t.push((
        "taint_rate".into(),
        "Taint-stage throughput: Python LOC per second of the taint stage, by app size (apps whose analysis finished)".into(),
        TableBuilder::new()
            .str("loc", band_rows.iter().map(|r| r.0))
            .u64("apps", band_rows.iter().map(|r| r.1))
            .f64("median_lines_per_s", band_rows.iter().map(|r| r.2))
            .f64("min_lines_per_s", band_rows.iter().map(|r| r.3))
            .u64("below_200k", band_rows.iter().map(|r| r.4))
            .f64("median_taint_us", band_rows.iter().map(|r| r.5))
            .build()?,
    ));
    let mut slowest: Vec<&(&AppRecord, f64)> = rates.iter().filter(|(r, _)| r.loc >= 100).collect();
    slowest.sort_by(|a, b| a.1.total_cmp(&b.1));
    slowest.truncate(SLOWEST_TAINT_APPS);
    t.push((
        "slowest_taint".into(),
        "Apps of 100 LOC or more with the lowest taint-stage throughput".into(),
        TableBuilder::new()
            .str("app", slowest.iter().map(|(r, _)| r.id()))
            .u64("loc", slowest.iter().map(|(r, _)| r.loc))
            .f64("taint_ms", slowest.iter().map(|(r, _)| round3(r.timing.taint_ms)))
            .f64("lines_per_s", slowest.iter().map(|(_, x)| x.round()))
            .build()?,
    ));

    // Apps.
    let r = records;
    t.push((
        "apps".into(),
        "Apps".into(),
        TableBuilder::new()
            .str("repo", r.iter().map(|x| x.repo.clone()))
            .str("deployment_file", r.iter().map(|x| x.deployment_file.clone()))
            .str("status", r.iter().map(|x| x.status.name()))
            .str("detail", r.iter().map(|x| x.detail.clone()))
            .str("triage", r.iter().map(|x| x.triage.name()))
            .str("triage_reason", r.iter().map(|x| x.triage_reason.clone()))
            .str("framework", r.iter().map(|x| x.framework.clone()))
            .u64("loc", r.iter().map(|x| x.loc))
            .u64("python_files", r.iter().map(|x| x.python_files))
            .u64("python_failed", r.iter().map(|x| x.python_failed))
            .u64("python2_files", r.iter().map(|x| x.python2_files))
            .u64("handlers", r.iter().map(|x| x.handlers))
            .u64("handlers_missing", r.iter().map(|x| x.handlers_missing))
            .u64("other_runtime_functions", r.iter().map(|x| x.other_runtime_functions))
            .u64("functions", r.iter().map(|x| x.functions))
            .u64("files_omitted", r.iter().map(|x| x.files_omitted))
            .u64("vendored_files", r.iter().map(|x| x.vendored_files))
            .u64("flows", r.iter().map(|x| x.flows.len() as u64))
            .u64("inter", r.iter().map(|x| x.inter()))
            .u64("intra", r.iter().map(|x| x.intra()))
            .f64("time_s", r.iter().map(|x| round3(x.timing.total_ms / 1000.0)))
            .f64("infra_ms", r.iter().map(|x| round3(x.timing.infra_ms)))
            .f64("parse_ms", r.iter().map(|x| round3(x.timing.parse_ms)))
            .f64("taint_ms", r.iter().map(|x| round3(x.timing.taint_ms)))
            .f64("max_rss_mb", r.iter().map(|x| round3(x.timing.max_rss_mb)))
            .build()?,
    ));

    // Per app, class and source.
    let per = grouped(&all_items, |i| Some(format!("{}\u{1}{}\u{1}{}", i.app.id(), i.flow.vulnerability, i.flow.source_kind)));
    let keys: Vec<Vec<String>> = per.keys().map(|k| k.split('\u{1}').map(str::to_string).collect()).collect();
    let groups: Vec<&Group> = per.values().collect();
    t.push((
        "app_flows".into(),
        "Flows per app, class and source".into(),
        TableBuilder::new()
            .str("app", keys.iter().map(|k| k[0].clone()))
            .str("vulnerability", keys.iter().map(|k| k[1].clone()))
            .str("source", keys.iter().map(|k| k[2].clone()))
            .u64("flows", groups.iter().map(|g| g.total))
            .u64("inter", groups.iter().map(|g| g.inter))
            .u64("intra", groups.iter().map(|g| g.intra))
            .build()?,
    ));

    // Findings.
    let f = &all_items;
    let change = |fp: &str| if changes.new.contains(fp) { "new" } else { "unchanged" };
    t.push((
        "findings".into(),
        "Flows (one row per source and sink)".into(),
        TableBuilder::new()
            .str("fingerprint", f.iter().map(|i| i.flow.fingerprint.clone()))
            .str("app", f.iter().map(|i| i.app.id()))
            .str("triage", f.iter().map(|i| i.app.triage.name()))
            .str("vulnerability", f.iter().map(|i| i.flow.vulnerability.clone()))
            .str("sink", f.iter().map(|i| i.sink()))
            .str("source", f.iter().map(|i| i.source()))
            .str("callee", f.iter().map(|i| i.flow.callee.clone()))
            .str("sink_file", f.iter().map(|i| i.flow.sink_file.clone()))
            .u64("sink_line", f.iter().map(|i| i.flow.sink_line as u64))
            .str("sink_function", f.iter().map(|i| i.flow.sink_function.clone()))
            .str("source_kind", f.iter().map(|i| i.flow.source_kind.clone()))
            .str("source_what", f.iter().map(|i| i.flow.source_what.clone()))
            .str("source_file", f.iter().map(|i| i.flow.source_file.clone()))
            .u64("source_line", f.iter().map(|i| i.flow.source_line as u64))
            .str("source_function", f.iter().map(|i| i.flow.source_function.clone()))
            .u64("hops", f.iter().map(|i| i.flow.hops as u64))
            .bool("inter", f.iter().map(|i| i.flow.inter))
            .str("sarif_fingerprint", f.iter().map(|i| i.flow.sarif_fingerprint.clone()))
            .str("verdict", f.iter().map(|i| verdicts.get(&i.flow.fingerprint).map(|v| v.verdict.name()).unwrap_or("")))
            .str("note", f.iter().map(|i| verdicts.get(&i.flow.fingerprint).map(|v| v.note.clone()).unwrap_or_default()))
            .str("change", f.iter().map(|i| change(&i.flow.fingerprint)))
            .build()?,
    ));

    // Changes against the baseline.
    let mut ch: Vec<(String, &str, String, String, String, String, String)> = Vec::new();
    for i in f {
        let fp = &i.flow.fingerprint;
        let v = verdicts.get(fp).map(|v| v.verdict.name().to_string()).unwrap_or_default();
        ch.push((fp.clone(), change(fp), i.app.id(), i.flow.vulnerability.clone(), i.sink(), i.source(), v));
    }
    for (fp, b) in &changes.fixed {
        let v = verdicts.get(fp).map(|v| v.verdict.name().to_string()).unwrap_or_default();
        ch.push((fp.clone(), "fixed", b.app.clone(), b.vulnerability.clone(), b.sink.clone(), b.source.clone(), v));
    }
    t.push((
        "changes".into(),
        "Flows new, fixed and unchanged since the baseline".into(),
        TableBuilder::new()
            .str("fingerprint", ch.iter().map(|c| c.0.clone()))
            .str("change", ch.iter().map(|c| c.1))
            .str("app", ch.iter().map(|c| c.2.clone()))
            .str("vulnerability", ch.iter().map(|c| c.3.clone()))
            .str("sink", ch.iter().map(|c| c.4.clone()))
            .str("source", ch.iter().map(|c| c.5.clone()))
            .str("verdict", ch.iter().map(|c| c.6.clone()))
            .build()?,
    ));
    Ok(t)
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Per stage, the time of each app (ms): infra, parse, taint, and the rest
/// of the child's wall clock (process start, loading, writing).
fn stage_times(ran: &[&AppRecord]) -> Vec<(&'static str, Vec<f64>)> {
    let infra: Vec<f64> = ran.iter().map(|r| r.timing.infra_ms).collect();
    let parse: Vec<f64> = ran.iter().map(|r| r.timing.parse_ms).collect();
    let taint: Vec<f64> = ran.iter().map(|r| r.timing.taint_ms).collect();
    let other: Vec<f64> = ran.iter().map(|r| (r.timing.total_ms - r.timing.infra_ms - r.timing.parse_ms - r.timing.taint_ms).max(0.0)).collect();
    vec![("infra", infra), ("parse", parse), ("taint", taint), ("other", other)]
}

pub fn draw_figures(records: &[AppRecord], out: &Path) -> Result<Vec<PathBuf>> {
    let analysed: Vec<&AppRecord> = records.iter().filter(|r| r.triage == Triage::Analysed).collect();
    let mut files = Vec::new();
    let mut push = |p: (PathBuf, PathBuf)| {
        files.push(p.0);
        files.push(p.1);
    };
    let mut counts: Vec<f64> = analysed.iter().map(|r| r.flows.len() as f64).filter(|&c| c > 0.0).collect();
    counts.sort_by(|a, b| b.total_cmp(a));
    let ranked: Vec<(f64, f64)> = counts.iter().enumerate().map(|(i, &c)| ((i + 1) as f64, c)).collect();
    push(plots::draw(&Figure::new("Flows per app (ranked)", "app rank", "flows", Kind::Line), &[PointSeries::new("flows", ranked)], out, "flows_per_app")?);
    let all: Vec<f64> = analysed.iter().map(|r| r.flows.len() as f64).collect();
    push(plots::draw(&Figure::new("CDF of flows per analysed app", "flows", "share of apps", Kind::Step), &[PointSeries::new("apps", plots::ecdf(&all))], out, "flows_cdf")?);
    let pts: Vec<(f64, f64)> = analysed.iter().map(|r| (r.loc.max(1) as f64, r.flows.len() as f64)).collect();
    push(plots::draw(&Figure::new("Flows and LOC per app", "Python LOC", "flows", Kind::Scatter).log_x(), &[PointSeries::new("apps", pts)], out, "flows_loc")?);
    let done: Vec<(f64, f64)> = records.iter().filter(|r| r.status.completed()).map(|r| (r.loc.max(1) as f64, r.timing.total_ms / 1000.0)).collect();
    let timed_out: Vec<(f64, f64)> = records.iter().filter(|r| r.status == Status::Timeout).map(|r| (r.loc.max(1) as f64, r.timing.total_ms / 1000.0)).collect();
    let mut series = vec![PointSeries::new("finished", done)];
    if !timed_out.is_empty() {
        series.push(PointSeries::new("timed out", timed_out));
    }
    push(plots::draw(&Figure::new("Analysis time vs LOC", "Python LOC", "time (s)", Kind::Scatter).log_x(), &series, out, "time_loc")?);
    let ran: Vec<&AppRecord> = records.iter().filter(|r| r.status.completed() && r.timing.total_ms > 0.0).collect();
    let series: Vec<PointSeries> = stage_times(&ran)
        .into_iter()
        .map(|(name, v)| {
            let shares: Vec<f64> = ran.iter().zip(&v).map(|(r, x)| 100.0 * x / r.timing.total_ms).collect();
            PointSeries::new(name, plots::ecdf(&shares))
        })
        .collect();
    push(plots::draw(&Figure::new("Share of time per stage (CDF over apps)", "share of the app's time (%)", "share of apps", Kind::Step), &series, out, "time_share")?);
    Ok(files)
}

/// Builds and writes every table and figure, and `report.md` (all summary
/// tables in one page).
pub fn write_outputs(records: &[AppRecord], verdicts: &BTreeMap<String, VerdictRow>, baseline: Option<&BTreeMap<String, BaselineFlow>>, out: &Path) -> Result<Outputs> {
    let items = review::items(records, true);
    let changes = review::changes(&items, baseline);
    let mut t = build_tables(records, verdicts, &changes)?;
    let mut md = String::from("# Scan report\n\n");
    for (stem, title, df) in t.iter_mut() {
        tables::write_all(df, out, stem, title)?;
        if !matches!(stem.as_str(), "apps" | "findings" | "app_flows" | "changes") {
            md.push_str(&format!("## {title}\n\n{}\n", tables::to_markdown(df)));
        }
    }
    std::fs::write(out.join("report.md"), md)?;
    let figures = draw_figures(records, out)?;
    Ok(Outputs { tables: t, figures, changes })
}
