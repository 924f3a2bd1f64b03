//! `harness fetch --manifest FILE --cache DIR [--jobs N]` clones
//! repositories; `harness fetch --zenodo RECORD` / `--url URL` downloads and
//! unpacks a dataset archive.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::dataset::archive::{self, Checksum, UnpackLimits};
use crate::dataset::fetch::{self, FetchOptions, Status};
use crate::dataset::manifest::CommitColumn;
use crate::dataset::{dates, manifest, progress::Progress};

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
    /// Write the fetched commits into the manifest's empty cells of
    /// --commit-column (and empty created_at/pushed_at from the history).
    #[arg(long)]
    pub pin: bool,
    /// Folder of local git snapshots (OWNER+NAME/repo, OWNER/NAME.git, ...):
    /// a repository found there is cloned from it, any other from its URL.
    #[arg(long)]
    pub mirror: Option<PathBuf>,
    /// The manifest column holding the pins: `commit` (the newest snapshot)
    /// or `commit_2022` (the last commit before 2022-09-01).
    #[arg(long, value_enum, default_value_t = CommitColumn::Commit)]
    pub commit_column: CommitColumn,
    /// For rows without a pin: the default branch's last commit before this
    /// day (YYYY-MM-DD, UTC) instead of its newest.
    #[arg(long)]
    pub before: Option<String>,
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
    let before = match &a.before {
        Some(day) => Some(dates::midnight(day).ok_or_else(|| anyhow::anyhow!("--before {day}: give a day as YYYY-MM-DD"))?),
        None => None,
    };
    if let Some(m) = a.mirror.as_ref().filter(|m| !m.is_dir()) {
        bail!("--mirror {}: no such folder", m.display());
    }
    let opts = FetchOptions {
        jobs: a.jobs,
        max_bytes: a.max_mb * 1024 * 1024,
        retries: a.retries,
        submodules: a.submodules,
        mirror: a.mirror.clone(),
        column: a.commit_column,
        before,
        ..FetchOptions::default()
    };
    let progress = Progress::new(entries.len() as u64, "fetch");
    let start = std::time::Instant::now();
    let rows = fetch::fetch_all(&entries, &a.cache, &opts, &progress)?;
    let counts: Vec<String> = Status::ALL
        .iter()
        .map(|&s| (s, rows.iter().filter(|r| r.status == s).count()))
        .filter(|&(s, n)| n > 0 || s.is_ok())
        .map(|(s, n)| format!("{n} {}", s.name()))
        .collect();
    let with_omissions = rows.iter().filter(|r| r.status.is_ok() && r.omitted > 0).count();
    let omitted: usize = rows.iter().map(|r| r.omitted).sum();
    println!(
        "{} repositories in {:.1}s: {}; {with_omissions} with omissions ({omitted} files not written, listed in CACHE/<id>.omitted.csv); log: {}",
        rows.len(),
        start.elapsed().as_secs_f64(),
        counts.join(", "),
        a.cache.join(fetch::LOG_FILE).display()
    );
    if a.pin {
        let n = fetch::pin(&mut entries, &rows, a.commit_column);
        manifest::write(path, &entries)?;
        println!("pinned {n} commits in {}", path.display());
    }
    Ok(if rows.iter().all(|r| r.status.is_ok()) { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
