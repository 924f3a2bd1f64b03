//! `harness scan`: every deployment file of every repository of a dataset
//! is one app, analysed in a worker process ([`super::worker`]) under a
//! wall-clock timeout and an address-space limit.
//!
//! Each finished app leaves `OUT/records/<key>.json` (an [`AppRecord`]);
//! a later run skips apps that have a record (resumable; `--fresh` reruns
//! everything, `--retry-failed` reruns timeouts and crashes). The tables
//! and figures are then built from the records ([`super::report`]).
//!
//! App folder: the folder holding the deployment file (as CloudFlow runs
//! on a service folder), analysed with `--config <file name>`; LOC are the
//! Python code lines of that folder (tokei, [`crate::dataset::loc`]).
//!


use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::shard::Shard;
use super::fingerprint::assign_fingerprints;
use super::record::{app_id, read_record, record_key, records_dir, write_record, AppRecord, ChildOutput, HandlerInfo, PrivilegeCounts, Status, Timing, Triage};
use super::triage;
use super::worker::{self, End, Pool};
use crate::dataset::progress::Progress;

/// One app to analyse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppJob {
    pub repo: String,
    pub repo_dir: PathBuf,
    /// Relative to the repository, with `/`; `None`: the repository has no
    /// deployment file.
    pub deployment_file: Option<String>,
}

impl AppJob {
    pub fn id(&self) -> String {
        app_id(&self.repo, self.deployment_file.as_deref().unwrap_or(""))
    }

    pub fn key(&self) -> String {
        record_key(&self.repo, self.deployment_file.as_deref().unwrap_or(""))
    }

    /// The folder holding the deployment file (the repository without one).
    pub fn app_dir(&self) -> PathBuf {
        match &self.deployment_file {
            Some(f) => match f.rsplit_once('/') {
                Some((dir, _)) => self.repo_dir.join(dir),
                None => self.repo_dir.clone(),
            },
            None => self.repo_dir.clone(),
        }
    }

    pub fn config_name(&self) -> Option<&str> {
        self.deployment_file.as_deref().map(|f| f.rsplit('/').next().unwrap_or(f))
    }
}

/// Every app of a dataset (repository folders `depth` levels below it), in
/// sorted order; a shard keeps the repositories it owns. Repositories are
/// walked in parallel: one of them may hold thousands of files.
pub fn discover_apps(dataset: &Path, depth: usize, shard: Option<Shard>) -> Result<Vec<AppJob>> {
    let repos = crate::dataset::characterize::discover_repos(dataset, depth)?;
    let owned: Vec<(String, PathBuf)> = repos.into_iter().filter(|(repo, _)| shard.is_none_or(|s| s.owns(repo))).collect();
    let per_repo: Vec<Vec<AppJob>> = owned
        .par_iter()
        .map(|(repo, dir)| {
            let files = analyzer::infra::discover::discover(dir, &analyzer::exclude::Exclude::default());
            if files.is_empty() {
                return vec![AppJob { repo: repo.clone(), repo_dir: dir.clone(), deployment_file: None }];
            }
            files.into_iter().map(|f| AppJob { repo: repo.clone(), repo_dir: dir.clone(), deployment_file: Some(f.relative) }).collect()
        })
        .collect();
    Ok(per_repo.into_iter().flatten().collect())
}

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub dataset: PathBuf,
    pub depth: usize,
    pub out: PathBuf,
    pub jobs: usize,
    pub timeout: Duration,
    /// Address-space limit of each child, MB; 0: none.
    pub memory_limit_mb: u64,
    pub shard: Option<Shard>,
    /// The harness binary (re-executed as `analyze-worker`).
    pub exe: PathBuf,
    /// Rerun apps that already have a record.
    pub fresh: bool,
    /// Rerun apps whose record says timeout or crash.
    pub retry_failed: bool,
}

/// What `scan.json` in an output folder says about the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanMeta {
    pub dataset: String,
    pub depth: usize,
    /// `K/N` for each shard that went into this folder (empty: unsharded).
    pub shards: Vec<String>,
    pub apps: usize,
    pub timeout_s: f64,
    pub memory_limit_mb: u64,
}

/// What a scan did: the records of every app of the (shard of the)
/// dataset, finished now or earlier, and where the time went.
pub struct ScanRun {
    pub records: Vec<AppRecord>,
    pub discover_ms: f64,
    pub analyse_ms: f64,
    /// Worker processes started (see [`super::worker`]).
    pub workers: usize,
}

