//! The dataset manifest: one CSV row per repository.
//!
//! Columns (header required, order free, unknown columns ignored):
//! `id, owner, repo, url, commit, commit_2022, stars, forks, watchers,
//! language, created_at, pushed_at, archived`. `id` names the folder the
//! repository is fetched into (`OWNER_REPO` by default); `commit` pins the
//! revision (empty: record whatever HEAD was at fetch time); `commit_2022`
//! pins a second snapshot, the last commit before 2022-09-01, when the
//! AWSomePy dataset was collected (`fetch --commit-column commit_2022`). The
//! GitHub metadata columns are empty until `harness collect --manifest`
//! fills them from the API; `fetch --pin` fills `created_at` and `pushed_at`
//! from the history when they are empty.

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub repo: String,
    pub url: String,
    #[serde(default)]
    pub commit: String,
    #[serde(default)]
    pub commit_2022: String,
    #[serde(default)]
    pub stars: Option<u64>,
    #[serde(default)]
    pub forks: Option<u64>,
    #[serde(default)]
    pub watchers: Option<u64>,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub pushed_at: String,
    #[serde(default)]
    pub archived: Option<bool>,
}

impl Entry {
    /// A GitHub repository with empty commit and metadata.
    pub fn github(owner: &str, repo: &str) -> Entry {
        Entry {
            id: format!("{owner}_{repo}"),
            owner: owner.to_string(),
            repo: repo.to_string(),
            url: format!("https://github.com/{owner}/{repo}"),
            ..Entry::default()
        }
    }

    /// Parses `OWNER_REPO` (owners contain no underscore, repositories may).
    pub fn from_owner_repo(name: &str) -> Option<Entry> {
        let (owner, repo) = name.trim().split_once('_')?;
        (!owner.is_empty() && !repo.is_empty()).then(|| Entry::github(owner, repo))
    }

    /// The pin held in a commit column (`commit` or `commit_2022`).
    pub fn commit_in(&self, column: CommitColumn) -> &str {
        match column {
            CommitColumn::Commit => &self.commit,
            CommitColumn::Commit2022 => &self.commit_2022,
        }
    }

    pub fn commit_in_mut(&mut self, column: CommitColumn) -> &mut String {
        match column {
            CommitColumn::Commit => &mut self.commit,
            CommitColumn::Commit2022 => &mut self.commit_2022,
        }
    }

    /// The folder name under the fetch cache: `id`, or a safe name made of
    /// the URL's last two segments.
    pub fn folder(&self) -> String {
        let raw = if !self.id.is_empty() {
            self.id.clone()
        } else if !self.owner.is_empty() && !self.repo.is_empty() {
            format!("{}_{}", self.owner, self.repo)
        } else {
            let t = self.url.trim_end_matches('/').trim_end_matches(".git");
            let mut parts = t.rsplit(['/', '\\', ':']).filter(|s| !s.is_empty());
            let last = parts.next().unwrap_or("repo");
            match parts.next() {
                Some(prev) => format!("{prev}_{last}"),
                None => last.to_string(),
            }
        };
        sanitize(&raw)
    }
}

/// The manifest column a fetch takes its pins from and `--pin` writes to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CommitColumn {
    #[default]
    #[value(name = "commit")]
    Commit,
    #[value(name = "commit_2022")]
    Commit2022,
}

/// Keeps `[A-Za-z0-9._-]`, replaces the rest, never yields `.`/`..`/empty.
pub fn sanitize(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .collect();
    let out = out.trim_start_matches('.').to_string();
    if out.is_empty() { "_".to_string() } else { out }
}

pub fn read(path: &Path) -> Result<Vec<Entry>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read manifest {}", path.display()))?;
    let mut out = Vec::new();
    for (i, row) in rdr.deserialize::<Entry>().enumerate() {
        let mut e = row.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        if e.id.is_empty() {
            e.id = e.folder();
        }
        out.push(e);
    }
    Ok(out)
}

pub fn write(path: &Path, entries: &[Entry]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic::write_csv(path, entries)
}
