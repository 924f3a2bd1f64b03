//! `harness suite describe [DIR] [--out DIR]`

use crate::suite::describe::describe;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print the coverage tables of a suite and write them as Markdown and CSV.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite root.
    #[arg(default_value = "microbenchmarks")]
    pub dir: PathBuf,
    /// Where describe.md and the CSV tables go.
    #[arg(long, default_value = "results/suite")]
    pub out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let d = describe(&args.dir)?;
    let name = crate::run::suite::display_name(&args.dir);
    d.write_all(&name, &args.out)?;
    super::score::emit(&format!("{}wrote {}/describe.md and one CSV per table\n", d.to_markdown(&name), args.out.display()));
    Ok(ExitCode::SUCCESS)
}
