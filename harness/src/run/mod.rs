//! The executor: runs tools over case folders on a rayon pool of `jobs`
//! threads, each case with a timeout and isolated from the others, and keeps
//! per-case files so that an interrupted run can resume.
//!
//! Per tool, under its output folder:
//! * `sarif/<case>.sarif`: the tool's findings as SARIF (for a failed case, a
//!   log whose invocation says `executionSuccessful: false` with the error);
//! * `status/<case>.json`: written last, when the case is finished:
//!   `{case, status, error, seconds, runs}` (`status` is `ok`, `failed`,
//!   `timeout` or `crashed`; `runs` counts how often the case was run);
//! * `raw/<case>.<ext>` and `logs/<case>.{stdout,stderr}` for external tools.
//!
//! With `resume`, a case whose status file and SARIF log exist is not run
//! again. In-process tools run each case on a thread of their own: a panic
//! fails that case only, and after the timeout the case is recorded as timed
//! out (the thread is left to finish in the background; its result is
//! dropped). External tools run as a process group, killed on the timeout.

pub mod bench;
pub mod suite;

use crate::dataset::progress::Progress;
use analyzer::sarif::{Invocation, Log, Message, Notification};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use suite::Target;

/// A function analysing one application folder in-process.
pub type InProcess = Arc<dyn Fn(&Path) -> Result<Log, String> + Send + Sync>;

/// How a tool is run on one case.
#[derive(Clone)]
pub enum Runner {
    InProcess(InProcess),
    Command { spec: crate::tools::ToolSpec, dir: PathBuf },
}

/// A tool ready to run: its name (output folder) and runner.
#[derive(Clone)]
pub struct ToolRun {
    pub name: String,
    pub runner: Runner,
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub jobs: usize,
    pub timeout: Duration,
    /// The bench output folder; each tool writes under `out/<tool>/`.
    pub out: PathBuf,
    pub resume: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
    Timeout,
    Crashed,
}

/// `status/<case>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseStatus {
    pub case: String,
    pub status: Status,
    pub error: Option<String>,
    pub seconds: f64,
    /// How many times this case has been run into this folder.
    pub runs: u32,
}

/// What one tool did on one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: CaseStatus,
    /// The findings (`None` when the case failed).
    pub log: Option<Log>,
    /// True when the result was taken from a previous run (`--resume`).
    pub resumed: bool,
}

/// The per-case file paths of one tool.
pub struct Paths {
    pub tool_dir: PathBuf,
}

impl Paths {
    pub fn new(out: &Path, tool: &str) -> Paths {
        Paths { tool_dir: out.join(tool) }
    }
    pub fn sarif(&self, case: &str) -> PathBuf {
        self.tool_dir.join("sarif").join(format!("{case}.sarif"))
    }
    pub fn status(&self, case: &str) -> PathBuf {
        self.tool_dir.join("status").join(format!("{case}.json"))
    }
    pub fn raw(&self, case: &str, ext: &str) -> PathBuf {
        self.tool_dir.join("raw").join(format!("{case}.{ext}"))
    }
    pub fn log(&self, case: &str, stream: &str) -> PathBuf {
        self.tool_dir.join("logs").join(format!("{case}.{stream}"))
    }
    fn create(&self, external: bool) -> std::io::Result<()> {
        std::fs::create_dir_all(self.tool_dir.join("sarif"))?;
        std::fs::create_dir_all(self.tool_dir.join("status"))?;
        if external {
            std::fs::create_dir_all(self.tool_dir.join("raw"))?;
            std::fs::create_dir_all(self.tool_dir.join("logs"))?;
        }
        Ok(())
    }
}

