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
//!   exponential backoff; permanent ones are recorded by their cause (not
//!   found, authentication, too large, commit missing, object missing) and
//!   the run goes on.
//! * Tolerant of missing blobs: partial clones and stored snapshots lack
//!   large blobs; the work tree is written file by file
//!   ([`super::checkout`]), each absent file is listed in
//!   `CACHE/<id>.omitted.csv`, and the repository counts as fetched with
//!   omissions.
//! * Mirrors: with a mirror folder, a repository found there (local git
//!   snapshots, see [`super::mirror`]) is cloned from it, anything else from
//!   its URL.
//! * Logged: `CACHE/fetch-log.csv` gets one row per repository (source,
//!   commit, bytes, seconds, status, reason, files omitted, first and last
//!   commit dates).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::checkout::{self, Omission};
use super::manifest::{CommitColumn, Entry};
use super::progress::Progress;
use super::{dates, history, mirror};

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
    /// Folder of local git snapshots tried before each repository's URL.
    pub mirror: Option<PathBuf>,
    /// Which manifest column holds the pins.
    pub column: CommitColumn,
    /// For entries without a pin: check out the last commit of the default
    /// branch before this Unix time instead of its newest.
    pub before: Option<i64>,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            jobs: 4,
            max_bytes: 2 * 1024 * 1024 * 1024,
            retries: 3,
            backoff: Duration::from_secs(2),
            submodules: false,
            mirror: None,
            column: CommitColumn::Commit,
            before: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Cloned in this run (files the source lacks are counted in `omitted`).
    Fetched,
    /// Already in the cache from an earlier run.
    Cached,
    /// No repository at that address (deleted, renamed without redirect,
    /// or private and answered as absent).
    NotFound,
    /// The server asks for credentials or refuses them.
    Auth,
    /// The server could not be reached or the connection broke, after the
    /// retries.
    Network,
    /// The pinned commit (or, with a date, any commit before it) does not
    /// exist in the repository.
    CommitMissing,
    /// The commit is there but a tree it needs is not: nothing to check out.
    ObjectMissing,
    /// Transfer larger than the size cap.
    TooLarge,
    /// Any other error.
    Failed,
}

impl Status {
    pub fn is_ok(self) -> bool {
        matches!(self, Status::Fetched | Status::Cached)
    }

    pub const ALL: [Status; 9] = [
        Status::Fetched,
        Status::Cached,
        Status::NotFound,
        Status::Auth,
        Status::Network,
        Status::CommitMissing,
        Status::ObjectMissing,
        Status::TooLarge,
        Status::Failed,
    ];

    /// The name written in the log (kebab-case, as serde writes it).
    pub fn name(self) -> &'static str {
        match self {
            Status::Fetched => "fetched",
            Status::Cached => "cached",
            Status::NotFound => "not-found",
            Status::Auth => "auth",
            Status::Network => "network",
            Status::CommitMissing => "commit-missing",
            Status::ObjectMissing => "object-missing",
            Status::TooLarge => "too-large",
            Status::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogRow {
    pub id: String,
    pub url: String,
    /// Where it was cloned from: the URL, or the mirror's folder.
    #[serde(default)]
    pub source: String,
    pub commit: String,
    pub status: Status,
    pub reason: String,
    pub bytes: u64,
    pub seconds: f64,
    pub attempts: u32,
    /// Files of the commit not written (listed in `CACHE/<id>.omitted.csv`).
    #[serde(default)]
    pub omitted: usize,
    /// Earliest author date and latest commit date of the history (ISO 8601).
    #[serde(default)]
    pub first_commit_at: String,
    #[serde(default)]
    pub last_commit_at: String,
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
                let line = format!("{} {}{}", row.id, row.status.name(), if row.reason.is_empty() { String::new() } else { format!(": {}", row.reason) });
                if row.status.is_ok() { progress.finish_item(&line) } else { progress.println(&line); progress.finish_item(&row.id) }
                row
            })
            .collect()
    });
    progress.finish();
    let _ = std::fs::remove_dir_all(&partial);
    super::csv_rows::write(&cache.join(LOG_FILE), &rows)?;
    Ok(rows)
}

pub fn read_log(path: &Path) -> Result<Vec<LogRow>> {
    super::csv_rows::read(path)
}

