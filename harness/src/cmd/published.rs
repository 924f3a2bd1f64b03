//! `harness published --snapshot LABEL=DIR ...`: the published tables of a
//! reference file beside the same tables of our runs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::report::published::{self, Reference};

/// Set published figures beside ours, one column per snapshot.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Reference file of published tables.
    #[arg(long, default_value = "harness/data/published/awsomepy.toml")]
    pub reference: PathBuf,
    /// LABEL=DIR: a results folder holding `characterize/` and `scan/`
    /// (repeatable; one column each, in the given order).
    #[arg(long = "snapshot", required = true)]
    pub snapshots: Vec<String>,
    #[arg(long, default_value = "results/awsomepy")]
    pub out: PathBuf,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let reference = Reference::load(&a.reference)?;
    let snapshots = a
        .snapshots
        .iter()
        .map(|s| s.split_once('=').map(|(l, d)| (l.to_string(), PathBuf::from(d))).with_context(|| format!("--snapshot {s}: want LABEL=DIR")))
        .collect::<Result<Vec<_>>>()?;
    let path = published::compare(&reference, &snapshots, &a.out)?;
    println!("{}", std::fs::read_to_string(&path)?);
    eprintln!("written: {}", path.display());
    Ok(ExitCode::SUCCESS)
}