pub fn read_status(path: &Path) -> Option<CaseStatus> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// Runs every tool on every target; the result is indexed `[tool][target]`.
pub fn execute(tools: &[ToolRun], targets: &[Target], opts: &RunOptions, progress: &Progress) -> anyhow::Result<Vec<Vec<Outcome>>> {
    for t in tools {
        Paths::new(&opts.out, &t.name)
            .create(matches!(t.runner, Runner::Command { .. }))
            .map_err(|e| anyhow::anyhow!("{}: {e}", opts.out.join(&t.name).display()))?;
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.jobs.max(1)).build()?;
    let jobs: Vec<(usize, usize)> = (0..tools.len()).flat_map(|t| (0..targets.len()).map(move |c| (t, c))).collect();
    let done: Vec<((usize, usize), Outcome)> = pool.install(|| {
        jobs.par_iter()
            .map(|&(t, c)| {
                let outcome = run_one(&tools[t], &targets[c], opts);
                let s = &outcome.status;
                let what = match (outcome.resumed, s.status) {
                    (true, _) => "resumed".to_string(),
                    (false, Status::Ok) => format!("ok {:.2}s", s.seconds),
                    (false, st) => format!("{st:?} {}", s.error.as_deref().unwrap_or("")).to_lowercase(),
                };
                progress.finish_item(&format!("{} {}: {what}", tools[t].name, targets[c].name));
                ((t, c), outcome)
            })
            .collect()
    });
    let mut out: Vec<Vec<Option<Outcome>>> = tools.iter().map(|_| targets.iter().map(|_| None).collect()).collect();
    for ((t, c), o) in done {
        out[t][c] = Some(o);
    }
    Ok(out.into_iter().map(|v| v.into_iter().map(|o| o.expect("every job ran")).collect()).collect())
}

/// Runs one tool on one case (or takes the finished result with `resume`).
pub fn run_one(tool: &ToolRun, target: &Target, opts: &RunOptions) -> Outcome {
    let paths = Paths::new(&opts.out, &tool.name);
    let status_path = paths.status(&target.name);
    let sarif_path = paths.sarif(&target.name);
    let previous = read_status(&status_path);
    if opts.resume {
        if let Some(prev) = &previous {
            let log = analyzer::sarif::read_log(&sarif_path).ok();
            if log.is_some() {
                let log = if prev.status == Status::Ok { log } else { None };
                return Outcome { status: prev.clone(), log, resumed: true };
            }
        }
    }
    let start = Instant::now();
    let result = match &tool.runner {
        Runner::InProcess(f) => run_in_process(f.clone(), &target.dir, opts.timeout),
        Runner::Command { spec, dir } => run_command(spec, dir, target, &paths, opts.timeout),
    };
    let seconds = start.elapsed().as_secs_f64();
    let (status, error, log) = match result {
        Ok(log) => (Status::Ok, None, Some(log)),
        Err((st, e)) => (st, Some(e), None),
    };
    let written = log.clone().unwrap_or_else(|| failed_log(&tool.name, error.as_deref().unwrap_or("failed")));
    let status = CaseStatus {
        case: target.name.clone(),
        status,
        error,
        seconds: (seconds * 1000.0).round() / 1000.0,
        runs: previous.map(|p| p.runs).unwrap_or(0) + 1,
    };
    // The log first, the status last: a status file means the case finished.
    let write = analyzer::sarif::write_log(&written, &sarif_path)
        .and_then(|_| crate::atomic::write(&status_path, serde_json::to_string_pretty(&status).expect("status serialises") + "\n"));
    if let Err(e) = write {
        return Outcome {
            status: CaseStatus { status: Status::Failed, error: Some(format!("cannot write results: {e}")), ..status },
            log: None,
            resumed: false,
        };
    }
    Outcome { status, log, resumed: false }
}

/// A log saying the run did not complete, with the error.
pub fn failed_log(tool: &str, error: &str) -> Log {
    let mut log = Log::new(tool, "", None, vec![]);
    log.runs[0].invocations = vec![Invocation {
        execution_successful: false,
        exit_code: None,
        tool_execution_notifications: vec![Notification { message: Message::text(error), level: None, locations: vec![] }],
    }];
    log
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into())
}

