//! `harness fetch --manifest`: clones every repository of a manifest at its
//! pinned commit into `CACHE/<id>/`.
//!
//! * Resumable: a repository is cloned into `CACHE/.partial/<id>` and renamed
//!   to `CACHE/<id>` only when complete, so an existing `CACHE/<id>` is never
//!   fetched again, and whatever a killed run left in `.partial` is removed
//!   at the start of the next run.
//! * Safe: libgit2 never runs hooks; submodules are not fetched unless asked;
//!   a size cap aborts a transfer that grows past it (and refuses a clone
//!   larger than it on disk, for local transports that report no progress).
//! * Robust: transient errors (network, 5xx, timeouts) are retried with
//!   exponential backoff; permanent ones (gone, private, commit missing, too
//!   large) are recorded with a reason and the run goes on.
//! * Logged: `CACHE/fetch-log.csv` gets one row per repository (commit,
//!   bytes, seconds, status, reason).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::manifest::Entry;
use super::progress::Progress;

pub const LOG_FILE: &str = "fetch-log.csv";
pub const PARTIAL_DIR: &str = ".partial";

#[derive(Clone, Debug)]
pub struct FetchOptions {
    pub jobs: usize,
    /// Abort a clone whose transfer exceeds this many bytes.
    pub max_bytes: u64,
    pub retries: u32,
    /// First backoff delay; doubled at each retry.
    pub backoff: Duration,
    pub submodules: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            jobs: 4,
            max_bytes: 2 * 1024 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_secs(2),
            submodules: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Cloned in this run.
    Fetched,
    /// Already in the cache from an earlier run.
    Cached,
    /// Repository not found, private, or needs credentials.
    Gone,
    /// The pinned commit does not exist in the repository.
    CommitMissing,
    /// Transfer larger than the size cap.
    TooLarge,
    /// Still failing after the retries.
    Failed,
}

impl Status {
    pub fn is_ok(self) -> bool {
        matches!(self, Status::Fetched | Status::Cached)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogRow {
    pub id: String,
    pub url: String,
    pub commit: String,
    pub status: Status,
    pub reason: String,
    pub bytes: u64,
    pub seconds: f64,
    pub attempts: u32,
}

/// Fetches every entry; never stops on one repository's error.
pub fn fetch_all(entries: &[Entry], cache: &Path, opts: &FetchOptions, progress: &Progress) -> Result<Vec<LogRow>> {
    std::fs::create_dir_all(cache).with_context(|| format!("cannot create cache {}", cache.display()))?;
    let partial = cache.join(PARTIAL_DIR);
    if partial.exists() {
        // Left over by a killed run: never trust a half-written clone.
        std::fs::remove_dir_all(&partial).with_context(|| format!("cannot clean {}", partial.display()))?;
    }
    std::fs::create_dir_all(&partial)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.jobs.max(1)).build()?;
    let rows: Vec<LogRow> = pool.install(|| {
        entries
            .par_iter()
            .map(|e| {
                let row = fetch_one(e, cache, opts);
                let line = format!("{} {:?}{}", row.id, row.status, if row.reason.is_empty() { String::new() } else { format!(": {}", row.reason) });
                if row.status.is_ok() { progress.finish_item(&line) } else { progress.println(&line); progress.finish_item(&row.id) }
                row
            })
            .collect()
    });
    progress.finish();
    let _ = std::fs::remove_dir_all(&partial);
    write_log(&cache.join(LOG_FILE), &rows)?;
    Ok(rows)
}

pub fn write_log(path: &Path, rows: &[LogRow]) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    for r in rows {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

pub fn read_log(path: &Path) -> Result<Vec<LogRow>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(rdr.deserialize().collect::<Result<Vec<LogRow>, _>>()?)
}

/// Fetches one repository into `cache/<id>` (see the module docs).
pub fn fetch_one(entry: &Entry, cache: &Path, opts: &FetchOptions) -> LogRow {
    let id = entry.folder();
    let start = Instant::now();
    let mut row = LogRow {
        id: id.clone(),
        url: entry.url.clone(),
        commit: entry.commit.clone(),
        status: Status::Failed,
        reason: String::new(),
        bytes: 0,
        seconds: 0.0,
        attempts: 0,
    };
    let target = cache.join(&id);
    if target.exists() {
        row.status = Status::Cached;
        if let Ok(repo) = git2::Repository::open(&target) {
            if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
                row.commit = head.id().to_string();
            }
        }
        row.bytes = dir_size(&target);
        return row;
    }
    let tmp = cache.join(PARTIAL_DIR).join(&id);
    let mut delay = opts.backoff;
    loop {
        row.attempts += 1;
        let _ = std::fs::remove_dir_all(&tmp);
        match clone_at(entry, &tmp, opts) {
            Ok((commit, bytes)) => match std::fs::rename(&tmp, &target) {
                Ok(()) => {
                    row.status = Status::Fetched;
                    row.commit = commit;
                    row.bytes = bytes;
                    break;
                }
                Err(e) => {
                    row.reason = format!("cannot move clone into place: {e}");
                    break;
                }
            },
            Err(err) => {
                let _ = std::fs::remove_dir_all(&tmp);
                row.status = err.status;
                row.reason = err.reason;
                if err.status != Status::Failed || !err.transient || row.attempts > opts.retries {
                    break;
                }
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2);
            }
        }
    }
    row.seconds = start.elapsed().as_secs_f64();
    row
}

struct CloneError {
    status: Status,
    reason: String,
    transient: bool,
}

