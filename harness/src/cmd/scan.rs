//! `harness scan --dataset DIR [--jobs N] [--timeout S] [--memory-limit MB]
//! [--out DIR] [--shard K/N]`: analyse every app of a dataset, triage,
//! tables and figures. See [`crate::scan`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::report::tables;
use crate::scan::report;
use crate::scan::review::{self, DEFAULT_VERDICTS};
use crate::scan::scan::{self as scanner, ScanOptions};
use crate::scan::shard::Shard;

/// Analyse every deployment file of every repository of a dataset (resumable).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of repositories (a fetch cache: DIR/<id>).
    #[arg(long)]
    pub dataset: PathBuf,
    /// Depth of repository folders below the dataset (1 for a fetch cache).
    #[arg(long, default_value_t = 1)]
    pub depth: usize,
    /// Apps analysed in parallel (one child process each).
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Wall-clock limit per app, seconds.
    #[arg(long, default_value_t = 600.0)]
    pub timeout: f64,
    /// Address-space limit per app (RLIMIT_AS), MB; 0 for none. The
    /// analyzer reserves about 800 MB of thread stacks, which count.
    #[arg(long, default_value_t = 4096)]
    pub memory_limit: u64,
    /// Output folder; with --shard, the shard writes to OUT/shard-K-of-N.
    #[arg(long, default_value = "results/scan")]
    pub out: PathBuf,
    /// Analyse only shard K of N (0 <= K < N), by a stable hash of the
    /// repository name; combine the shards with `harness merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Rerun apps that already have a record.
    #[arg(long)]
    pub fresh: bool,
    /// Rerun apps whose record says timeout or crash.
    #[arg(long)]
    pub retry_failed: bool,
    /// Review verdicts, joined to the flows by fingerprint.
    #[arg(long, default_value = DEFAULT_VERDICTS)]
    pub verdicts: PathBuf,
    /// An earlier scan's output folder, for new/fixed/unchanged flows
    /// (default: the findings.csv already in the output folder).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: Args) -> Result<ExitCode> {
    if !a.dataset.is_dir() {
        bail!("{}: not a folder", a.dataset.display());
    }
    if !(a.timeout > 0.0) {
        bail!("--timeout must be positive");
    }
    let out = match a.shard {
        Some(s) => a.out.join(s.folder()),
        None => a.out.clone(),
    };
    let opts = ScanOptions {
        dataset: a.dataset.clone(),
        depth: a.depth,
        out: out.clone(),
        jobs: a.jobs,
        timeout: Duration::from_secs_f64(a.timeout),
        memory_limit_mb: a.memory_limit,
        shard: a.shard,
        exe: std::env::current_exe().context("cannot find the harness executable")?,
        fresh: a.fresh,
        retry_failed: a.retry_failed,
    };
    let start = std::time::Instant::now();
    // Read the baseline before this run overwrites findings.csv.
    let baseline = review::read_baseline(a.baseline.as_deref().unwrap_or(&out))?;
    let run = scanner::scan(&opts, "scan", a.quiet)?;
    let records = run.records;
    let verdicts = review::read_verdicts(&a.verdicts)?;
    let t = std::time::Instant::now();
    let o = report::write_outputs(&records, &verdicts, baseline.as_ref(), &out)?;
    let report_s = t.elapsed().as_secs_f64();
    print_summary(&o);
    println!(
        "scanned {} apps in {:.1}s (finding apps {:.1}s, analysing {:.1}s in {} worker process(es), tables and figures {:.1}s); changes: {} new, {} fixed, {} unchanged; wrote tables (CSV, Markdown, Parquet) and figures (SVG, PNG) to {}",
        records.len(),
        start.elapsed().as_secs_f64(),
        run.discover_ms / 1000.0,
        run.analyse_ms / 1000.0,
        run.workers,
        report_s,
        o.changes.new.len(),
        o.changes.fixed.len(),
        o.changes.unchanged.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The tables people read first.
pub fn print_summary(o: &report::Outputs) {
    for stem in ["overview", "triage", "by_vulnerability", "summary", "time_stages"] {
        if let Some((_, title, df)) = o.tables.iter().find(|(s, _, _)| s == stem) {
            println!("## {title}\n\n{}", tables::to_markdown(df));
        }
    }
}
