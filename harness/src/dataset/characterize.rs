//! `harness characterize`: the AWSomePy study's tables and figures for any
//! folder of repositories.
//!
//! Each repository is read once: LOC with tokei ([`super::loc`]), every
//! deployment file with the analyzer's infrastructure model, every Python
//! file with the analyzer's Python model, boto3 usage from the parsed ASTs
//! ([`super::boto3_usage`]). A file that breaks the YAML or Python parser
//! (even one that makes a parser panic) is counted and listed in
//! `failures`, never fatal.
//!
//! "First deployment file" follows Python's `os.walk` with sorted names: a
//! folder's own files before its subfolders, names in byte order; among
//! them the first Serverless Framework file, or, in a repository without
//! one, the first SAM/CloudFormation template. Plugins, handlers, events,
//! provider and framework version come from that file (as in the study);
//! the extra tables (permissions, wildcards, authorizers) cover every
//! deployment file of the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use analyzer::exclude::Exclude;
use analyzer::infra::model::{Effect, Framework, InfraOptions, Service};
use polars::prelude::DataFrame;
use rayon::prelude::*;

use super::boto3_usage::{self, Usage};
use super::loc;
use super::checkout;
use super::progress::Progress;
use crate::report::plots::{self, Figure, Kind, PointSeries};
use crate::report::tables::{self, TableBuilder};

/// What one repository contributes to the tables.
#[derive(Clone, Debug, Default)]
pub struct RepoRecord {
    pub id: String,
    pub loc_python: u64,
    pub loc_total: u64,
    pub py_files: u64,
    pub deployment_files: u64,
    pub first_file: String,
    pub framework: String,
    pub provider: String,
    pub framework_version: String,
    pub plugins: Vec<String>,
    pub handlers: u64,
    pub events: u64,
    pub usage: Usage,
    pub functions: Vec<FunctionRecord>,
    /// (kind, file, reason): `python`, `deployment` or `repo` failures.
    pub failures: Vec<(String, String, String)>,
    /// Files of the fetched commit absent from the folder (the fetch's
    /// `<id>.omitted.csv`): every figure above is measured without them.
    pub files_omitted: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionRecord {
    pub file: String,
    pub name: String,
    /// IAM actions granted (Allow statements, each action once per statement).
    pub permissions: u64,
    /// Some Allow statement grants an action with `*` in it (`*`, `s3:*`, `s3:Get*`).
    pub wildcard_action: bool,
    /// Some Allow statement grants on resource `*`.
    pub wildcard_resource: bool,
    pub http_endpoints: u64,
    pub http_without_authorizer: u64,
}

/// Sort key reproducing `os.walk` order with sorted names.
pub fn walk_key(rel: &str) -> Vec<(u8, String)> {
    let parts: Vec<&str> = rel.split('/').collect();
    parts.iter().enumerate().map(|(i, p)| (u8::from(i + 1 < parts.len()), p.to_string())).collect()
}

fn sym_has_star(s: &analyzer::sym::SymStr) -> bool {
    match s.as_lit() {
        Some(l) => l.contains('*'),
        None => s.known_prefix().contains('*') || s.known_suffix().contains('*'),
    }
}

fn function_records(svc: &Service) -> Vec<FunctionRecord> {
    svc.functions
        .iter()
        .map(|f| {
            let allow: Vec<_> = f.iam.iter().filter(|s| s.effect == Effect::Allow).collect();
            let http: Vec<_> = f.events.iter().filter_map(|e| e.http.as_ref()).collect();
            FunctionRecord {
                file: svc.file.clone(),
                name: f.name.clone(),
                permissions: allow.iter().map(|s| s.actions.len() as u64).sum(),
                wildcard_action: allow.iter().any(|s| s.not_action || s.actions.iter().any(sym_has_star)),
                wildcard_resource: allow.iter().any(|s| s.not_resource || s.resources.iter().any(|r| r.as_lit() == Some("*"))),
                http_endpoints: http.len() as u64,
                http_without_authorizer: http.iter().filter(|h| !h.authorizer).count() as u64,
            }
        })
        .collect()
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "panic".into())
}

