//! `harness score --suite DIR --sarif-dir DIR [--lenient] [--sink-only] [--out DIR] [--tool NAME]`

use crate::score::mode::Mode;
use crate::score::score_sarif_dir;
use crate::suite::discover::discover;
use crate::summary::{case_table, Summary};
use std::path::PathBuf;
use std::process::ExitCode;

/// Score a tool's SARIF logs (`<case-name>.sarif`) against a labelled suite.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite root (folders holding expected.toml).
    #[arg(long)]
    pub suite: PathBuf,
    /// The folder holding one `<case-name>.sarif` per case.
    #[arg(long)]
    pub sarif_dir: PathBuf,
    /// Ignore the vulnerability class when matching.
    #[arg(long)]
    pub lenient: bool,
    /// Ignore the source when matching (for tools without code flows).
    #[arg(long)]
    pub sink_only: bool,
    /// Where summary.json, summary.csv, cases.csv and summary.md go.
    #[arg(long, default_value = "results/latest")]
    pub out: PathBuf,
    /// The tool's name in the summary (default: the SARIF folder's name).
    #[arg(long)]
    pub tool: Option<String>,
}

/// Prints to stdout; a closed pipe (`| head`) is not an error.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let cases = discover(&args.suite)?;
    let mode = Mode { lenient: args.lenient, sink_only: args.sink_only };
    let scores = score_sarif_dir(&cases, &args.sarif_dir, mode);
    let tool = args.tool.clone().unwrap_or_else(|| crate::run::suite::display_name(&args.sarif_dir));
    let summary = Summary::from_scores(&tool, &crate::run::suite::display_name(&args.suite), mode, &scores);
    summary.write_all(&args.out)?;
    let findings = summary.findings_headline().map(|l| format!("{l}\n")).unwrap_or_default();
    emit(&format!(
        "{}\n{}\n{findings}\n{}\nwrote {}/{{summary.json,summary.csv,cases.csv,summary.md}}\n",
        case_table(&scores),
        summary.headline(),
        summary.category_table(),
        args.out.display()
    ));
    Ok(ExitCode::SUCCESS)
}
