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
//! Test hook: the worker reads `HARNESS_SCAN_TEST_HOOK`, a `;`-separated
//! list of `SUBSTRING=ACTION` where ACTION is `sleep:MS`, `alloc:MB`
//! (allocate and touch MB megabytes) or `abort`, applied when the app
//! folder's path contains SUBSTRING. It exists only so that tests can make
//! an app time out, run out of memory or crash; nothing sets it otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::shard::Shard;
use super::triage::{self, Triage};
use super::worker::{self, End, Pool};
use crate::dataset::progress::Progress;

pub const TEST_HOOK_ENV: &str = "HARNESS_SCAN_TEST_HOOK";

/// What happened when the app was analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    NoDeploymentFile,
    DeploymentFileInvalid,
    HandlerModuleMissing,
    PythonNotParsed,
    Timeout,
    Crash,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Ok,
        Status::NoDeploymentFile,
        Status::DeploymentFileInvalid,
        Status::HandlerModuleMissing,
        Status::PythonNotParsed,
        Status::Timeout,
        Status::Crash,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoDeploymentFile => "no-deployment-file",
            Status::DeploymentFileInvalid => "deployment-file-invalid",
            Status::HandlerModuleMissing => "handler-module-missing",
            Status::PythonNotParsed => "python-not-parsed",
            Status::Timeout => "timeout",
            Status::Crash => "crash",
        }
    }

    /// The analysis ran to its end (its numbers are meaningful).
    pub fn completed(self) -> bool {
        !matches!(self, Status::NoDeploymentFile | Status::Timeout | Status::Crash)
    }
}

/// One source-to-sink flow: the unit that is counted and reviewed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FlowRecord {
    /// Stable id: app, sink function, callee, class and source, no line
    /// numbers ([`assign_fingerprints`]).
    pub fingerprint: String,
    /// `partialFingerprints.primaryLocationLineHash` of the finding in the
    /// analyzer's SARIF (one per sink and class, all sources).
    pub sarif_fingerprint: String,
    pub vulnerability: String,
    pub callee: String,
    pub sink_file: String,
    pub sink_line: u32,
    pub sink_function: String,
    pub source_kind: String,
    pub source_what: String,
    pub source_file: String,
    pub source_line: u32,
    pub source_function: String,
    /// Cloud services crossed.
    pub hops: u32,
    /// Crosses functions (through the cloud or calls).
    pub inter: bool,
}

/// A handler named by the deployment file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerInfo {
    pub name: String,
    pub file: String,
    pub function: String,
    pub runtime: String,
    /// Python code to analyse: not another runtime, not a container image.
    pub python: bool,
    pub found: bool,
    /// Why not found: `file not found`, `file not parsed`, `function not defined`.
    pub problem: String,
}

/// What a worker (`harness analyze-worker`) answers for one app.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChildOutput {
    pub services: u64,
    pub framework: String,
    pub provider: String,
    /// Deployment files that could not be loaded (`file:line: message`).
    pub invalid: Vec<String>,
    pub python_files: u64,
    pub python_lines: u64,
    pub functions: u64,
    /// (file, line, reason).
    pub parse_failures: Vec<(String, u32, String)>,
    pub handlers: Vec<HandlerInfo>,
    pub flows: Vec<FlowRecord>,
    /// Python files of third-party packages installed into the app.
    #[serde(default)]
    pub vendored_files: u64,
    #[serde(default)]
    pub privileges: PrivilegeCounts,
    #[serde(default)]
    pub risks: Vec<RiskRecord>,
    pub infra_ms: f64,
    pub parse_ms: f64,
    pub taint_ms: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Wall clock of the app in its worker, request to answer.
    pub total_ms: f64,
    pub infra_ms: f64,
    pub parse_ms: f64,
    pub taint_ms: f64,
    /// Peak resident set of the worker during the app (VmHWM), MB.
    pub max_rss_mb: f64,
}