/// Runs the scan.
pub fn scan(opts: &ScanOptions, progress_label: &str, quiet: bool) -> Result<ScanRun> {
    let t = std::time::Instant::now();
    let jobs = discover_apps(&opts.dataset, opts.depth, opts.shard)?;
    let discover_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = std::time::Instant::now();
    std::fs::create_dir_all(records_dir(&opts.out))?;
    std::fs::create_dir_all(opts.out.join("logs"))?;
    let mut pending = Vec::new();
    let mut done = Vec::new();
    let mut earlier_ms = HashMap::new();
    for j in &jobs {
        let path = records_dir(&opts.out).join(format!("{}.json", j.key()));
        let old = read_record(&path).ok();
        if let Some(r) = &old {
            earlier_ms.insert(j.key(), r.timing.total_ms);
        }
        match old.filter(|_| !opts.fresh) {
            Some(r) if !(opts.retry_failed && matches!(r.status, Status::Timeout | Status::Crash)) => done.push(r),
            _ => pending.push(j.clone()),
        }
    }
    // Longest first, by what an earlier run into this folder took: the
    // slowest app then starts at once instead of finishing the scan alone
    // on one worker while the other waits.
    pending.sort_by(|a, b| {
        let ms = |j: &AppJob| earlier_ms.get(&j.key()).copied().unwrap_or(0.0);
        ms(b).total_cmp(&ms(a))
    });
    let meta = ScanMeta {
        dataset: opts.dataset.display().to_string(),
        depth: opts.depth,
        shards: opts.shard.map(|s| vec![s.to_string()]).unwrap_or_default(),
        apps: jobs.len(),
        timeout_s: opts.timeout.as_secs_f64(),
        memory_limit_mb: opts.memory_limit_mb,
    };
    std::fs::write(opts.out.join("scan.json"), serde_json::to_vec_pretty(&meta)?)?;
    let progress = if quiet { Progress::hidden() } else { Progress::new(pending.len() as u64, progress_label) };
    if !quiet && !done.is_empty() {
        progress.println(&format!("{} of {} apps already have a record (resumed)", done.len(), jobs.len()));
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.jobs.max(1)).build()?;
    let workers = Pool::new(&opts.exe, opts.memory_limit_mb, &opts.out.join("logs"));
    let fresh: Vec<Result<AppRecord>> = pool.install(|| {
        pending
            .iter()
            .par_bridge()
            .map(|j| {
                let r = run_app(j, opts, &workers);
                write_record(&opts.out, &j.key(), &r)?;
                progress.finish_item(&format!("{} {} ({} flows, {:.1}s)", j.id(), r.status.name(), r.flows.len(), r.timing.total_ms / 1000.0));
                Ok(r)
            })
            .collect()
    });
    progress.finish();
    for r in fresh {
        done.push(r?);
    }
    done.sort_by_key(|a| a.id());
    Ok(ScanRun { records: done, discover_ms, analyse_ms: t.elapsed().as_secs_f64() * 1000.0, workers: workers.started() })
}

/// Analyses one app in a child process and builds its record. Never fails:
/// problems become the status.
pub fn run_app(job: &AppJob, opts: &ScanOptions, workers: &Pool) -> AppRecord {
    let app_dir = job.app_dir();
    let loc = crate::dataset::loc::count_python(&app_dir);
    let mut rec = AppRecord {
        repo: job.repo.clone(),
        deployment_file: job.deployment_file.clone().unwrap_or_default(),
        status: Status::Ok,
        detail: String::new(),
        triage: Triage::Analysed,
        triage_reason: String::new(),
        framework: String::new(),
        loc,
        python_files: 0,
        python_failed: 0,
        python2_files: 0,
        handlers: 0,
        handlers_missing: 0,
        other_runtime_functions: 0,
        functions: 0,
        flows: Vec::new(),
        problems: Vec::new(),
        timing: Timing::default(),
        files_omitted: omitted_under(job),
        vendored_files: 0,
        privileges: PrivilegeCounts::default(),
        risks: Vec::new(),
    };
    match job.config_name() {
        None => {
            rec.status = Status::NoDeploymentFile;
            rec.detail = "no serverless.yml or SAM/CloudFormation template".into();
        }
        Some(config) => {
            let request = worker::Request { app: app_dir.clone(), config: Some(PathBuf::from(config)) };
            let outcome = workers.analyze(&request, opts.timeout);
            rec.timing.total_ms = outcome.wall_ms;
            rec.timing.max_rss_mb = outcome.peak_rss_kb as f64 / 1024.0;
            match outcome.end {
                End::Done(o) => fill_from_child(&mut rec, *o),
                End::TimedOut => {
                    rec.status = Status::Timeout;
                    rec.detail = format!("killed after {:.0}s", opts.timeout.as_secs_f64());
                }
                End::SpawnFailed(e) => {
                    rec.status = Status::Crash;
                    rec.detail = format!("cannot start the analysis process: {e}");
                }
                End::Failed(e) => {
                    rec.status = Status::Crash;
                    rec.detail = worker::crash_detail("the analysis failed", &format!("harness: {e}"), opts.memory_limit_mb);
                }
                End::Died(what) => {
                    rec.status = Status::Crash;
                    rec.detail = worker::crash_detail(&what, &outcome.stderr, opts.memory_limit_mb);
                }
            }
            if !outcome.stderr.trim().is_empty() {
                let mut cut = outcome.stderr.len().saturating_sub(4000);
                while !outcome.stderr.is_char_boundary(cut) {
                    cut += 1;
                }
                let tail = &outcome.stderr[cut..];
                let _ = std::fs::write(opts.out.join("logs").join(format!("{}.stderr", job.key())), tail);
            }
        }
    }
    let (t, reason) = triage::triage(&rec, &job.repo_dir, &app_dir);
    rec.triage = t;
    rec.triage_reason = reason;
    rec
}

