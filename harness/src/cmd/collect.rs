//! `harness collect`: the Wonderless/AWSomePy collection pipeline on the
//! GitHub API (Table 3.1), or `--manifest FILE` to fill its metadata.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::dataset::collect::{self, CollectOptions};
use crate::dataset::github::GitHub;
use crate::dataset::{manifest, progress::Progress};
use crate::report::tables::{self, TableBuilder};

/// Collect serverless repositories from GitHub, or fill a manifest's metadata.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fill the metadata columns of this manifest (in place) instead of
    /// running the search pipeline.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// GitHub API base (GitHub Enterprise, tests). Token from GITHUB_TOKEN.
    #[arg(long, default_value = crate::dataset::github::DEFAULT_API)]
    pub api_url: String,
    /// Code search queries (repeatable).
    #[arg(long = "query", default_value = "filename:serverless.yml")]
    pub queries: Vec<String>,
    /// Pages per query (GitHub serves at most 10 pages of 100).
    #[arg(long, default_value_t = 10)]
    pub max_pages: usize,
    /// ETag cache folder.
    #[arg(long, default_value = "datasets/.github-cache")]
    pub cache: PathBuf,
    /// Where the collected manifest and Table 3.1 go.
    #[arg(long, default_value = "results/collect")]
    pub out: PathBuf,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let gh = GitHub::from_env(Some(&a.api_url), Some(a.cache.clone()))?;
    if let Some(path) = &a.manifest {
        let mut entries = manifest::read(path)?;
        let progress = Progress::new(entries.len() as u64, "metadata");
        let errors = collect::fill_metadata(&gh, &mut entries, &progress);
        manifest::write(path, &entries)?;
        for (id, e) in &errors {
            eprintln!("{id}: {e}");
        }
        println!("filled metadata of {} of {} repositories in {}", entries.len() - errors.len(), entries.len(), path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let opts = CollectOptions { queries: a.queries.clone(), max_pages: a.max_pages, ..CollectOptions::default() };
    let progress = Progress::new(0, "collect");
    let c = collect::collect(&gh, &opts, &progress)?;
    let mut df = table_3_1(&c.steps)?;
    println!("## Table 3.1: collection pipeline\n\n{}", tables::to_markdown(&df));
    tables::write_all(&mut df, &a.out, "table_3_1_pipeline", "Table 3.1: collection pipeline")?;
    manifest::write(&a.out.join("manifest.csv"), &c.manifest)?;
    for (x, y) in &c.fork_candidates {
        println!("fork candidate: {x} / {y}");
    }
    for (what, e) in &c.errors {
        eprintln!("{what}: {e}");
    }
    println!("wrote {}/manifest.csv ({} repositories) and table_3_1_pipeline.{{csv,md,parquet}}", a.out.display(), c.manifest.len());
    Ok(ExitCode::SUCCESS)
}

pub fn table_3_1(steps: &[collect::StepCount]) -> Result<polars::prelude::DataFrame> {
    TableBuilder::new()
        .u64("step", steps.iter().map(|s| s.step as u64))
        .str("what", steps.iter().map(|s| s.what.as_str()))
        .opt_u64("yaml_files", steps.iter().map(|s| s.yaml_files))
        .opt_u64("repos", steps.iter().map(|s| s.repos))
        .opt_u64("size_kb", steps.iter().map(|s| s.size_kb))
        .build()
}
