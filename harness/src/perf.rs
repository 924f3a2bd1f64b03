//! `harness perf`: the same corpus run by several analyzers, one process per
//! repository and tool, each timed (wall clock) with its peak memory (the
//! largest resident set of the tool and every process it waited for, from
//! `wait4`). The report puts the tools side by side: total time, ratio to
//! the first tool, Python lines per second, peak memory, failures.
//!
//! Tools come from tools.toml (`command` tools only: an in-process tool
//! would share the harness' memory). Their output is parsed only to count
//! results; a run is judged by its exit code, like `harness bench` does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::loc;
use crate::dataset::progress::Progress;
use crate::report::tables::{self, TableBuilder};
use crate::tools::{Kind, ToolSpec, Tools};

/// One tool on one repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub repo: String,
    pub tool: String,
    /// `ok`; `partial` (an exit code that says something went wrong, with
    /// an output that reads: the tool went through the repository and
    /// reported errors, e.g. one deployment file that does not parse);
    /// `failed`, `timeout` or `crashed`.
    pub status: String,
    pub seconds: f64,
    pub peak_mb: f64,
    pub python_lines: u64,
    /// Results in the tool's output, when it could be read.
    pub results: Option<u64>,
    pub error: String,
}

pub struct Options {
    pub jobs: usize,
    pub timeout: Duration,
    /// Keep the runs of `perf.csv` in the output folder and do only the rest.
    pub resume: bool,
    /// The harness binary, run as `perf-measure` around each command.
    pub wrapper: PathBuf,
}

/// What one run did: exit code (None when a signal ended it), wall time,
/// peak resident set in MB.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Measured {
    pub exit: Option<i32>,
    pub seconds: f64,
    pub peak_mb: f64,
    #[serde(skip)]
    pub timed_out: bool,
}

/// Runs `sh -c line` in `cwd` through `wrapper` (`harness perf-measure`,
/// a fresh small process: a child's peak counts the pages of the process
/// that spawned it until it runs its program, and the harness' own pages
/// would otherwise be every tool's floor), as its own process group killed
/// at the timeout.
pub fn measure(wrapper: &Path, line: &str, cwd: &Path, stderr: &Path, timeout: Duration) -> std::io::Result<Measured> {
    use std::os::unix::process::CommandExt;
    let report = stderr.with_extension("measured.json");
    let _ = std::fs::remove_file(&report);
    let err = std::fs::File::create(stderr)?;
    let mut child = Command::new(wrapper)
        .arg("perf-measure")
        .arg("--report")
        .arg(&report)
        .arg("--")
        .arg(line)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .process_group(0)
        .spawn()?;
    let start = Instant::now();
    if crate::run::wait_or_kill(&mut child, timeout)?.is_none() {
        return Ok(Measured { exit: None, seconds: start.elapsed().as_secs_f64(), peak_mb: 0.0, timed_out: true });
    }
    let text = std::fs::read_to_string(&report).map_err(|e| std::io::Error::other(format!("the measuring process wrote no report: {e}")))?;
    let _ = std::fs::remove_file(&report);
    serde_json::from_str(&text).map_err(std::io::Error::other)
}

/// The wrapper's side: runs `sh -c line` with inherited standard streams,
/// waits for it, and writes what it measured to `report`.
pub fn measure_here(line: &str, report: &Path) -> Result<()> {
    let start = Instant::now();
    let status = Command::new("sh").arg("-c").arg(line).status()?;
    let seconds = start.elapsed().as_secs_f64();
    // SAFETY: getrusage fills plain data.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    // Linux gives ru_maxrss in kilobytes: the largest resident set among
    // the waited-for descendants (the tool and every process it waited for).
    let m = Measured { exit: status.code(), seconds, peak_mb: usage.ru_maxrss as f64 / 1024.0, timed_out: false };
    std::fs::write(report, serde_json::to_string(&m)?)?;
    Ok(())
}