/// Everything recorded about one app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppRecord {
    /// Repository folder below the dataset, with `/`.
    pub repo: String,
    /// Deployment file relative to the repository; empty when there is none.
    pub deployment_file: String,
    pub status: Status,
    pub detail: String,
    pub triage: Triage,
    pub triage_reason: String,
    pub framework: String,
    /// Python code lines of the app folder.
    pub loc: u64,
    pub python_files: u64,
    pub python_failed: u64,
    pub python2_files: u64,
    /// Functions of the deployment file with a Python runtime.
    pub handlers: u64,
    pub handlers_missing: u64,
    /// Functions with another runtime (Node.js, Java...).
    pub other_runtime_functions: u64,
    /// Python functions defined in the app's code.
    pub functions: u64,
    pub flows: Vec<FlowRecord>,
    /// First problems, for people (parse failures, missing handlers).
    pub problems: Vec<String>,
    pub timing: Timing,
    /// Files under the app's folder that the fetch could not write (absent
    /// blobs): the analysis did not see them.
    #[serde(default)]
    pub files_omitted: u64,
    /// Python files of vendored third-party packages: followed when
    /// called, never a source.
    #[serde(default)]
    pub vendored_files: u64,
    /// Least privilege of the app's functions ([`analyzer::privilege`]).
    #[serde(default)]
    pub privileges: PrivilegeCounts,
    /// Deployment risks ([`analyzer::risks`]).
    #[serde(default)]
    pub risks: Vec<RiskRecord>,
}

/// One deployment risk of an app, where the deployment file declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRecord {
    pub rule: String,
    /// Relative to the app's folder.
    pub file: String,
    pub line: u32,
    pub function: String,
    pub subject: String,
    pub message: String,
}

/// How many of an app's functions need what their roles grant, and how
/// they differ (counts of functions, except `excess_grants`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivilegeCounts {
    /// Functions with an analysed Python handler.
    pub functions: u64,
    pub over_privileged: u64,
    pub under_privileged: u64,
    /// Functions with a grant no call of theirs needs, by kind.
    pub unused_grant: u64,
    pub wildcard_resource: u64,
    pub shared_role: u64,
    pub admin_policy: u64,
    /// Action/resource pairs granted beyond the needs, over all functions.
    pub excess_grants: u64,
    /// Functions whose role is partly invisible (role ARN, managed policies).
    pub role_partly_unknown: u64,
    /// Functions with boto3 calls no model describes.
    pub unmodelled_calls: u64,
}

impl PrivilegeCounts {
    pub fn of(fs: &[analyzer::privilege::FunctionPrivileges]) -> PrivilegeCounts {
        let with = |kind: &str| fs.iter().filter(|f| f.excess.iter().any(|e| e.kind == kind)).count() as u64;
        PrivilegeCounts {
            functions: fs.len() as u64,
            over_privileged: fs.iter().filter(|f| !f.excess.is_empty()).count() as u64,
            under_privileged: fs.iter().filter(|f| !f.denied.is_empty()).count() as u64,
            unused_grant: with("unused"),
            wildcard_resource: with("wildcard-resource") + with("not-action"),
            shared_role: with("shared-role"),
            admin_policy: with("managed-policy"),
            excess_grants: fs.iter().map(|f| f.excess.len() as u64).sum(),
            role_partly_unknown: fs.iter().filter(|f| f.role_partly_unknown).count() as u64,
            unmodelled_calls: fs.iter().filter(|f| !f.unmodelled_calls.is_empty()).count() as u64,
        }
    }
}

impl AppRecord {
    /// `repo` or `repo/deployment_file`.
    pub fn id(&self) -> String {
        app_id(&self.repo, &self.deployment_file)
    }

    pub fn inter(&self) -> u64 {
        self.flows.iter().filter(|f| f.inter).count() as u64
    }

    pub fn intra(&self) -> u64 {
        self.flows.len() as u64 - self.inter()
    }
}

pub fn app_id(repo: &str, file: &str) -> String {
    if file.is_empty() {
        repo.to_string()
    } else {
        format!("{repo}/{file}")
    }
}

/// File name of an app's record: readable and collision-free.
pub fn record_key(repo: &str, file: &str) -> String {
    let id = app_id(repo, file);
    let mut readable = crate::dataset::manifest::sanitize(&id.replace('/', "--"));
    readable.truncate(100);
    format!("{readable}-{:08x}", super::fnv1a(&id) as u32)
}

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

pub fn records_dir(out: &Path) -> PathBuf {
    out.join("records")
}

pub fn read_record(path: &Path) -> Result<AppRecord> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a scan record", path.display()))
}

