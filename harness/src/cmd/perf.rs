//! `harness perf --dataset DIR --tool A --tool B ...`: time analyzers on
//! the same repositories side by side (see `perf.rs`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

use crate::perf::{self, Options};
use crate::tools::Tools;

/// Time analyzers over a dataset, one process per repository and tool: seconds, lines per second, peak memory.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of repositories (a fetch cache: DIR/<id>).
    #[arg(long)]
    pub dataset: PathBuf,
    /// Tools to run, from tools.toml (command tools); the first is the
    /// reference of the ratio.
    #[arg(long = "tool", default_values_t = ["analyzer-cli".to_string(), "bandit".to_string(), "semgrep".to_string()])]
    pub tools: Vec<String>,
    /// Another tools.toml.
    #[arg(long = "tools")]
    pub tools_file: Option<PathBuf>,
    #[arg(long, default_value = "results/performance/corpus")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Seconds one tool may spend on one repository.
    #[arg(long, default_value_t = 900)]
    pub timeout: u64,
    /// Keep the runs already in the output folder's perf.csv.
    #[arg(long)]
    pub resume: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let tools = match &a.tools_file {
        Some(p) => Tools::load(p)?,
        None => Tools::builtin(),
    };
    let wrapper = std::env::current_exe()?;
    let opts = Options { jobs: a.jobs, timeout: Duration::from_secs(a.timeout), resume: a.resume, wrapper: wrapper.clone() };
    let (runs, wall) = perf::perf(&a.dataset, &tools, &a.tools, &a.out, &opts)?;
    let totals = perf::write_report(&runs, &a.tools, &a.out, &wall, &wrapper)?;
    for t in &totals {
        println!(
            "{}: {:.1} s over {} repositories (x{:.2}), {:.0} lines/s, peak {:.0} MB, {} failed",
            t.tool, t.seconds, t.repos, t.ratio, t.lines_per_second, t.peak_mb, t.failed
        );
    }
    println!("wrote {}/perf.md, perf.csv and perf_totals (CSV, Markdown, Parquet)", a.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The measuring process of `harness perf` (internal).
#[derive(Debug, clap::Args)]
pub struct MeasureArgs {
    /// Where to write what was measured (JSON).
    #[arg(long)]
    pub report: PathBuf,
    /// The shell command to run.
    pub line: String,
}

pub fn measure(a: MeasureArgs) -> Result<ExitCode> {
    perf::measure_here(&a.line, &a.report)?;
    Ok(ExitCode::SUCCESS)
}
