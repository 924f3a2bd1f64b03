//! The processes `harness scan` analyses apps in. Each worker is the harness
//! binary itself (hidden subcommand `analyze-worker`), started once and
//! given one app after another over its standard input, so that 700 apps
//! do not cost 700 process starts of a 400 MB binary. Isolation stays per
//! app: a worker runs under an address-space limit (`RLIMIT_AS`, set before
//! `exec`), an app that overruns its time gets its worker killed, and an app
//! that crashes its worker (abort, out of memory, signal) is recorded with
//! the worker's last words; either way the next app gets a fresh worker.
//!
//! Protocol: one JSON [`Request`] per line in, one JSON [`Reply`] per line
//! out, nothing else on standard output. Standard error goes to a file per
//! worker; the part written during an app is that app's log.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::child::analyze_app;
use super::record::ChildOutput;

/// One app to analyse.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub app: PathBuf,
    /// Deployment file, relative to the app folder.
    pub config: Option<PathBuf>,
}

/// What the worker answers for one app.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    pub output: Option<ChildOutput>,
    /// The analysis failed without taking the worker down.
    pub error: Option<String>,
    /// Peak resident set during this app, kB (0 when unknown).
    pub peak_rss_kb: u64,
}

/// How the analysis of one app ended.
#[derive(Debug)]
pub enum End {
    Done(Box<ChildOutput>),
    /// The analysis returned an error (reported, the worker lives on).
    Failed(String),
    /// Killed at the timeout.
    TimedOut,
    /// The worker died during the app: `exit code N` or `signal N (NAME)`.
    Died(String),
    /// No worker could be started or spoken to.
    SpawnFailed(String),
}

pub struct Outcome {
    pub end: End,
    pub wall_ms: f64,
    pub peak_rss_kb: u64,
    /// What the worker wrote to standard error during this app.
    pub stderr: String,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<String>,
    stderr_path: PathBuf,
}

/// Workers shared by the scan's threads: a thread takes an idle one (or
/// starts one), gives it an app, and puts it back if it survived.
pub struct Pool {
    exe: PathBuf,
    limit_mb: u64,
    logs: PathBuf,
    idle: Mutex<Vec<Worker>>,
    started: AtomicUsize,
}

impl Pool {
    pub fn new(exe: &Path, limit_mb: u64, logs: &Path) -> Pool {
        Pool { exe: exe.to_path_buf(), limit_mb, logs: logs.to_path_buf(), idle: Mutex::new(Vec::new()), started: AtomicUsize::new(0) }
    }

    /// How many workers were started (one, plus one per app that killed
    /// its worker, per thread).
    pub fn started(&self) -> usize {
        self.started.load(Ordering::Relaxed)
    }

    /// Analyses one app under `timeout`. Never fails: problems are the end.
    pub fn analyze(&self, request: &Request, timeout: Duration) -> Outcome {
        let start = Instant::now();
        let idle = self.idle.lock().map(|mut v| v.pop()).unwrap_or(None);
        let mut worker = match idle {
            Some(w) => w,
            None => match self.spawn() {
                Ok(w) => w,
                Err(e) => return Outcome { end: End::SpawnFailed(e), wall_ms: 0.0, peak_rss_kb: 0, stderr: String::new() },
            },
        };
        let offset = std::fs::metadata(&worker.stderr_path).map(|m| m.len()).unwrap_or(0);
        let sent = serde_json::to_string(request).map_err(|e| e.to_string()).and_then(|line| {
            writeln!(worker.stdin, "{line}").and_then(|_| worker.stdin.flush()).map_err(|e| e.to_string())
        });
        let answer = match sent {
            Ok(()) => worker.replies.recv_timeout(timeout),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        let wall_ms = start.elapsed().as_secs_f64() * 1000.0;
        match answer {
            Ok(line) => {
                let stderr = read_from(&worker.stderr_path, offset);
                let outcome = match serde_json::from_str::<Reply>(&line) {
                    Ok(Reply { output: Some(o), peak_rss_kb, .. }) => Outcome { end: End::Done(Box::new(o)), wall_ms, peak_rss_kb, stderr },
                    Ok(Reply { error, peak_rss_kb, .. }) => {
                        Outcome { end: End::Failed(error.unwrap_or_else(|| "the worker answered nothing".into())), wall_ms, peak_rss_kb, stderr }
                    }
                    Err(e) => Outcome { end: End::Failed(format!("unreadable answer from the worker: {e}")), wall_ms, peak_rss_kb: 0, stderr },
                };
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(worker);
                }
                outcome
            }
            Err(RecvTimeoutError::Timeout) => {
                let _ = worker.child.kill();
                let _ = worker.child.wait();
                let stderr = read_from(&worker.stderr_path, offset);
                retire(worker);
                Outcome { end: End::TimedOut, wall_ms, peak_rss_kb: 0, stderr }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let what = match worker.child.wait() {
                    Ok(status) => match (status.code(), status.signal()) {
                        (Some(code), _) => format!("exit code {code}"),
                        (None, Some(sig)) => format!("signal {sig} ({})", signal_name(sig)),
                        (None, None) => "ended".to_string(),
                    },
                    Err(e) => format!("wait: {e}"),
                };
                let stderr = read_from(&worker.stderr_path, offset);
                retire(worker);
                Outcome { end: End::Died(what), wall_ms, peak_rss_kb: 0, stderr }
            }
        }
    }