/// Writes atomically (temporary file, then rename), so that a killed scan
/// never leaves a half record that a resumed scan would trust.
pub fn write_record(out: &Path, key: &str, r: &AppRecord) -> Result<()> {
    let dir = records_dir(out);
    std::fs::create_dir_all(&dir)?;
    let tmp = dir.join(format!(".{key}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(r)?)?;
    std::fs::rename(&tmp, dir.join(format!("{key}.json")))?;
    Ok(())
}

/// Every record of an output folder, sorted by app id.
pub fn load_records(out: &Path) -> Result<Vec<AppRecord>> {
    let dir = records_dir(out);
    let mut recs = Vec::new();
    if dir.is_dir() {
        for e in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let p = e?.path();
            if p.extension().and_then(|x| x.to_str()) == Some("json") && !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                recs.push(read_record(&p)?);
            }
        }
    }
    recs.sort_by_key(|a| a.id());
    Ok(recs)
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
    rec.python_files = o.python_files + o.parse_failures.len() as u64;
    rec.python_failed = o.parse_failures.len() as u64;
    rec.python2_files = o.parse_failures.iter().filter(|(_, _, r)| r.contains("Python 2")).count() as u64;
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
        rec.detail = format!("{} of {} Python files not parsed ({} Python 2)", rec.python_failed, rec.python_files, rec.python2_files);
    } else {
        rec.status = Status::Ok;
    }
    rec.flows = o.flows;
    assign_fingerprints(&rec.repo, &rec.deployment_file, &mut rec.flows);
}

/// Gives each flow its review fingerprint: a hash of the app, sink file and
/// function, callee, class, source kind, file, function and description.
/// No line numbers: edits elsewhere in a file keep it. Flows that share
/// all of that (two identical calls in one function) are told apart by
/// their order in the function: the second gets `-2`, and so on.
pub fn assign_fingerprints(repo: &str, deployment_file: &str, flows: &mut [FlowRecord]) {
    flows.sort_by(|a, b| (&a.sink_file, a.sink_line, &a.vulnerability, &a.source_file, a.source_line, &a.source_kind).cmp(&(&b.sink_file, b.sink_line, &b.vulnerability, &b.source_file, b.source_line, &b.source_kind)));
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for f in flows.iter_mut() {
        let text = [
            repo,
            deployment_file,
            &f.sink_file,
            &f.sink_function,
            &f.callee,
            &f.vulnerability,
            &f.source_kind,
            &f.source_file,
            &f.source_function,
            &f.source_what,
        ]
        .join("|");
        let h = super::fnv1a(&text);
        let n = seen.entry(h).or_insert(0);
        *n += 1;
        f.fingerprint = if *n == 1 { format!("{h:016x}") } else { format!("{h:016x}-{n}") };
    }
}