/// Runs `f` on its own thread; a panic or the timeout fails the case only.
pub fn run_in_process(f: InProcess, dir: &Path, timeout: Duration) -> Result<Log, (Status, String)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::Builder::new()
        .name("harness-case".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&dir)));
            let _ = tx.send(r);
        })
        .map_err(|e| (Status::Crashed, format!("cannot start a thread: {e}")))?;
    match rx.recv_timeout(timeout) {
        Ok(Ok(Ok(log))) => Ok(log),
        Ok(Ok(Err(e))) => Err((Status::Failed, e)),
        Ok(Err(panic)) => Err((Status::Crashed, format!("panic: {}", panic_text(&*panic)))),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err((Status::Timeout, format!("timeout after {} s", timeout.as_secs_f64()))),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err((Status::Crashed, "the case thread died".into())),
    }
}

/// Runs an external tool's command for one case as its own process group.
fn run_command(spec: &crate::tools::ToolSpec, dir: &Path, target: &Target, paths: &Paths, timeout: Duration) -> Result<Log, (Status, String)> {
    use std::os::unix::process::CommandExt;
    let fail = |e: String| (Status::Failed, e);
    let app = std::fs::canonicalize(&target.dir).unwrap_or_else(|_| target.dir.clone());
    let raw = absolute(&paths.raw(&target.name, spec.format.extension()));
    let _ = std::fs::remove_file(&raw);
    let line = spec.command_line(dir, &app, &raw, &target.name).map_err(fail)?;
    let (out_log, err_log) = (paths.log(&target.name, "stdout"), paths.log(&target.name, "stderr"));
    let stdout = std::fs::File::create(&out_log).map_err(|e| fail(format!("{}: {e}", out_log.display())))?;
    let stderr = std::fs::File::create(&err_log).map_err(|e| fail(format!("{}: {e}", err_log.display())))?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&line)
        .current_dir(&app)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .process_group(0)
        .spawn()
        .map_err(|e| fail(format!("cannot run `{line}`: {e}")))?;
    let status = match wait_or_kill(&mut child, timeout) {
        Ok(Some(st)) => st,
        Ok(None) => return Err((Status::Timeout, format!("timeout after {} s", timeout.as_secs_f64()))),
        Err(e) => return Err(fail(format!("waiting for `{line}`: {e}"))),
    };
    let last_err = || {
        std::fs::read_to_string(&err_log)
            .ok()
            .and_then(|s| s.lines().rev().find(|l| !l.trim().is_empty()).map(|l| l.trim().chars().take(200).collect::<String>()))
            .unwrap_or_default()
    };
    match status.code() {
        None => {
            use std::os::unix::process::ExitStatusExt;
            return Err((Status::Crashed, format!("killed by signal {}", status.signal().unwrap_or(0))));
        }
        Some(c) if !spec.ok_exit.contains(&c) => return Err(fail(format!("exit code {c}: {}", last_err()))),
        Some(_) => {}
    }
    if !raw.is_file() {
        return Err(fail(format!("no output written ({}){}", raw.display(), if last_err().is_empty() { String::new() } else { format!(": {}", last_err()) })));
    }
    crate::tools::convert(spec.format, &raw, &app).map_err(fail)
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    }
}