/// Fetches one repository into `cache/<id>` (see the module docs).
pub fn fetch_one(entry: &Entry, cache: &Path, opts: &FetchOptions) -> LogRow {
    let id = entry.folder();
    let start = Instant::now();
    let source = opts.mirror.as_deref().and_then(|m| mirror::find(m, entry));
    let mut row = LogRow {
        id: id.clone(),
        url: entry.url.clone(),
        source: source.as_ref().map_or_else(|| entry.url.clone(), |p| p.display().to_string()),
        commit: entry.commit_in(opts.column).to_string(),
        status: Status::Failed,
        reason: String::new(),
        bytes: 0,
        seconds: 0.0,
        attempts: 0,
        omitted: 0,
        first_commit_at: String::new(),
        last_commit_at: String::new(),
    };
    let target = cache.join(&id);
    let note = checkout::omissions_file(&target);
    if target.exists() {
        row.status = Status::Cached;
        if let Ok(repo) = git2::Repository::open(&target) {
            if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
                row.commit = head.id().to_string();
            }
            record_span(&repo, &mut row);
        }
        row.omitted = checkout::read_omissions(&note).map(|o| o.len()).unwrap_or(0);
        row.bytes = dir_size(&target);
        return row;
    }
    let tmp = cache.join(PARTIAL_DIR).join(&id);
    let url = match &source {
        Some(dir) => dir.display().to_string(),
        None => remote_url(&entry.url),
    };
    let pin = entry.commit_in(opts.column).trim();
    let mut delay = opts.backoff;
    loop {
        row.attempts += 1;
        let _ = std::fs::remove_dir_all(&tmp);
        match clone_at(&url, source.is_some(), pin, &tmp, opts, &mut row) {
            Ok(omitted) => {
                row.omitted = omitted.len();
                let placed = if omitted.is_empty() {
                    let _ = std::fs::remove_file(&note);
                    Ok(())
                } else {
                    row.reason = omission_summary(&omitted);
                    super::csv_rows::write(&note, &omitted).map_err(|e| e.to_string())
                }
                .and_then(|()| std::fs::rename(&tmp, &target).map_err(|e| e.to_string()));
                match placed {
                    Ok(()) => row.status = Status::Fetched,
                    Err(e) => row.reason = format!("cannot move clone into place: {e}"),
                }
                break;
            }
            Err(err) => {
                let _ = std::fs::remove_dir_all(&tmp);
                row.status = err.status;
                row.reason = err.reason;
                if !err.transient || row.attempts > opts.retries {
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

fn omission_summary(omitted: &[Omission]) -> String {
    let absent = omitted.iter().filter(|o| o.reason == checkout::ABSENT).count();
    let first: Vec<&str> = omitted.iter().take(3).map(|o| o.path.as_str()).collect();
    let more = if omitted.len() > 3 { format!(", +{} more", omitted.len() - 3) } else { String::new() };
    format!("{} file(s) not written ({absent} absent from the source): {}{more}", omitted.len(), first.join(", "))
}

fn record_span(repo: &git2::Repository, row: &mut LogRow) {
    if let Ok(Some((first, last))) = history::span(repo) {
        row.first_commit_at = dates::iso_utc(first);
        row.last_commit_at = dates::iso_utc(last);
    }
}

#[derive(Debug)]
struct CloneError {
    status: Status,
    reason: String,
    transient: bool,
}

impl CloneError {
    fn new(status: Status, reason: impl Into<String>) -> CloneError {
        CloneError { status, reason: reason.into(), transient: false }
    }
}

/// Names the cause of a failed clone or fetch. libgit2 reports most causes
/// only in its message, so the message is read after the error code.
fn classify(e: &git2::Error, too_large: bool, cap: u64) -> CloneError {
    if too_large {
        return CloneError::new(Status::TooLarge, format!("transfer larger than {cap} bytes"));
    }
    let msg = e.message().to_string();
    let low = msg.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| low.contains(w));
    if e.class() == git2::ErrorClass::Odb || has(&["object not found", "missing object"]) {
        return CloneError::new(Status::ObjectMissing, format!("an object the clone needs is missing: {msg}"));
    }
    if e.code() == git2::ErrorCode::Auth || has(&["401", "403", "authentication", "credentials"]) {
        return CloneError::new(Status::Auth, format!("the server wants credentials: {msg}"));
    }
    if e.code() == git2::ErrorCode::NotFound
        || has(&["not found", "404", "could not find repository", "failed to resolve path", "not a git repository"])
    {
        return CloneError::new(Status::NotFound, format!("no repository there (deleted, renamed or private): {msg}"));
    }
    let network = matches!(e.class(), git2::ErrorClass::Net | git2::ErrorClass::Http | git2::ErrorClass::Ssl)
        || has(&["timed out", "connection", "resolve host", "failed to connect", "network", " 50", " 502", " 503"]);
    if network {
        return CloneError { status: Status::Network, reason: msg, transient: true };
    }
    CloneError { status: Status::Failed, reason: msg, transient: e.class() == git2::ErrorClass::Os }
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

/// Clones `url` into `dir` without libgit2's checkout, picks the commit
/// (the pin, the last one before `opts.before`, or HEAD), and writes its
/// tree tolerating absent blobs. A local source (a mirror) is copied with
/// its object files hard-linked where the file system allows.
fn clone_at(url: &str, local: bool, pin: &str, dir: &Path, opts: &FetchOptions, row: &mut LogRow) -> Result<Vec<Omission>, CloneError> {
    let too_large = AtomicBool::new(false);
    let received = std::sync::atomic::AtomicU64::new(0);
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
        let mut no_checkout = git2::build::CheckoutBuilder::new();
        no_checkout.dry_run();
        let mut builder = git2::build::RepoBuilder::new();
        builder.fetch_options(fo).with_checkout(no_checkout);
        if local {
            builder.clone_local(git2::build::CloneLocal::Local);
        }
        builder.clone(url, dir).map_err(|e| classify(&e, too_large.load(Ordering::Relaxed), opts.max_bytes))?
    };
    let oid = if !pin.is_empty() {
        find_pinned(&repo, pin, opts)?
    } else {
        let head = repo
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| CloneError::new(Status::CommitMissing, format!("no HEAD commit: {}", e.message())))?;
        match opts.before {
            None => head.id(),
            Some(t) => history::last_before(&repo, head.id(), t)
                .map_err(|e| classify(&e, false, opts.max_bytes))?
                .ok_or_else(|| CloneError::new(Status::CommitMissing, format!("no commit before {}", dates::iso_utc(t))))?,
        }
    };
    row.commit = oid.to_string();
    record_span(&repo, row);
    repo.set_head_detached(oid).map_err(|e| CloneError::new(Status::CommitMissing, e.message()))?;
    let workdir = repo.workdir().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
    let omitted = checkout::checkout_tolerant(&repo, oid, &workdir).map_err(|e| classify(&e, false, opts.max_bytes))?;
    // The index lists the commit's files, so `git status` in the cache shows
    // an omitted file as deleted rather than the whole tree as untracked.
    let tree = repo.find_commit(oid).and_then(|c| c.tree()).map_err(|e| classify(&e, false, opts.max_bytes))?;
    repo.index()
        .and_then(|mut idx| {
            idx.read_tree(&tree)?;
            idx.write()
        })
        .map_err(|e| CloneError::new(Status::Failed, format!("cannot write the index: {}", e.message())))?;
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
    row.bytes = bytes;
    if bytes > opts.max_bytes {
        return Err(CloneError::new(Status::TooLarge, format!("{bytes} bytes, more than the {} allowed", opts.max_bytes)));
    }
    Ok(omitted)
}

fn find_pinned(repo: &git2::Repository, commit: &str, opts: &FetchOptions) -> Result<git2::Oid, CloneError> {
    let find = |repo: &git2::Repository| repo.revparse_single(commit).and_then(|o| o.peel_to_commit()).map(|c| c.id());
    if let Ok(oid) = find(repo) {
        return Ok(oid);
    }
    // Not on a branch or tag: ask the server for the object itself.
    let mut remote = repo.find_remote("origin").map_err(|e| CloneError::new(Status::CommitMissing, e.message()))?;
    let mut fo = git2::FetchOptions::new();
    let mut cb = git2::RemoteCallbacks::new();
    cb.transfer_progress(|p| (p.received_bytes() as u64) <= opts.max_bytes);
    fo.remote_callbacks(cb);
    let _ = remote.fetch(&[commit], Some(&mut fo), None);
    find(repo).map_err(|_| CloneError::new(Status::CommitMissing, format!("commit {commit} not found")))
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

/// Writes the fetched commits back into manifest entries whose commit (in
/// `column`) was empty, so a later run reproduces the same revisions, and
/// fills empty `created_at`/`pushed_at` from the history's first and last
/// commit dates. Returns the number of commits written.
pub fn pin(entries: &mut [Entry], rows: &[LogRow], column: CommitColumn) -> usize {
    let mut n = 0;
    for e in entries.iter_mut() {
        let Some(r) = rows.iter().find(|r| r.id == e.folder() && r.status.is_ok()) else { continue };
        if e.created_at.is_empty() {
            e.created_at = r.first_commit_at.clone();
        }
        if e.pushed_at.is_empty() {
            e.pushed_at = r.last_commit_at.clone();
        }
        let cell = e.commit_in_mut(column);
        if cell.is_empty() && !r.commit.is_empty() {
            *cell = r.commit.clone();
            n += 1;
        }
    }
    n
}

pub fn target_dir(cache: &Path, entry: &Entry) -> PathBuf {
    cache.join(entry.folder())
}
