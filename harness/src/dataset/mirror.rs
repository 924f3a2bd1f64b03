//! Local git snapshots standing in for a repository's URL, like git's
//! `url.<base>.insteadOf`: `harness fetch --mirror DIR` clones a repository
//! from DIR when DIR holds it, and from its URL otherwise.
//!
//! A repository `OWNER/NAME` (from the manifest's `owner`/`repo`, else from
//! a `https://HOST/OWNER/NAME` URL) is looked up in these layouts, first
//! match wins; each may be a bare repository or a work tree's `.git`:
//!
//! * `DIR/OWNER+NAME/repo` (the snapshot store's layout)
//! * `DIR/OWNER+NAME`, `DIR/OWNER+NAME.git`
//! * `DIR/OWNER/NAME`, `DIR/OWNER/NAME.git`
//! * `DIR/OWNER_NAME` (the fetch cache's own layout, so one cache can seed
//!   another)

use std::path::{Path, PathBuf};

use super::manifest::Entry;

/// The git directory of `entry`'s snapshot under `dir`, if there is one.
pub fn find(dir: &Path, entry: &Entry) -> Option<PathBuf> {
    let (owner, name) = owner_name(entry)?;
    let plus = format!("{owner}+{name}");
    let candidates = [
        dir.join(&plus).join("repo"),
        dir.join(&plus),
        dir.join(format!("{plus}.git")),
        dir.join(&owner).join(&name),
        dir.join(&owner).join(format!("{name}.git")),
        dir.join(format!("{owner}_{name}")),
    ];
    candidates.into_iter().find_map(|c| git_dir(&c))
}

fn owner_name(entry: &Entry) -> Option<(String, String)> {
    if !entry.owner.is_empty() && !entry.repo.is_empty() {
        return Some((entry.owner.clone(), entry.repo.clone()));
    }
    let rest = entry.url.split_once("://")?.1;
    let mut parts = rest.trim_end_matches('/').trim_end_matches(".git").split('/').skip(1);
    let (owner, name) = (parts.next()?, parts.next()?);
    (parts.next().is_none() && !owner.is_empty() && !name.is_empty()).then(|| (owner.to_string(), name.to_string()))
}

/// `path` itself when it is a bare repository, `path/.git` when it is a work
/// tree; a folder is taken as a repository when it has `HEAD` and `objects`.
fn git_dir(path: &Path) -> Option<PathBuf> {
    let is_git = |p: &Path| p.join("HEAD").is_file() && p.join("objects").is_dir();
    if is_git(path) {
        return Some(path.to_path_buf());
    }
    let dot = path.join(".git");
    is_git(&dot).then_some(dot)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_at(p: &Path) {
        std::fs::create_dir_all(p.join("objects")).unwrap();
        std::fs::write(p.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    }

    #[test]
    fn finds_each_layout_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        repo_at(&d.join("a+one/repo"));
        repo_at(&d.join("b+two/repo/.git"));
        repo_at(&d.join("c/three.git"));
        let e = |owner: &str, repo: &str| Entry::github(owner, repo);
        assert_eq!(find(d, &e("a", "one")), Some(d.join("a+one/repo")));
        assert_eq!(find(d, &e("b", "two")), Some(d.join("b+two/repo/.git")));
        assert_eq!(find(d, &e("c", "three")), Some(d.join("c/three.git")));
        assert_eq!(find(d, &e("a", "other")), None);
        let by_url = Entry { url: "https://github.com/a/one.git".into(), ..Entry::default() };
        assert_eq!(find(d, &by_url), Some(d.join("a+one/repo")));
    }
}
