//! `harness merge DIR... [--out DIR]`: combine scan outputs (shards) into
//! one, and write its tables and figures.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::scan::review::{self, DEFAULT_VERDICTS};
use crate::scan::{merge, report};

/// Combine the outputs of `harness scan --shard K/N` into one result.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scan output folders (each with records/ and scan.json).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    #[arg(long, default_value = "results/scan")]
    pub out: PathBuf,
    /// Review verdicts, joined to the flows by fingerprint.
    #[arg(long, default_value = DEFAULT_VERDICTS)]
    pub verdicts: PathBuf,
    /// An earlier scan's output folder, for new/fixed/unchanged flows
    /// (default: the findings.csv already in --out).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let baseline = review::read_baseline(a.baseline.as_deref().unwrap_or(&a.out))?;
    let m = merge::merge(&a.inputs, &a.out)?;
    for w in &m.warnings {
        eprintln!("harness merge: warning: {w}");
    }
    let verdicts = review::read_verdicts(&a.verdicts)?;
    let o = report::write_outputs(&m.records, &verdicts, baseline.as_ref(), &a.out)?;
    super::scan::print_summary(&o);
    println!("merged {} folders, {} apps; wrote tables and figures to {}", a.inputs.len(), m.records.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}