/// Characterises one repository folder. Never panics, never fails.
pub fn characterize_repo(id: &str, dir: &Path) -> RepoRecord {
    let mut r = RepoRecord { id: id.to_string(), ..RepoRecord::default() };
    match checkout::read_omissions(&checkout::omissions_file(dir)) {
        Ok(o) => r.files_omitted = o.len() as u64,
        Err(e) => r.failures.push(("repo".into(), String::new(), format!("unreadable list of omitted files: {e}"))),
    }
    match catch_unwind(AssertUnwindSafe(|| loc::count(dir))) {
        Ok(l) => {
            r.loc_python = l.python;
            r.loc_total = l.total;
        }
        Err(p) => r.failures.push(("loc".into(), String::new(), panic_text(p))),
    }
    // Deployment files.
    match catch_unwind(AssertUnwindSafe(|| analyzer::infra::load(dir, &[], &Exclude::default(), &InfraOptions::default()))) {
        Ok(model) => {
            for d in &model.diagnostics {
                r.failures.push(("deployment".into(), d.file.clone(), d.message.clone()));
            }
            r.deployment_files = (model.services.len() + model.diagnostics.iter().map(|d| &d.file).collect::<BTreeSet<_>>().len()) as u64;
            let mut services: Vec<&Service> = model.services.iter().collect();
            services.sort_by_key(|s| walk_key(&s.file));
            let first = services
                .iter()
                .find(|s| s.framework == Framework::Serverless)
                .or_else(|| services.first())
                .copied();
            if let Some(s) = first {
                r.first_file = s.file.clone();
                r.framework = match s.framework {
                    Framework::Serverless => "serverless",
                    Framework::Sam => "sam",
                    Framework::CloudFormation => "cloudformation",
                }
                .to_string();
                r.provider = s.provider.name.clone();
                r.framework_version = s.framework_version.clone().unwrap_or_default();
                r.plugins = s.plugins.clone();
                r.handlers = s.functions.len() as u64;
                r.events = s.functions.iter().map(|f| f.events.len() as u64).sum();
            }
            for s in &services {
                r.functions.extend(function_records(s));
            }
        }
        Err(p) => r.failures.push(("deployment".into(), String::new(), format!("infrastructure model panicked: {}", panic_text(p)))),
    }
    // Python.
    match catch_unwind(AssertUnwindSafe(|| {
        let program = analyzer::program::Program::load(dir, &Exclude::default());
        let fails: Vec<(String, String)> = program.failures.iter().map(|f| (f.file.clone(), f.reason.clone())).collect();
        (program.files.len() as u64, fails, boto3_usage::program_usage(&program))
    })) {
        Ok((n, fails, usage)) => {
            r.py_files = n;
            for (file, reason) in fails {
                r.failures.push(("python".into(), file, reason));
            }
            r.usage = usage;
        }
        Err(p) => r.failures.push(("python".into(), String::new(), format!("Python model panicked: {}", panic_text(p)))),
    }
    r
}

/// Repository folders of a dataset: the folders `depth` levels below `dir`
/// (1 for a fetch cache, `CACHE/<id>`), hidden ones and `*.d`-less files
/// skipped. The id is the path below `dir` with `/`.
pub fn discover_repos(dir: &Path, depth: usize) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .min_depth(depth.max(1))
        .max_depth(depth.max(1))
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for e in walker {
        let e = e.with_context(|| format!("cannot list {}", dir.display()))?;
        if e.file_type().is_dir() {
            let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
            out.push((analyzer::program::rel_string(rel), e.path().to_path_buf()));
        }
    }
    Ok(out)
}

pub fn characterize_all(repos: &[(String, PathBuf)], jobs: usize, progress: &Progress) -> Result<Vec<RepoRecord>> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build()?;
    let mut records: Vec<RepoRecord> = pool.install(|| {
        repos
            .par_iter()
            .map(|(id, dir)| {
                let r = characterize_repo(id, dir);
                for (kind, file, reason) in &r.failures {
                    progress.println(&format!("{id}: {kind} {file}: {reason}"));
                }
                progress.finish_item(id);
                r
            })
            .collect()
    });
    progress.finish();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(records)
}

/// All tables, by file stem, in the order they are printed.
pub struct Tables {
    pub tables: Vec<(String, String, DataFrame)>,
}

impl Tables {
    pub fn get(&self, stem: &str) -> Option<&DataFrame> {
        self.tables.iter().find(|(s, _, _)| s == stem).map(|(_, _, df)| df)
    }
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 }
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { ((n as f64 / of as f64) * 1000.0).round() / 1000.0 }
}

