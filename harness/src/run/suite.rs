//! The suite a bench runs on: a folder, or a git repository pinned at a
//! revision (`URL@REV`, fetched with git2 into a cache), with an optional
//! overlay of label files (`--labels DIR` holding `<case-name>.toml`).
//!
//! A case is the first folder (walking down from the root) that holds an
//! `expected.toml`, has an overlay label, or holds a deployment file
//! (`serverless.yml`/`.yaml`, SAM `template.yaml`/`.yml`). The overlay label
//! wins over the folder's own. A case with no label is *unlabelled*: tools
//! run on it and its findings are counted, but it is not scored.

use crate::suite::discover::Case;
use crate::suite::labels::read_label;
use anyhow::{anyhow, bail, Context, Result};
use std::path::{Path, PathBuf};

/// A folder analysed as one application.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// Relative to the suite root, `/`-separated.
    pub rel: String,
    pub dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Suite {
    pub root: PathBuf,
    /// The name written in summaries (the folder name, or `repo@rev`).
    pub name: String,
    /// Labelled cases (a label that cannot be read is an error of its case).
    pub cases: Vec<Case>,
    /// Case folders without a label: reported, not scored.
    pub unlabelled: Vec<Target>,
}

impl Suite {
    /// Every case folder, labelled first, as run targets.
    pub fn targets(&self) -> Vec<Target> {
        self.cases
            .iter()
            .map(|c| Target { name: c.name.clone(), rel: c.rel.clone(), dir: c.dir.clone() })
            .chain(self.unlabelled.iter().cloned())
            .collect()
    }

    /// Keeps the cases whose name or folder contains one of `filters` (none: all).
    pub fn filter(&mut self, filters: &[String]) {
        if filters.is_empty() {
            return;
        }
        let keep = |name: &str, rel: &str| filters.iter().any(|f| name.contains(f.as_str()) || rel.contains(f.as_str()));
        self.cases.retain(|c| keep(&c.name, &c.rel));
        self.unlabelled.retain(|t| keep(&t.name, &t.rel));
    }
}

const DEPLOYMENT_FILES: [&str; 4] = ["serverless.yml", "serverless.yaml", "template.yaml", "template.yml"];

fn skipped(name: &str) -> bool {
    matches!(name, ".git" | "node_modules" | "target" | "__pycache__" | ".serverless" | ".aws-sam" | ".venv" | "venv")
}

/// Loads the suite at `root` with an optional label overlay.
pub fn load(root: &Path, labels: Option<&Path>, name: Option<String>) -> Result<Suite> {
    if !root.is_dir() {
        bail!("{}: not a folder", root.display());
    }
    if let Some(l) = labels {
        if !l.is_dir() {
            bail!("{}: labels: not a folder", l.display());
        }
    }
    let mut suite = Suite {
        root: root.to_path_buf(),
        name: name.unwrap_or_else(|| display_name(root)),
        cases: vec![],
        unlabelled: vec![],
    };
    let mut walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_dir() {
            continue;
        }
        if entry.depth() > 0 && skipped(&entry.file_name().to_string_lossy()) {
            walker.skip_current_dir();
            continue;
        }
        let dir = entry.path();
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| root.display().to_string());
        let rel = dir.strip_prefix(root).unwrap_or(dir).to_string_lossy().replace('\\', "/");
        let overlay = labels.map(|l| l.join(format!("{name}.toml"))).filter(|p| p.is_file());
        let own = dir.join("expected.toml");
        let label_path = overlay.or_else(|| own.is_file().then_some(own));
        let deployed = DEPLOYMENT_FILES.iter().any(|f| dir.join(f).is_file());
        if let Some(p) = label_path {
            suite.cases.push(Case { dir: dir.to_path_buf(), rel, name, label: read_label(&p) });
        } else if deployed && entry.depth() > 0 {
            suite.unlabelled.push(Target { name, rel, dir: dir.to_path_buf() });
        } else if deployed {
            // The root itself is one application.
            suite.unlabelled.push(Target { name: name.clone(), rel: String::new(), dir: dir.to_path_buf() });
        } else {
            continue;
        }
        if entry.depth() > 0 {
            walker.skip_current_dir();
        } else {
            break;
        }
    }
    suite.cases.sort_by(|a, b| a.rel.cmp(&b.rel));
    suite.unlabelled.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(suite)
}

/// A `--suite` value that names a git repository: `URL@REV` where URL has a
/// scheme (`https://`, `file://`, ...) or is `git@host:path`, or ends in `.git`.
pub fn parse_git_spec(spec: &str) -> Option<(String, String)> {
    let looks_git = spec.contains("://") || spec.starts_with("git@") || spec.split('@').next().is_some_and(|u| u.ends_with(".git"));
    if !looks_git {
        return None;
    }
    match spec.rsplit_once('@') {
        Some((url, rev)) if !url.is_empty() && !rev.is_empty() && !rev.contains(['/', ':']) && url != "git" => {
            Some((url.to_string(), rev.to_string()))
        }
        _ => Some((spec.to_string(), "HEAD".to_string())),
    }
}

