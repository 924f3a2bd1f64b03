//! `harness fetch --manifest FILE --cache DIR [--jobs N]` clones
//! repositories; `harness fetch --zenodo RECORD` / `--url URL` downloads and
//! unpacks a dataset archive.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::dataset::archive::{self, Checksum, UnpackLimits};
use crate::dataset::fetch::{self, FetchOptions, Status};
use crate::dataset::{manifest, progress::Progress};

/// Fetch the repositories of a manifest, or a dataset archive.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Manifest CSV (id, owner, repo, url, commit, ...); urls may be
    /// https://, file:// or local paths.
    #[arg(long, conflicts_with_all = ["zenodo", "url"])]
    pub manifest: Option<PathBuf>,
    /// Zenodo record id: download every file of the record.
    #[arg(long, conflicts_with = "url")]
    pub zenodo: Option<String>,
    /// Any URL of a dataset archive (.zip, .tar.gz, .tgz, .tar).
    #[arg(long)]
    pub url: Option<String>,
    /// Expected checksum of --url (`md5:HEX` or `sha256:HEX`).
    #[arg(long, requires = "url")]
    pub checksum: Option<String>,
    /// Zenodo API base (tests, mirrors).
    #[arg(long, default_value = "https://zenodo.org/api")]
    pub zenodo_api: String,
    /// Where repositories (CACHE/<id>) and downloads go.
    #[arg(long, default_value = "datasets")]
    pub cache: PathBuf,
    /// Parallel clones.
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,
    /// Size cap per repository transfer, in MB.
    #[arg(long, default_value_t = 2048)]
    pub max_mb: u64,
    /// Retries of transient errors (with exponential backoff).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Also fetch submodules (off by default).
    #[arg(long)]
    pub submodules: bool,
    /// Write the fetched commits into the manifest's empty `commit` cells.
    #[arg(long)]
    pub pin: bool,
    /// Unpacking limits for archives: total MB and entries.
    #[arg(long, default_value_t = 32 * 1024)]
    pub max_unpack_mb: u64,
    #[arg(long, default_value_t = 2_000_000)]
    pub max_entries: u64,
}

pub fn run(a: Args) -> Result<ExitCode> {
    let limits = UnpackLimits { max_bytes: a.max_unpack_mb * 1024 * 1024, max_entries: a.max_entries };
    if let Some(record) = &a.zenodo {
        for p in archive::fetch_zenodo(&a.zenodo_api, record, &a.cache, limits)? {
            println!("{}", p.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(url) = &a.url {
        let sum = match &a.checksum {
            Some(c) => Some(Checksum::parse(c).ok_or_else(|| anyhow::anyhow!("bad checksum {c}: use md5:HEX or sha256:HEX"))?),
            None => None,
        };
        println!("{}", archive::fetch_url(url, sum.as_ref(), &a.cache, limits)?.display());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(path) = &a.manifest else { bail!("give --manifest FILE, --zenodo RECORD or --url URL") };
    let mut entries = manifest::read(path)?;
    let opts = FetchOptions {
        jobs: a.jobs,
        max_bytes: a.max_mb * 1024 * 1024,
        retries: a.retries,
        submodules: a.submodules,
        ..FetchOptions::default()
    };
    let progress = Progress::new(entries.len() as u64, "fetch");
    let start = std::time::Instant::now();
    let rows = fetch::fetch_all(&entries, &a.cache, &opts, &progress)?;
    let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
    println!(
        "{} repositories in {:.1}s: {} fetched, {} cached, {} gone, {} commit missing, {} too large, {} failed; log: {}",
        rows.len(),
        start.elapsed().as_secs_f64(),
        count(Status::Fetched),
        count(Status::Cached),
        count(Status::Gone),
        count(Status::CommitMissing),
        count(Status::TooLarge),
        count(Status::Failed),
        a.cache.join(fetch::LOG_FILE).display()
    );
    if a.pin {
        let n = fetch::pin(&mut entries, &rows);
        manifest::write(path, &entries)?;
        println!("pinned {n} commits in {}", path.display());
    }
    Ok(if rows.iter().all(|r| r.status.is_ok()) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