/// Top APIs per service, as in the study: the `top_services` services with
/// most calls, each with its `top_apis` most called APIs and `other`.
pub fn top_apis(calls: &BTreeMap<(String, String), u64>, top_services: usize, top_apis: usize) -> Vec<(String, Vec<(String, u64)>)> {
    let mut per: BTreeMap<&str, Vec<(&str, u64)>> = BTreeMap::new();
    for ((s, op), n) in calls {
        if s != boto3_usage::DYNAMIC {
            per.entry(s).or_default().push((op, *n));
        }
    }
    let mut services: Vec<(&str, u64)> = per.iter().map(|(s, v)| (*s, v.iter().map(|x| x.1).sum())).collect();
    services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    services
        .into_iter()
        .take(top_services)
        .map(|(s, _)| {
            let mut ops = per[s].clone();
            ops.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut col: Vec<(String, u64)> = ops.iter().take(top_apis).map(|(o, n)| (o.to_string(), *n)).collect();
            let other: u64 = ops.iter().skip(top_apis).map(|x| x.1).sum();
            col.push(("other".into(), other));
            (s.to_string(), col)
        })
        .collect()
}

pub fn build_tables(records: &[RepoRecord]) -> Result<Tables> {
    let mut t: Vec<(String, String, DataFrame)> = Vec::new();
    let n = records.len();
    // Per repository.
    let b = TableBuilder::new()
        .str("repo", records.iter().map(|r| r.id.as_str()))
        .u64("loc_python", records.iter().map(|r| r.loc_python))
        .u64("loc_total", records.iter().map(|r| r.loc_total))
        .u64("python_files", records.iter().map(|r| r.py_files))
        .u64("deployment_files", records.iter().map(|r| r.deployment_files))
        .str("first_deployment_file", records.iter().map(|r| r.first_file.as_str()))
        .str("framework", records.iter().map(|r| r.framework.as_str()))
        .str("provider", records.iter().map(|r| r.provider.as_str()))
        .str("framework_version", records.iter().map(|r| r.framework_version.as_str()))
        .str("plugins", records.iter().map(|r| r.plugins.join(";")))
        .u64("handlers", records.iter().map(|r| r.handlers))
        .u64("events", records.iter().map(|r| r.events))
        .u64("boto3_instantiations", records.iter().map(|r| r.usage.instantiations.values().sum::<u64>()))
        .u64("boto3_api_calls", records.iter().map(|r| r.usage.calls.values().sum::<u64>()))
        .u64("failures", records.iter().map(|r| r.failures.len() as u64))
        .u64("files_omitted", records.iter().map(|r| r.files_omitted));
    t.push(("repos".into(), "Repositories".into(), b.build()?));
    // Table 3.2: plugins.
    let mut plugins: BTreeMap<&str, u64> = BTreeMap::new();
    for r in records {
        for p in r.plugins.iter().collect::<BTreeSet<_>>() {
            *plugins.entry(p.as_str()).or_default() += 1;
        }
    }
    let mut pv: Vec<(&str, u64)> = plugins.into_iter().collect();
    pv.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    t.push((
        "table_3_2_plugins".into(),
        format!("Table 3.2: plugins (first deployment file per repo; {} plugins in all)", pv.len()),
        TableBuilder::new().str("plugin", pv.iter().map(|x| x.0)).u64("repos", pv.iter().map(|x| x.1)).build()?,
    ));
    // Table 3.3: size, handlers, events.
    let locp: Vec<f64> = records.iter().map(|r| r.loc_python as f64).collect();
    let loct: Vec<f64> = records.iter().map(|r| r.loc_total as f64).collect();
    let hs: Vec<f64> = records.iter().map(|r| r.handlers as f64).collect();
    let es: Vec<f64> = records.iter().map(|r| r.events as f64).collect();
    let stat_rows: Vec<(&str, f64)> = vec![
        ("repos", n as f64),
        ("python_loc_mean", mean(&locp).round()),
        ("python_loc_median", median(&locp)),
        ("python_loc_min", if n == 0 { 0.0 } else { locp.iter().copied().fold(f64::INFINITY, f64::min) }),
        ("python_loc_max", locp.iter().copied().fold(0.0, f64::max)),
        ("share_under_1000_python_loc", share(records.iter().filter(|r| r.loc_python < 1000).count(), n)),
        ("share_under_100_python_loc", share(records.iter().filter(|r| r.loc_python < 100).count(), n)),
        ("all_languages_loc_mean", mean(&loct).round()),
        ("all_languages_loc_max", loct.iter().copied().fold(0.0, f64::max)),
        ("handlers_mean", (mean(&hs) * 1000.0).round() / 1000.0),
        ("handlers_median", median(&hs)),
        ("share_at_most_4_handlers", share(records.iter().filter(|r| r.handlers <= 4).count(), n)),
        ("events_mean", (mean(&es) * 1000.0).round() / 1000.0),
        ("events_median", median(&es)),
        ("share_under_5_events", share(records.iter().filter(|r| r.events < 5).count(), n)),
    ];
    t.push((
        "table_3_3_size".into(),
        "Table 3.3: size (tokei code lines), handlers and events (first deployment file)".into(),
        TableBuilder::new().str("metric", stat_rows.iter().map(|x| x.0)).f64("value", stat_rows.iter().map(|x| x.1)).build()?,
    ));
    // Table 3.4: boto3 services.
    let mut svc: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for r in records {
        for (s, k) in r.usage.per_service() {
            let e = svc.entry(s).or_default();
            e.0 += 1;
            e.1 += k;
        }
    }
    let mut sv: Vec<(String, (u64, u64))> = svc.into_iter().collect();
    sv.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(b.1 .0.cmp(&a.1 .0)).then(a.0.cmp(&b.0)));
    t.push((
        "table_3_4_boto3_services".into(),
        format!("Table 3.4: boto3 services instantiated (client/resource; {} services in all)", sv.iter().filter(|x| x.0 != boto3_usage::DYNAMIC).count()),
        TableBuilder::new()
            .str("service", sv.iter().map(|x| x.0.as_str()))
            .u64("repos", sv.iter().map(|x| x.1 .0))
            .u64("occurrences", sv.iter().map(|x| x.1 .1))
            .build()?,
    ));
    // Table 3.5: top APIs (wide, as in the paper) and the long form.
    let mut calls: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in records {
        for (k, v) in &r.usage.calls {
            *calls.entry(k.clone()).or_default() += v;
        }
    }
    let top = top_apis(&calls, 5, 6);
    let height = top.iter().map(|c| c.1.len()).max().unwrap_or(0);
    let mut wide = TableBuilder::new();
    for (s, col) in &top {
        wide = wide
            .str(s, (0..height).map(|i| col.get(i).map(|c| c.0.clone()).unwrap_or_default()))
            .opt_u64(&format!("{s} #"), (0..height).map(|i| col.get(i).map(|c| c.1)));
    }
    t.push(("table_3_5_top_apis".into(), "Table 3.5: top APIs per service (calls; close and copy excluded)".into(), wide.build()?));
    let long: Vec<(&String, &String, u64)> = calls.iter().map(|((s, o), n)| (s, o, *n)).collect();
    t.push((
        "api_calls".into(),
        "API calls per service and operation".into(),
        TableBuilder::new()
            .str("service", long.iter().map(|x| x.0.as_str()))
            .str("api", long.iter().map(|x| x.1.as_str()))
            .u64("calls", long.iter().map(|x| x.2))
            .build()?,
    ));
    // Extras: permissions per function.
    let funcs: Vec<(&str, &FunctionRecord)> = records.iter().flat_map(|r| r.functions.iter().map(move |f| (r.id.as_str(), f))).collect();
    t.push((
        "permissions_per_function".into(),
        "Permissions per function (all deployment files)".into(),
        TableBuilder::new()
            .str("repo", funcs.iter().map(|x| x.0))
            .str("file", funcs.iter().map(|x| x.1.file.as_str()))
            .str("function", funcs.iter().map(|x| x.1.name.as_str()))
            .u64("permissions", funcs.iter().map(|x| x.1.permissions))
            .bool("wildcard_action", funcs.iter().map(|x| x.1.wildcard_action))
            .bool("wildcard_resource", funcs.iter().map(|x| x.1.wildcard_resource))
            .u64("http_endpoints", funcs.iter().map(|x| x.1.http_endpoints))
            .u64("http_without_authorizer", funcs.iter().map(|x| x.1.http_without_authorizer))
            .build()?,
    ));
    let nf = funcs.len();
    let perms: Vec<f64> = funcs.iter().map(|x| x.1.permissions as f64).collect();
    let http: u64 = funcs.iter().map(|x| x.1.http_endpoints).sum();
    let noauth: u64 = funcs.iter().map(|x| x.1.http_without_authorizer).sum();
    let extra: Vec<(&str, f64)> = vec![
        ("functions", nf as f64),
        ("permissions_per_function_mean", (mean(&perms) * 1000.0).round() / 1000.0),
        ("permissions_per_function_median", median(&perms)),
        ("share_functions_wildcard_action", share(funcs.iter().filter(|x| x.1.wildcard_action).count(), nf)),
        ("share_functions_wildcard_resource", share(funcs.iter().filter(|x| x.1.wildcard_resource).count(), nf)),
        ("http_endpoints", http as f64),
        ("share_http_endpoints_without_authorizer", share(noauth as usize, http as usize)),
        ("share_repos_with_more_than_one_deployment_file", share(records.iter().filter(|r| r.deployment_files > 1).count(), n)),
        ("repos_with_parse_failures", records.iter().filter(|r| !r.failures.is_empty()).count() as f64),
    ];
    t.push((
        "extras".into(),
        "Extras: permissions, wildcards, authorizers, deployment files".into(),
        TableBuilder::new().str("metric", extra.iter().map(|x| x.0)).f64("value", extra.iter().map(|x| x.1)).build()?,
    ));
    let mut per_count: BTreeMap<u64, u64> = BTreeMap::new();
    for r in records {
        *per_count.entry(r.deployment_files).or_default() += 1;
    }
    t.push((
        "deployment_files_per_repo".into(),
        "Deployment files per repository".into(),
        TableBuilder::new().u64("deployment_files", per_count.keys().copied()).u64("repos", per_count.values().copied()).build()?,
    ));
    let fails: Vec<(&str, &(String, String, String))> = records.iter().flat_map(|r| r.failures.iter().map(move |f| (r.id.as_str(), f))).collect();
    t.push((
        "failures".into(),
        "Files the parsers could not read (counted, not fatal)".into(),
        TableBuilder::new()
            .str("repo", fails.iter().map(|x| x.0))
            .str("kind", fails.iter().map(|x| x.1 .0.as_str()))
            .str("file", fails.iter().map(|x| x.1 .1.as_str()))
            .str("reason", fails.iter().map(|x| x.1 .2.as_str()))
            .build()?,
    ));
    Ok(Tables { tables: t })
}

