//! `harness analyze-app APP [--config FILE] --json OUT` (hidden): the child
//! side of `harness scan`. Runs the analyzer in this process on one app and
//! writes what the scan records ([`crate::scan::scan::ChildOutput`]) as
//! JSON. The parent applies the timeout and the memory limit; exit 0 means
//! OUT was written, anything else is a crash.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::scan::scan;

/// Analyse one app and write the scan's JSON (used by `harness scan`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// App folder.
    pub app: PathBuf,
    /// Deployment file, relative to the app folder.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where to write the JSON.
    #[arg(long)]
    pub json: PathBuf,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let out = scan::analyze_app(&a.app, a.config.as_deref())?;
    let tmp = a.json.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(&out)?).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &a.json)?;
    Ok(ExitCode::SUCCESS)
}