/// Waits for a child that leads its own process group; at the timeout the
/// whole group is killed and `None` returned.
pub fn wait_or_kill(child: &mut std::process::Child, timeout: Duration) -> std::io::Result<Option<std::process::ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if start.elapsed() >= timeout {
            kill_group(child.id());
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGKILL to the process group `pid` (the child was made its leader).
fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::Tools;

    fn target(dir: &Path, name: &str) -> Target {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        Target { name: name.into(), rel: name.into(), dir: dir.join(name) }
    }

    #[test]
    fn panics_and_timeouts_fail_one_case_only() {
        let t = tempfile::tempdir().unwrap();
        let f: InProcess = Arc::new(|dir: &Path| match dir.file_name().unwrap().to_str().unwrap() {
            "boom" => panic!("kaboom"),
            "slow" => {
                std::thread::sleep(Duration::from_secs(60));
                Ok(Log::new("x", "1", None, vec![]))
            }
            "err" => Err("bad input".into()),
            _ => Ok(Log::new("x", "1", None, vec![])),
        });
        let targets: Vec<Target> = ["boom", "err", "fine", "slow"].iter().map(|n| target(t.path(), n)).collect();
        let tools = vec![ToolRun { name: "x".into(), runner: Runner::InProcess(f) }];
        // Generous: with RUST_BACKTRACE set (as in CI), the panic hook resolves
        // symbols of a debug build before the panic reaches the executor.
        let opts = RunOptions { jobs: 2, timeout: Duration::from_secs(5), out: t.path().join("out"), resume: false };
        let r = execute(&tools, &targets, &opts, &Progress::hidden()).unwrap();
        let st: Vec<Status> = r[0].iter().map(|o| o.status.status).collect();
        assert_eq!(st, [Status::Crashed, Status::Failed, Status::Ok, Status::Timeout]);
        assert_eq!(r[0][0].status.error.as_deref(), Some("panic: kaboom"));
        assert!(r[0][3].status.seconds < 30.0);
        let failed = analyzer::sarif::read_log(&opts.out.join("x/sarif/err.sarif")).unwrap();
        assert!(!failed.runs[0].invocations[0].execution_successful);
    }

    #[test]
    fn command_tools_run_time_out_and_fail() {
        let t = tempfile::tempdir().unwrap();
        let tools = Tools::parse(
            r#"
[[tool]]
name = "ok"
command = "printf '%s' '{\"version\": \"2.1.0\", \"runs\": []}' > {out}; exit 1"
ok_exit = [0, 1]
format = "sarif"
[[tool]]
name = "slow"
command = "sleep 30; echo x > {out}"
format = "sarif"
[[tool]]
name = "bad"
command = "echo oops >&2; exit 3"
format = "sarif"
"#,
            t.path(),
        )
        .unwrap();
        let runs: Vec<ToolRun> = tools
            .tools
            .iter()
            .map(|s| ToolRun { name: s.name.clone(), runner: Runner::Command { spec: s.clone(), dir: tools.dir.clone() } })
            .collect();
        let targets = vec![target(t.path(), "c")];
        let opts = RunOptions { jobs: 3, timeout: Duration::from_secs(5), out: t.path().join("out"), resume: false };
        let start = Instant::now();
        let r = execute(&runs, &targets, &opts, &Progress::hidden()).unwrap();
        assert!(start.elapsed() < Duration::from_secs(25));
        assert_eq!(r[0][0].status.status, Status::Ok, "{:?}", r[0][0].status);
        assert_eq!(r[1][0].status.status, Status::Timeout);
        assert_eq!(r[2][0].status.error.as_deref(), Some("exit code 3: oops"));
    }

    #[test]
    fn resume_skips_finished_cases() {
        let t = tempfile::tempdir().unwrap();
        let f: InProcess = Arc::new(|_: &Path| Ok(Log::new("x", "1", None, vec![])));
        let targets: Vec<Target> = ["a", "b"].iter().map(|n| target(t.path(), n)).collect();
        let tools = vec![ToolRun { name: "x".into(), runner: Runner::InProcess(f) }];
        let mut opts = RunOptions { jobs: 1, timeout: Duration::from_secs(5), out: t.path().join("out"), resume: false };
        execute(&tools, &targets[..1], &opts, &Progress::hidden()).unwrap();
        opts.resume = true;
        let r = execute(&tools, &targets, &opts, &Progress::hidden()).unwrap();
        assert!(r[0][0].resumed && !r[0][1].resumed);
        assert_eq!((r[0][0].status.runs, r[0][1].status.runs), (1, 1));
        opts.resume = false;
        let r = execute(&tools, &targets, &opts, &Progress::hidden()).unwrap();
        assert_eq!(r[0][0].status.runs, 2);
    }
}
