//! `harness characterize [--dataset DIR] [--out DIR]`: the AWSomePy tables
//! and figures; without a dataset, the bundled microbenchmark suite.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::dataset::characterize;
use crate::dataset::progress::Progress;
use crate::report::tables;

/// Characterise a folder of repositories (Tables 3.2-3.5, Figures 3.2-3.4).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder of repositories (a fetch cache: DIR/<id>). Default: the
    /// bundled microbenchmarks, one repository per case folder.
    #[arg(long)]
    pub dataset: Option<PathBuf>,
    /// Depth of repository folders below the dataset (1 for a fetch cache,
    /// 2 for the microbenchmarks' category/case layout).
    #[arg(long)]
    pub depth: Option<usize>,
    #[arg(long, default_value = "results/characterize")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
}

/// The microbenchmark suite: `./microbenchmarks`, else the one next to the
/// harness crate's sources.
fn bundled_suite() -> Option<PathBuf> {
    [PathBuf::from("microbenchmarks"), PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks")]
        .into_iter()
        .find(|p| p.is_dir())
}

pub fn run(a: Args) -> Result<ExitCode> {
    let (dir, depth) = match &a.dataset {
        Some(d) => (d.clone(), a.depth.unwrap_or(1)),
        None => match bundled_suite() {
            Some(d) => (d, a.depth.unwrap_or(2)),
            None => bail!("no --dataset given and no microbenchmarks/ folder found"),
        },
    };
    let repos = characterize::discover_repos(&dir, depth)?;
    if repos.is_empty() {
        bail!("no repository folders at depth {depth} under {}", dir.display());
    }
    let start = std::time::Instant::now();
    let progress = Progress::new(repos.len() as u64, "characterize");
    let records = characterize::characterize_all(&repos, a.jobs, &progress)?;
    let t = characterize::write_outputs(&records, &a.out)?;
    for (stem, title, df) in &t.tables {
        if matches!(stem.as_str(), "repos" | "api_calls" | "permissions_per_function") {
            continue;
        }
        println!("## {title}\n\n{}", tables::to_markdown(df));
    }
    let failed = records.iter().filter(|r| !r.failures.is_empty()).count();
    println!(
        "characterised {} repositories of {} in {:.1}s ({} with parse failures); wrote tables (CSV, Markdown, Parquet) and figures (SVG, PNG) to {}",
        records.len(),
        dir.display(),
        start.elapsed().as_secs_f64(),
        failed,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
