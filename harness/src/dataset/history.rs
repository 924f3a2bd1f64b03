//! What a repository's history tells without the GitHub API: the commit a
//! branch pointed at on a given day, and when the history starts and ends.

use git2::{Oid, Repository, Sort};

/// The commit the first-parent chain of `tip` had reached before `before`
/// (Unix time): the first one, walking back from `tip`, committed earlier.
/// Following first parents keeps to the branch itself, so a commit merged
/// in later but written earlier does not count.
pub fn last_before(repo: &Repository, tip: Oid, before: i64) -> Result<Option<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    walk.simplify_first_parent()?;
    for oid in walk {
        let oid = oid?;
        if repo.find_commit(oid)?.committer().when().seconds() < before {
            return Ok(Some(oid));
        }
    }
    Ok(None)
}

/// The earliest author time and the latest committer time over every
/// branch and tag: stand-ins for GitHub's `created_at` and `pushed_at`.
pub fn span(repo: &Repository) -> Result<Option<(i64, i64)>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::NONE)?;
    for glob in ["refs/heads/*", "refs/remotes/*", "refs/tags/*"] {
        walk.push_glob(glob)?;
    }
    if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
        walk.push(head.id())?;
    }
    let mut span: Option<(i64, i64)> = None;
    for oid in walk {
        let c = repo.find_commit(oid?)?;
        let (first, last) = (c.author().when().seconds(), c.committer().when().seconds());
        span = Some(match span {
            None => (first, last),
            Some((a, b)) => (a.min(first), b.max(last)),
        });
    }
    Ok(span)
}
