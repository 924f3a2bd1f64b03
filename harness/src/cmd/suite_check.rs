//! `harness suite check DIR`

use crate::suite::check::check_suite;
use std::path::PathBuf;
use std::process::ExitCode;

/// Validate every case of a suite; exit 1 when any problem is found.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite root.
    #[arg(default_value = "microbenchmarks")]
    pub dir: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let report = check_suite(&args.dir)?;
    let mut text: String = report.problems.iter().map(|p| format!("{p}\n")).collect();
    text += &format!("{} cases, {} problems\n", report.cases, report.problems.len());
    super::score::emit(&text);
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