/// How many of the repository's omitted files (see
/// [`crate::dataset::checkout`]) lie in the app's folder.
fn omitted_under(job: &AppJob) -> u64 {
    let Ok(omitted) = crate::dataset::checkout::read_omissions(&crate::dataset::checkout::omissions_file(&job.repo_dir)) else { return 0 };
    let prefix = match job.deployment_file.as_deref().and_then(|f| f.rsplit_once('/')) {
        Some((dir, _)) => format!("{dir}/"),
        None => String::new(),
    };
    omitted.iter().filter(|o| o.path.starts_with(&prefix)).count() as u64
}

/// Status, counts and flows from the child's output.
pub fn fill_from_child(rec: &mut AppRecord, o: ChildOutput) {
    rec.framework = o.framework.clone();
    rec.loc += o.inline_python_lines;
    rec.python_files = o.python_files + o.parse_failures.len() as u64;
    rec.python_failed = o.parse_failures.len() as u64;
    // Python 2 files count whether the analyzer read them or not: the
    // study's triage leaves such apps out, and so does ours, to compare.
    let python2_failed = o.parse_failures.iter().filter(|(_, _, r)| r.contains("Python 2")).count() as u64;
    rec.python2_files = o.python2_files + python2_failed;
    rec.functions = o.functions;
    rec.vendored_files = o.vendored_files;
    rec.privileges = o.privileges.clone();
    rec.risks = o.risks.clone();
    rec.timing.infra_ms = o.infra_ms;
    rec.timing.parse_ms = o.parse_ms;
    rec.timing.taint_ms = o.taint_ms;
    let py: Vec<&HandlerInfo> = o.handlers.iter().filter(|h| h.python).collect();
    rec.handlers = py.len() as u64;
    rec.other_runtime_functions = (o.handlers.len() - py.len()) as u64;
    let missing: Vec<&&HandlerInfo> = py.iter().filter(|h| !h.found).collect();
    rec.handlers_missing = missing.len() as u64;
    for h in &missing {
        rec.problems.push(format!("handler {} ({}:{}): {}", h.name, h.file, h.function, h.problem));
    }
    for (file, line, reason) in &o.parse_failures {
        rec.problems.push(format!("{file}:{line}: {reason}"));
    }
    rec.problems.truncate(20);
    let truly_missing: Vec<&&HandlerInfo> = missing.iter().filter(|h| h.problem != "file not parsed").copied().collect();
    if o.services == 0 {
        rec.status = Status::DeploymentFileInvalid;
        rec.detail = if o.invalid.is_empty() { "no service loaded".into() } else { o.invalid.join("; ") };
    } else if !truly_missing.is_empty() {
        rec.status = Status::HandlerModuleMissing;
        rec.detail = format!(
            "{} of {} handlers missing: {}",
            truly_missing.len(),
            rec.handlers,
            truly_missing.iter().map(|h| format!("{} ({})", h.name, h.problem)).collect::<Vec<_>>().join(", ")
        );
    } else if rec.python_failed > 0 {
        rec.status = Status::PythonNotParsed;
        rec.detail = format!("{} of {} Python files not parsed ({} Python 2)", rec.python_failed, rec.python_files, python2_failed);
    } else {
        rec.status = Status::Ok;
    }
    rec.flows = o.flows;
    assign_fingerprints(&rec.repo, &rec.deployment_file, &mut rec.flows);
}