/// Resolves `--suite`: a folder as is, or a git repository fetched into
/// `cache` and checked out at the pinned revision. Returns the root and the
/// suite's display name.
pub fn resolve(spec: &str, cache: &Path) -> Result<(PathBuf, String)> {
    let Some((url, rev)) = parse_git_spec(spec) else {
        let p = PathBuf::from(spec);
        let name = display_name(&p);
        return Ok((p, name));
    };
    let (dir, commit) = fetch_git(&url, &rev, cache)?;
    let repo_name = url.trim_end_matches('/').trim_end_matches(".git").rsplit(['/', ':']).next().unwrap_or("suite").to_string();
    Ok((dir, format!("{repo_name}@{}", &commit[..commit.len().min(12)])))
}

/// Fetches `url` into `cache/<sanitised url>` and checks out `rev` (a commit,
/// tag or branch). A commit already present is used without the network.
pub fn fetch_git(url: &str, rev: &str, cache: &Path) -> Result<(PathBuf, String)> {
    let slug: String = url
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    let dir = cache.join(slug.trim_matches('_'));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let repo = match git2::Repository::open(&dir) {
        Ok(r) => r,
        Err(_) => git2::Repository::init(&dir).with_context(|| format!("git init {}", dir.display()))?,
    };
    let find = |repo: &git2::Repository| -> Option<git2::Oid> {
        let candidates = [rev.to_string(), format!("refs/remotes/origin/{rev}"), format!("refs/tags/{rev}")];
        candidates.iter().find_map(|c| repo.revparse_single(c).ok().and_then(|o| o.peel_to_commit().ok()).map(|c| c.id()))
    };
    let is_sha = rev.len() >= 7 && rev.chars().all(|c| c.is_ascii_hexdigit());
    let local = if is_sha { find(&repo) } else { None };
    let oid = match local {
        Some(oid) => oid,
        None => {
            let mut remote = repo.remote_anonymous(url).with_context(|| format!("git remote {url}"))?;
            let mut refspecs = vec!["+refs/heads/*:refs/remotes/origin/*".to_string(), "+refs/tags/*:refs/tags/*".to_string()];
            if rev == "HEAD" {
                refspecs.push("+HEAD:refs/remotes/origin/HEAD".to_string());
            }
            remote.fetch(&refspecs, None, None).with_context(|| format!("git fetch {url}"))?;
            let head = if rev == "HEAD" { "refs/remotes/origin/HEAD" } else { rev };
            let candidates = [head.to_string(), format!("refs/remotes/origin/{rev}"), format!("refs/tags/{rev}")];
            candidates
                .iter()
                .find_map(|c| repo.revparse_single(c).ok().and_then(|o| o.peel_to_commit().ok()).map(|c| c.id()))
                .ok_or_else(|| anyhow!("{url}: revision {rev} not found"))?
        }
    };
    let commit = repo.find_commit(oid)?;
    let mut co = git2::build::CheckoutBuilder::new();
    co.force().remove_untracked(true);
    repo.checkout_tree(commit.as_object(), Some(&mut co)).with_context(|| format!("checkout {rev}"))?;
    repo.set_head_detached(oid)?;
    Ok((dir, oid.to_string()))
}

/// A path's last component, or the path itself.
pub fn display_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_specs() {
        assert_eq!(parse_git_spec("microbenchmarks"), None);
        assert_eq!(parse_git_spec("https://h/o/r.git@abc123"), Some(("https://h/o/r.git".into(), "abc123".into())));
        assert_eq!(parse_git_spec("git@github.com:o/r.git@v1"), Some(("git@github.com:o/r.git".into(), "v1".into())));
        assert_eq!(parse_git_spec("git@github.com:o/r.git"), Some(("git@github.com:o/r.git".into(), "HEAD".into())));
        assert_eq!(parse_git_spec("file:///tmp/x"), Some(("file:///tmp/x".into(), "HEAD".into())));
    }

    #[test]
    fn overlay_and_unlabelled() {
        let t = tempfile::tempdir().unwrap();
        let label = |n: &str| {
            format!("schema = 1\nname = \"{n}\"\ncategory = \"application\"\ntarget_service = \"none\"\nservices = []\ndescription = \"d\"\n")
        };
        for c in ["a/one", "a/two", "b/three"] {
            let d = t.path().join(c);
            std::fs::create_dir_all(d.join("sub")).unwrap();
            std::fs::write(d.join("serverless.yml"), "service: x\n").unwrap();
            std::fs::write(d.join("sub/template.yaml"), "x: 1\n").unwrap();
        }
        std::fs::write(t.path().join("b/three/expected.toml"), label("three")).unwrap();
        let labels = t.path().join("labels");
        std::fs::create_dir_all(&labels).unwrap();
        std::fs::write(labels.join("one.toml"), label("one")).unwrap();
        let s = load(t.path(), Some(&labels), None).unwrap();
        let names: Vec<&str> = s.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["one", "three"]);
        assert!(s.cases.iter().all(|c| c.label.is_ok()));
        assert_eq!(s.unlabelled.iter().map(|u| u.rel.as_str()).collect::<Vec<_>>(), ["a/two"]);
        assert_eq!(s.targets().len(), 3);
        let mut f = s.clone();
        f.filter(&["thr".into()]);
        assert_eq!((f.cases.len(), f.unlabelled.len()), (1, 0));
    }
}