    fn spawn(&self) -> Result<Worker, String> {
        let n = self.started.fetch_add(1, Ordering::Relaxed);
        let stderr_path = self.logs.join(format!("worker-{}-{n}.stderr", std::process::id()));
        let err_file = File::create(&stderr_path).map_err(|e| format!("{}: {e}", stderr_path.display()))?;
        let mut cmd = Command::new(&self.exe);
        cmd.arg("analyze-worker").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::from(err_file));
        if self.limit_mb > 0 {
            let bytes = (self.limit_mb as libc::rlim_t).saturating_mul(1024 * 1024);
            // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
                    if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().map_err(|e| e.to_string())?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, replies) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker { child, stdin, replies, stderr_path })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = self.idle.get_mut().map(std::mem::take).unwrap_or_default();
        for w in idle {
            retire(w);
        }
    }
}

/// Ends a worker: closing its input ends its loop; its log goes.
fn retire(w: Worker) {
    let Worker { mut child, stdin, stderr_path, .. } = w;
    drop(stdin);
    let _ = child.wait();
    let _ = std::fs::remove_file(stderr_path);
}

fn read_from(path: &Path, offset: u64) -> String {
    let mut buf = Vec::new();
    if let Ok(mut f) = File::open(path) {
        if f.seek(SeekFrom::Start(offset)).is_ok() {
            let _ = f.read_to_end(&mut buf);
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// What a crashed app's record says: the cause, and the line of its log
/// that tells what went wrong (not the backtrace after it).
pub fn crash_detail(what: &str, stderr: &str, limit_mb: u64) -> String {
    let oom = stderr.contains("memory allocation of") || stderr.contains("out of memory") || stderr.contains("Cannot allocate memory");
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let last = lines
        .iter()
        .find(|l| l.contains("panicked") || l.contains("memory allocation") || l.starts_with("harness:") || l.contains("error"))
        .or(lines.first())
        .copied()
        .unwrap_or("");
    let mut s = if oom { format!("out of memory (limit {limit_mb} MB), {what}") } else { what.to_string() };
    if !last.is_empty() {
        let mut l = last.to_string();
        l.truncate(300);
        s.push_str(": ");
        s.push_str(&l);
    }
    s
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// The worker's side: answers requests until its input ends.
pub fn serve() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in stdin.lock().lines() {
        let request: Request = serde_json::from_str(&line?)?;
        reset_peak_rss();
        let result = analyze_app(&request.app, request.config.as_deref());
        let peak_rss_kb = peak_rss_kb();
        let reply = match result {
            Ok(o) => Reply { output: Some(o), error: None, peak_rss_kb },
            Err(e) => Reply { output: None, error: Some(format!("{e:#}")), peak_rss_kb },
        };
        writeln!(out, "{}", serde_json::to_string(&reply)?)?;
        out.flush()?;
        release_memory();
    }
    Ok(())
}

/// Starts a new peak for `VmHWM` (Linux: `clear_refs` value 5), so that
/// each app's peak is its own.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Hands freed memory back, so that the address-space limit measures the
/// next app, not what earlier ones left in the allocator.
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages.
    unsafe {
        libc::malloc_trim(0);
    }
}