/// The repositories of a dataset folder: its subfolders, sorted.
pub fn repositories(dataset: &Path) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dataset)
        .with_context(|| format!("{}", dataset.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    out.sort();
    Ok(out)
}

fn run_one(spec: &ToolSpec, tools_dir: &Path, repo: &Path, lines: u64, scratch: &Path, opts: &Options) -> Run {
    let name = repo.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let out = scratch.join(format!("{}.{}.out", spec.name, name));
    let stderr = scratch.join(format!("{}.{}.stderr", spec.name, name));
    let _ = std::fs::remove_file(&out);
    let mut run = Run { repo: name.clone(), tool: spec.name.clone(), status: "ok".into(), seconds: 0.0, peak_mb: 0.0, python_lines: lines, results: None, error: String::new() };
    let line = match spec.command_line(tools_dir, repo, &out, &name) {
        Ok(l) => l,
        Err(e) => {
            run.status = "failed".into();
            run.error = e;
            return run;
        }
    };
    match measure(&opts.wrapper, &line, repo, &stderr, opts.timeout) {
        Err(e) => {
            run.status = "failed".into();
            run.error = format!("cannot run `{line}`: {e}");
        }
        Ok(m) => {
            run.seconds = (m.seconds * 1000.0).round() / 1000.0;
            run.peak_mb = (m.peak_mb * 10.0).round() / 10.0;
            let last_err = || {
                std::fs::read_to_string(&stderr)
                    .ok()
                    .and_then(|s| s.lines().rev().find(|l| !l.trim().is_empty()).map(|l| l.trim().chars().take(200).collect()))
                    .unwrap_or_default()
            };
            if m.timed_out {
                run.status = "timeout".into();
                run.error = format!("timeout after {} s", opts.timeout.as_secs_f64());
            } else {
                match m.exit {
                    None => {
                        run.status = "crashed".into();
                        run.error = last_err();
                    }
                    Some(c) => {
                        run.results = crate::tools::convert(spec.format, &out, repo).ok().map(|log| log.runs.iter().map(|r| r.results.len() as u64).sum());
                        if !spec.ok_exit.contains(&c) {
                            run.status = if run.results.is_some() { "partial" } else { "failed" }.into();
                            run.error = format!("exit code {c}: {}", last_err());
                        }
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&stderr);
    run
}

/// Runs every tool over every repository (tool after tool, repositories in
/// parallel) and returns all runs, those of an earlier `perf.csv` included
/// when resuming, and the wall clock of each tool's pass. `perf.csv` is
/// rewritten after each run, so an interrupted run loses nothing.
pub fn perf(dataset: &Path, tools: &Tools, names: &[String], out: &Path, opts: &Options) -> Result<(Vec<Run>, Vec<(String, f64)>)> {
    let mut specs = Vec::new();
    for n in names {
        let Some(spec) = tools.get(n) else { bail!("unknown tool {n} (known: {})", tools.names().join(", ")) };
        if spec.kind != Kind::Command {
            bail!("tool {n} runs in-process; time its command-line form (analyzer-cli) instead");
        }
        spec.check_installed(&tools.dir).map_err(|e| anyhow::anyhow!("tool {n} is not installed: {e}"))?;
        specs.push(spec.clone());
    }
    std::fs::create_dir_all(out).with_context(|| format!("{}", out.display()))?;
    // Tools run inside each repository: every path they get is absolute.
    let out = &std::fs::canonicalize(out)?;
    let csv_path = out.join("perf.csv");
    let mut done: BTreeMap<(String, String), Run> = BTreeMap::new();
    if opts.resume && csv_path.is_file() {
        for row in csv::Reader::from_path(&csv_path)?.deserialize::<Run>() {
            let r = row.with_context(|| format!("{}", csv_path.display()))?;
            done.insert((r.tool.clone(), r.repo.clone()), r);
        }
    }
    let repos = repositories(dataset)?;
    let lines: Vec<u64> = repos.par_iter().map(|r| loc::count_python(r)).collect();
    // Outputs are read for their result count, then deleted.
    let scratch = out.join(".scratch");
    std::fs::create_dir_all(&scratch)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.jobs.max(1)).build()?;
    let all = Mutex::new(done);
    let total = (specs.len() * repos.len()) as u64;
    let progress = Progress::new(total, "perf");
    let mut wall = Vec::new();
    for spec in &specs {
        let start = Instant::now();
        let kept = std::sync::atomic::AtomicUsize::new(0);
        pool.install(|| {
            repos.par_iter().zip(&lines).for_each(|(repo, &n)| {
                let key = (spec.name.clone(), repo.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
                if all.lock().expect("runs").contains_key(&key) {
                    progress.finish_item(&format!("{} {}: kept", key.0, key.1));
                    kept.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return;
                }
                let run = run_one(spec, &tools.dir, repo, n, &scratch, opts);
                progress.finish_item(&format!("{} {}: {} {:.2} s {:.0} MB", run.tool, run.repo, run.status, run.seconds, run.peak_mb));
                let mut all = all.lock().expect("runs");
                all.insert(key, run);
                if let Err(e) = write_runs(&csv_path, all.values()) {
                    progress.println(&format!("cannot write {}: {e}", csv_path.display()));
                }
            })
        });
        // A pass that kept earlier runs of some repositories did not go
        // over the corpus: its wall clock would pass for the whole pass's.
        if kept.into_inner() == 0 {
            wall.push((spec.name.clone(), start.elapsed().as_secs_f64()));
        }
    }
    progress.finish();
    let _ = std::fs::remove_dir_all(&scratch);
    let runs: Vec<Run> = all.into_inner().expect("runs").into_values().collect();
    write_runs(&csv_path, runs.iter())?;
    Ok((runs, wall))
}

fn write_runs<'r>(path: &Path, runs: impl Iterator<Item = &'r Run>) -> Result<()> {
    crate::atomic::write_csv(path, runs)
}

/// One line per tool, in the order given: the first tool is the reference
/// of the ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolTotal {
    pub tool: String,
    pub repos: u64,
    pub failed: u64,
    pub seconds: f64,
    pub ratio: f64,
    pub lines_per_second: f64,
    pub median_seconds: f64,
    pub slowest_repo: String,
    pub slowest_seconds: f64,
    pub peak_mb: f64,
    pub results: u64,
}

/// Totals over the repositories every tool ran on successfully, so that
/// one tool's failures do not make it look faster.
pub fn totals(runs: &[Run], order: &[String]) -> Vec<ToolTotal> {
    let finished = |r: &Run| r.status == "ok" || r.status == "partial";
    let ok_everywhere = |repo: &str| order.iter().all(|t| runs.iter().any(|r| r.repo == repo && &r.tool == t && finished(r)));
    let mut out: Vec<ToolTotal> = Vec::new();
    for tool in order {
        let mine: Vec<&Run> = runs.iter().filter(|r| &r.tool == tool).collect();
        let common: Vec<&Run> = mine.iter().copied().filter(|r| ok_everywhere(&r.repo)).collect();
        let seconds = common.iter().map(|r| r.seconds).fold(0.0, |a, b| a + b);
        let lines: u64 = common.iter().map(|r| r.python_lines).sum();
        let mut times: Vec<f64> = common.iter().map(|r| r.seconds).collect();
        times.sort_by(|a, b| a.total_cmp(b));
        let slowest = common.iter().max_by(|a, b| a.seconds.total_cmp(&b.seconds));
        out.push(ToolTotal {
            tool: tool.clone(),
            repos: common.len() as u64,
            failed: mine.iter().filter(|r| !finished(r)).count() as u64,
            seconds,
            ratio: 0.0,
            lines_per_second: if seconds > 0.0 { lines as f64 / seconds } else { 0.0 },
            median_seconds: times.get(times.len() / 2).copied().unwrap_or(0.0),
            slowest_repo: slowest.map(|r| r.repo.clone()).unwrap_or_default(),
            slowest_seconds: slowest.map(|r| r.seconds).unwrap_or(0.0),
            peak_mb: mine.iter().map(|r| r.peak_mb).fold(0.0, f64::max),
            results: common.iter().filter_map(|r| r.results).sum(),
        });
    }
    let reference = out.first().map(|t| t.seconds).unwrap_or(0.0);
    for t in &mut out {
        t.ratio = if reference > 0.0 { t.seconds / reference } else { 0.0 };
    }
    out
}

/// Writes `perf_totals` (CSV, Markdown, Parquet) and `perf.md`.
pub fn write_report(runs: &[Run], order: &[String], out: &Path, wall: &[(String, f64)], wrapper: &Path) -> Result<Vec<ToolTotal>> {
    let out = &std::fs::canonicalize(out)?;
    let t = totals(runs, order);
    let r2 = |x: f64| (x * 100.0).round() / 100.0;
    let mut df = TableBuilder::new()
        .str("tool", t.iter().map(|x| x.tool.clone()))
        .u64("repositories", t.iter().map(|x| x.repos))
        .u64("failed", t.iter().map(|x| x.failed))
        .f64("seconds", t.iter().map(|x| r2(x.seconds)))
        .f64("ratio", t.iter().map(|x| r2(x.ratio)))
        .f64("lines_per_second", t.iter().map(|x| x.lines_per_second.round()))
        .f64("median_seconds", t.iter().map(|x| r2(x.median_seconds)))
        .str("slowest_repository", t.iter().map(|x| x.slowest_repo.clone()))
        .f64("slowest_seconds", t.iter().map(|x| r2(x.slowest_seconds)))
        .f64("peak_mb", t.iter().map(|x| x.peak_mb.round()))
        .u64("results", t.iter().map(|x| x.results))
        .build()?;
    tables::write_all(&mut df, out, "perf_totals", "Analyzers over the same repositories: one process per repository and tool")?;
    let mut md = String::from("# Analyzers side by side on one corpus\n\n");
    md.push_str(&format!(
        "Each tool ran once per repository as its own process ({} repositories). Totals count the {} repositories every tool analysed without failing; `ratio` is a tool's total time over the first tool's; lines are Python lines (tokei); peak memory is the largest resident set of one run, the tool's child processes included.\n\n",
        runs.iter().map(|r| r.repo.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
        t.first().map(|x| x.repos).unwrap_or(0)
    ));
    md.push_str(&tables::to_markdown(&df));
    if !wall.is_empty() {
        md.push_str("\nWall clock of each tool's pass over the corpus (repositories in parallel): ");
        md.push_str(&wall.iter().map(|(k, v)| format!("{k} {v:.1} s")).collect::<Vec<_>>().join(", "));
        md.push_str(".\n");
    }
    if let Ok(floor) = measure(wrapper, "true", out, &out.join(".floor.stderr"), Duration::from_secs(10)) {
        let _ = std::fs::remove_file(out.join(".floor.stderr"));
        md.push_str(&format!(
            "\nA command that does nothing measures {:.1} MB: peaks are of the tool's own processes, spawned from a small measuring process.\n",
            floor.peak_mb
        ));
    }
    let failures: Vec<&Run> = runs.iter().filter(|r| r.status != "ok").collect();
    if !failures.is_empty() {
        md.push_str("\n## Runs that did not finish, or finished reporting errors (partial)\n\n| tool | repository | status | error |\n|---|---|---|---|\n");
        for r in failures {
            md.push_str(&format!("| {} | {} | {} | {} |\n", r.tool, r.repo, r.status, r.error.replace('|', "\\|")));
        }
    }
    std::fs::write(out.join("perf.md"), md)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(repo: &str, tool: &str, status: &str, seconds: f64, lines: u64) -> Run {
        Run { repo: repo.into(), tool: tool.into(), status: status.into(), seconds, peak_mb: seconds * 10.0, python_lines: lines, results: Some(1), error: String::new() }
    }

    #[test]
    fn totals_compare_tools_on_the_repositories_all_of_them_finished() {
        let runs = vec![
            run("a", "ours", "ok", 1.0, 1000),
            run("b", "ours", "ok", 2.0, 3000),
            run("a", "other", "ok", 10.0, 1000),
            run("b", "other", "timeout", 60.0, 3000),
        ];
        let t = totals(&runs, &["ours".into(), "other".into()]);
        assert_eq!((t[0].repos, t[0].failed, t[0].seconds), (1, 0, 1.0));
        assert_eq!((t[1].repos, t[1].failed, t[1].seconds), (1, 1, 10.0));
        assert_eq!(t[1].ratio, 10.0);
        assert_eq!(t[0].lines_per_second, 1000.0);
        assert_eq!(t[1].peak_mb, 600.0);
    }
}