fn classify(e: &git2::Error, too_large: bool, cap: u64) -> CloneError {
    if too_large {
        return CloneError { status: Status::TooLarge, reason: format!("transfer larger than {cap} bytes"), transient: false };
    }
    let msg = e.message().to_string();
    let low = msg.to_lowercase();
    let gone = e.code() == git2::ErrorCode::NotFound
        || e.code() == git2::ErrorCode::Auth
        || low.contains("not found")
        || low.contains("404")
        || low.contains("401")
        || low.contains("403")
        || low.contains("authentication")
        || low.contains("could not find repository")
        || low.contains("failed to resolve path");
    if gone {
        return CloneError { status: Status::Gone, reason: format!("repository gone, private or renamed: {msg}"), transient: false };
    }
    let transient = matches!(e.class(), git2::ErrorClass::Net | git2::ErrorClass::Http | git2::ErrorClass::Os | git2::ErrorClass::Ssl)
        || low.contains("timed out")
        || low.contains("connection")
        || low.contains(" 5");
    CloneError { status: Status::Failed, reason: msg, transient }
}

/// URL for libgit2: local paths become `file://` URLs.
fn remote_url(url: &str) -> String {
    if url.contains("://") || url.starts_with("git@") {
        url.to_string()
    } else {
        let p = Path::new(url);
        let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()) };
        format!("file://{}", abs.display())
    }
}

fn clone_at(entry: &Entry, dir: &Path, opts: &FetchOptions) -> Result<(String, u64), CloneError> {
    let too_large = AtomicBool::new(false);
    let received = std::sync::atomic::AtomicU64::new(0);
    let url = remote_url(&entry.url);
    let repo = {
        let mut cb = git2::RemoteCallbacks::new();
        cb.transfer_progress(|p| {
            received.store(p.received_bytes() as u64, Ordering::Relaxed);
            if p.received_bytes() as u64 > opts.max_bytes {
                too_large.store(true, Ordering::Relaxed);
                return false;
            }
            true
        });
        let mut fo = git2::FetchOptions::new();
        fo.remote_callbacks(cb);
        fo.follow_redirects(git2::RemoteRedirect::All);
        fo.download_tags(git2::AutotagOption::All);
        let mut builder = git2::build::RepoBuilder::new();
        builder.fetch_options(fo);
        builder.clone(&url, dir).map_err(|e| classify(&e, too_large.load(Ordering::Relaxed), opts.max_bytes))?
    };
    let commit = if entry.commit.trim().is_empty() {
        let head = repo.head().and_then(|h| h.peel_to_commit()).map_err(|e| CloneError {
            status: Status::Failed,
            reason: format!("no HEAD commit: {}", e.message()),
            transient: false,
        })?;
        head.id().to_string()
    } else {
        checkout_pinned(&repo, entry.commit.trim(), opts)?
    };
    if opts.submodules {
        if let Ok(subs) = repo.submodules() {
            for mut s in subs {
                let _ = s.update(true, None);
            }
        }
    }
    // Local transports copy objects without progress callbacks: the cap also
    // applies to the clone's size on disk.
    let bytes = dir_size(dir).max(received.load(Ordering::Relaxed));
    if bytes > opts.max_bytes {
        return Err(CloneError { status: Status::TooLarge, reason: format!("{bytes} bytes, more than the {} allowed", opts.max_bytes), transient: false });
    }
    Ok((commit, bytes))
}

fn checkout_pinned(repo: &git2::Repository, commit: &str, opts: &FetchOptions) -> Result<String, CloneError> {
    let missing = |why: String| CloneError { status: Status::CommitMissing, reason: why, transient: false };
    let find = |repo: &git2::Repository| repo.revparse_single(commit).and_then(|o| o.peel_to_commit()).map(|c| c.id());
    let oid = match find(repo) {
        Ok(oid) => oid,
        Err(_) => {
            // Not on a branch or tag: ask the server for the object itself.
            let mut remote = repo.find_remote("origin").map_err(|e| missing(e.message().to_string()))?;
            let mut fo = git2::FetchOptions::new();
            let mut cb = git2::RemoteCallbacks::new();
            cb.transfer_progress(|p| (p.received_bytes() as u64) <= opts.max_bytes);
            fo.remote_callbacks(cb);
            let _ = remote.fetch(&[commit], Some(&mut fo), None);
            find(repo).map_err(|_| missing(format!("commit {commit} not found")))?
        }
    };
    repo.set_head_detached(oid).map_err(|e| missing(e.message().to_string()))?;
    let mut co = git2::build::CheckoutBuilder::new();
    co.force().remove_untracked(true);
    repo.checkout_head(Some(&mut co)).map_err(|e| CloneError {
        status: Status::Failed,
        reason: format!("checkout failed: {}", e.message()),
        transient: false,
    })?;
    Ok(oid.to_string())
}

pub fn dir_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Writes the fetched commits back into manifest entries whose commit was
/// empty, so a later run reproduces the same revisions.
pub fn pin(entries: &mut [Entry], rows: &[LogRow]) -> usize {
    let mut n = 0;
    for e in entries.iter_mut() {
        if !e.commit.is_empty() {
            continue;
        }
        if let Some(r) = rows.iter().find(|r| r.id == e.folder() && r.status.is_ok() && !r.commit.is_empty()) {
            e.commit = r.commit.clone();
            n += 1;
        }
    }
    n
}

pub fn target_dir(cache: &Path, entry: &Entry) -> PathBuf {
    cache.join(entry.folder())
}