/// The child's side: analyses one app in this process and returns what the
/// parent records.
pub fn analyze_app(app_dir: &Path, config: Option<&Path>) -> Result<ChildOutput> {
    apply_test_hook(app_dir);
    let opts = analyzer::Options { deployment_files: config.map(Path::to_path_buf).into_iter().collect(), ..analyzer::Options::default() };
    let a = analyzer::analyze(app_dir, &opts).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut o = ChildOutput {
        services: a.infra.services.len() as u64,
        invalid: a.infra.diagnostics.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message)).collect(),
        python_files: a.stats.python_files as u64,
        python_lines: a.stats.python_lines as u64,
        functions: a.stats.functions as u64,
        parse_failures: a.parse_failures.iter().map(|p| (p.file.clone(), p.line, p.reason.clone())).collect(),
        vendored_files: a.vendored.iter().map(|v| v.files as u64).sum(),
        privileges: PrivilegeCounts::of(&analyzer::privilege::privileges(&a)),
        risks: a
            .risks
            .iter()
            .map(|r| RiskRecord {
                rule: r.rule.clone(),
                file: r.file.clone(),
                line: r.line,
                function: r.function.clone().unwrap_or_default(),
                subject: r.subject.clone(),
                message: r.message.clone(),
            })
            .collect(),
        infra_ms: a.timings.infra_ms,
        parse_ms: a.timings.parse_ms,
        taint_ms: a.timings.taint_ms,
        ..ChildOutput::default()
    };
    if let Some(s) = a.infra.services.first() {
        o.framework = serde_json::to_value(s.framework).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        o.provider = s.provider.name.clone();
    }
    for s in &a.infra.services {
        for f in &s.functions {
            let runtime = f.runtime.clone().unwrap_or_default();
            let not_python = a.stats.other_runtimes.iter().any(|o| o.function == f.name && o.deployment_file == s.file);
            let missing = a.stats.handlers_missing.iter().find(|m| m.function == f.name && m.deployment_file == s.file);
            let found = missing.is_none();
            let problem = missing.map(|m| m.reason.text().to_string()).unwrap_or_default();
            o.handlers.push(HandlerInfo {
                name: f.name.clone(),
                file: f.handler.file.clone(),
                function: f.handler.function.clone(),
                python: !not_python,
                runtime,
                found,
                problem,
            });
        }
    }
    for f in &a.findings {
        let sarif_fp = analyzer::fingerprint::fingerprint(f);
        for fl in &f.flows {
            o.flows.push(FlowRecord {
                fingerprint: String::new(),
                sarif_fingerprint: sarif_fp.clone(),
                vulnerability: f.vulnerability.clone(),
                callee: f.callee.clone(),
                sink_file: f.sink.file.clone(),
                sink_line: f.sink.line,
                sink_function: f.sink.function.clone(),
                source_kind: fl.source.kind.name().to_string(),
                source_what: fl.source.what.clone(),
                source_file: fl.source.site.file.clone(),
                source_line: fl.source.site.line,
                source_function: fl.source.site.function.clone(),
                hops: fl.hops.len() as u32,
                inter: fl.inter_procedural(&f.sink),
            });
        }
    }
    Ok(o)
}

/// See the module documentation: test-only actions by app path.
fn apply_test_hook(app_dir: &Path) {
    let Ok(spec) = std::env::var(TEST_HOOK_ENV) else { return };
    let path = app_dir.to_string_lossy();
    for item in spec.split(';') {
        let Some((needle, action)) = item.split_once('=') else { continue };
        if needle.is_empty() || !path.contains(needle) {
            continue;
        }
        match action.split_once(':') {
            Some(("sleep", ms)) => std::thread::sleep(Duration::from_millis(ms.parse().unwrap_or(0))),
            Some(("alloc", mb)) => {
                let n: usize = mb.parse::<usize>().unwrap_or(0) * 1024 * 1024;
                let mut v: Vec<u8> = Vec::with_capacity(n);
                v.resize(n, 1);
                std::hint::black_box(&v);
            }
            _ if action == "abort" => std::process::abort(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(sink_line: u32, function: &str) -> FlowRecord {
        FlowRecord {
            fingerprint: String::new(),
            sarif_fingerprint: String::new(),
            vulnerability: "code-injection".into(),
            callee: "os.system".into(),
            sink_file: "h.py".into(),
            sink_line,
            sink_function: function.into(),
            source_kind: "http".into(),
            source_what: "POST /x".into(),
            source_file: "h.py".into(),
            source_line: 1,
            source_function: "h.handle".into(),
            hops: 0,
            inter: false,
        }
    }

    #[test]
    fn fingerprints_ignore_lines_and_tell_duplicates_apart() {
        let mut a = vec![flow(10, "h.handle"), flow(20, "h.handle"), flow(30, "h.other")];
        let mut b = vec![flow(15, "h.handle"), flow(27, "h.handle"), flow(99, "h.other")];
        assign_fingerprints("r", "serverless.yml", &mut a);
        assign_fingerprints("r", "serverless.yml", &mut b);
        let fa: Vec<_> = a.iter().map(|f| f.fingerprint.clone()).collect();
        let fb: Vec<_> = b.iter().map(|f| f.fingerprint.clone()).collect();
        assert_eq!(fa, fb);
        assert!(fa[1].ends_with("-2"));
        assert_ne!(fa[0], fa[2]);
        let mut c = vec![flow(10, "h.handle")];
        assign_fingerprints("other-repo", "serverless.yml", &mut c);
        assert_ne!(c[0].fingerprint, fa[0]);
    }

    #[test]
    fn record_keys_are_safe_and_distinct() {
        let a = record_key("o_r", "svc/a/serverless.yml");
        let b = record_key("o_r", "svc/a/serverless.yaml");
        assert_ne!(a, b);
        assert!(!a.contains('/'));
    }
}
