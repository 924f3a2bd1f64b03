//! Writes a commit's tree into a work tree, file by file, tolerating objects
//! the repository does not have.
//!
//! libgit2's checkout stops at the first missing blob, and partial clones
//! and stored snapshots leave out large blobs (archives, model weights,
//! vendored binaries) that the analysis never reads. Here every file that
//! can be written is written, and each one that cannot is returned as an
//! [`Omission`] with its reason, so a repository with a missing 40 MB zip is
//! still analysed, and the record says what is absent.
//!
//! The tree comes from an untrusted repository: entry names that would
//! escape the work tree (`..`, `.git`, names with separators) and symbolic
//! links pointing outside it are never written.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A path of the commit's tree that is not in the work tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Omission {
    pub path: String,
    /// The blob's size when the repository knows it; a blob absent from the
    /// object database has no known size.
    pub size: Option<u64>,
    pub reason: String,
}

pub const ABSENT: &str = "blob absent from the source repository";

/// Writes every file of `commit`'s tree under `workdir` and returns what it
/// could not write. Errors only when the commit or a tree is unreadable:
/// without a tree there is nothing to check out.
pub fn checkout_tolerant(repo: &git2::Repository, commit: git2::Oid, workdir: &Path) -> Result<Vec<Omission>, git2::Error> {
    let tree = repo.find_commit(commit)?.tree()?;
    let mut omitted = Vec::new();
    write_tree(repo, &tree, workdir, "", &mut omitted)?;
    Ok(omitted)
}

fn write_tree(repo: &git2::Repository, tree: &git2::Tree, dir: &Path, prefix: &str, omitted: &mut Vec<Omission>) -> Result<(), git2::Error> {
    std::fs::create_dir_all(dir).map_err(io_error)?;
    for entry in tree.iter() {
        let name = String::from_utf8_lossy(entry.name_bytes()).into_owned();
        let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        if !safe_name(&name) {
            omitted.push(Omission { path: rel, size: None, reason: "unsafe name".into() });
            continue;
        }
        let dest = dir.join(&name);
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                let sub = repo.find_tree(entry.id())?;
                write_tree(repo, &sub, &dest, &rel, omitted)?;
            }
            Some(git2::ObjectType::Blob) => {
                if let Some(o) = write_blob(repo, &entry, &dest, &rel) {
                    omitted.push(o);
                }
            }
            // A submodule: git leaves an empty folder where its work tree goes.
            Some(git2::ObjectType::Commit) => std::fs::create_dir_all(&dest).map_err(io_error)?,
            _ => omitted.push(Omission { path: rel, size: None, reason: "unknown tree entry".into() }),
        }
    }
    Ok(())
}

fn write_blob(repo: &git2::Repository, entry: &git2::TreeEntry, dest: &Path, rel: &str) -> Option<Omission> {
    let omission = |size: Option<u64>, reason: String| Some(Omission { path: rel.to_string(), size, reason });
    let blob = match repo.find_blob(entry.id()) {
        Ok(b) => b,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return omission(None, ABSENT.into()),
        Err(e) => return omission(None, format!("unreadable blob: {}", e.message())),
    };
    let size = Some(blob.size() as u64);
    if entry.filemode() == i32::from(git2::FileMode::Link) {
        let target = String::from_utf8_lossy(blob.content()).into_owned();
        if !link_stays_inside(&target, rel) {
            return omission(size, format!("symbolic link out of the repository ({target})"));
        }
        return match std::os::unix::fs::symlink(&target, dest) {
            Ok(()) => None,
            Err(e) => omission(size, format!("cannot create link: {e}")),
        };
    }
    if let Err(e) = std::fs::write(dest, blob.content()) {
        return omission(size, format!("cannot write: {e}"));
    }
    if entry.filemode() == i32::from(git2::FileMode::BlobExecutable) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o755));
    }
    None
}

/// A tree entry name that names one file inside its folder.
fn safe_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.eq_ignore_ascii_case(".git") && !name.contains(['/', '\\', '\0'])
}

/// Whether a link at `rel` pointing at `target` stays
/// inside the work tree, judged on the path's text: nothing on disk is
/// followed.
fn link_stays_inside(target: &str, rel: &str) -> bool {
    if Path::new(target).is_absolute() {
        return false;
    }
    let mut depth: i64 = rel.matches('/').count() as i64;
    for c in PathBuf::from(target).components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => depth -= 1,
            Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

fn io_error(e: std::io::Error) -> git2::Error {
    git2::Error::from_str(&e.to_string())
}

/// Reads the per-repository list of omissions written next to a fetched
/// repository (`CACHE/<id>.omitted.csv`); none when the file is absent.
pub fn read_omissions(path: &Path) -> anyhow::Result<Vec<Omission>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    super::csv_rows::read(path)
}

/// Where the omissions of the repository fetched into `repo_dir` are listed.
pub fn omissions_file(repo_dir: &Path) -> PathBuf {
    let name = repo_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    repo_dir.with_file_name(format!("{name}.omitted.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_judged_on_their_text() {
        assert!(link_stays_inside("b.py", "a/l"));
        assert!(link_stays_inside("../b.py", "a/l"));
        assert!(!link_stays_inside("../../b.py", "a/l"));
        assert!(!link_stays_inside("/etc/passwd", "l"));
        assert!(!link_stays_inside("a/../../x", "l"));
    }

    #[test]
    fn names_that_leave_their_folder_are_unsafe() {
        for bad in ["", ".", "..", ".git", ".GIT", "a/b", "a\\b"] {
            assert!(!safe_name(bad), "{bad:?}");
        }
        assert!(safe_name(".github") && safe_name("handler.py"));
    }
}
