//! `harness report [--from DIR] [--out DIR]`: one Markdown and HTML report
//! from a bench output folder (every `<tool>/summary.json` under it): the
//! side-by-side table, pass counts per category and tool, time per tool, the
//! per-case matrix, and figures (pass rate per tool and category,
//! precision/recall/F1 per tool, time per case per tool). Tables are polars
//! DataFrames written as CSV, Markdown and Parquet under `tables/`; figures
//! are SVG and PNG under `figures/`.

use crate::report::bench::{read_summaries, side_by_side, write_report};
use crate::report::tables;
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Assemble the report of a bench output folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The bench output folder (holding `<tool>/summary.json`).
    #[arg(long, default_value = "results/latest")]
    pub from: PathBuf,
    /// Where report.md, report.html, tables/ and figures/ go (default: --from).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let summaries = read_summaries(&args.from)?;
    let out = args.out.clone().unwrap_or_else(|| args.from.clone());
    let md = write_report(&summaries, &out)?;
    crate::cmd::score::emit(&format!(
        "{}\nwrote {} and {}\n",
        tables::to_markdown(&side_by_side(&summaries)?),
        md.display(),
        md.with_extension("html").display()
    ));
    Ok(ExitCode::SUCCESS)
}