/// Figures 3.2-3.4 as SVG and PNG.
pub fn draw_figures(records: &[RepoRecord], out: &Path) -> Result<Vec<PathBuf>> {
    let loc: Vec<f64> = records.iter().map(|r| r.loc_python as f64).collect();
    let mut written = Vec::new();
    let (a, b) = plots::draw(
        &Figure::new("Figure 3.2: Python LOC, cumulative distribution", "Python LOC (log scale)", "share of repositories", Kind::Step).log_x(),
        &[PointSeries::new("repos", plots::ecdf(&loc))],
        out,
        "figure_3_2_loc_cdf",
    )?;
    written.extend([a, b]);
    let (a, b) = plots::draw(
        &Figure::new("Figure 3.3: handlers vs Python LOC", "Python LOC (log scale)", "handlers", Kind::Scatter).log_x(),
        &[PointSeries::new("repos", records.iter().map(|r| (r.loc_python as f64, r.handlers as f64)).collect())],
        out,
        "figure_3_3_handlers_vs_loc",
    )?;
    written.extend([a, b]);
    let (a, b) = plots::draw(
        &Figure::new("Figure 3.4: events vs handlers", "handlers", "events", Kind::Scatter),
        &[PointSeries::new("repos", records.iter().map(|r| (r.handlers as f64, r.events as f64)).collect())],
        out,
        "figure_3_4_events_vs_handlers",
    )?;
    written.extend([a, b]);
    Ok(written)
}

/// Writes every table (CSV, Markdown, Parquet), `tables.md` with all of
/// them, and the figures.
pub fn write_outputs(records: &[RepoRecord], out: &Path) -> Result<Tables> {
    let mut built = build_tables(records)?;
    let mut all = String::from("# Dataset characterisation\n\n");
    for (stem, title, df) in built.tables.iter_mut() {
        tables::write_all(df, out, stem, title)?;
        all.push_str(&format!("## {title}\n\n{}\n", tables::to_markdown(df)));
    }
    std::fs::write(out.join("tables.md"), all)?;
    draw_figures(records, out)?;
    Ok(built)
}
