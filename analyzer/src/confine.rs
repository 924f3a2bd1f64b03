//! Every file the analysis opens on an application's behalf stays inside
//! the application's repository.
//!
//! A deployment file can name other files: `${file(...)}`, `AWS::Include`
//! and `DefinitionUri` locations, `samconfig.toml`. An application folder is
//! untrusted input (a pull request, a repository from a crawl), and what the
//! analysis reads ends up in outputs people publish, so a name like
//! `${file(/etc/shadow)}` or `../../../../home/ci/.aws/credentials` must not
//! be read. The repository is the nearest enclosing folder with a `.git`,
//! else the folder that names the file; a name resolves inside it after `..`
//! and symbolic links are resolved, or it is refused.

use std::path::{Component, Path, PathBuf};

/// Files larger than this are not read: no deployment file or included
/// document is, and a hostile one must not exhaust memory.
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;

/// Why a named file was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The name leaves the repository (absolute, `..` past its root, or a
    /// link pointing out of it).
    Outside,
    NotFound,
    TooLarge(u64),
    Unreadable(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Outside => write!(f, "outside the repository, not read"),
            Refusal::NotFound => write!(f, "does not exist"),
            Refusal::TooLarge(n) => write!(f, "{n} bytes, more than the {MAX_BYTES} read"),
            Refusal::Unreadable(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// The folder reads must stay in: the nearest enclosing git repository of
/// `dir`, else `dir` itself.
pub fn repository_root(dir: &Path) -> PathBuf {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    start.ancestors().find(|a| a.join(".git").exists()).map(Path::to_path_buf).unwrap_or(start)
}

/// `name` relative to `dir`, when it lies inside `dir`'s repository.
pub fn resolve(dir: &Path, name: &str) -> Result<PathBuf, Refusal> {
    let root = repository_root(dir);
    let base = dir.canonicalize().map_err(|_| Refusal::NotFound)?;
    if Path::new(name).is_absolute() || !lexically_inside(&root, &base, name) {
        return Err(Refusal::Outside);
    }
    let path = base.join(name).canonicalize().map_err(|_| Refusal::NotFound)?;
    if !path.starts_with(&root) {
        return Err(Refusal::Outside);
    }
    Ok(path)
}

/// Reads `name` relative to `dir` as text, within the repository and the
/// size limit.
pub fn read_text(dir: &Path, name: &str) -> Result<String, Refusal> {
    let path = resolve(dir, name)?;
    let meta = std::fs::metadata(&path).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(Refusal::NotFound);
    }
    if meta.len() > MAX_BYTES {
        return Err(Refusal::TooLarge(meta.len()));
    }
    std::fs::read_to_string(&path).map_err(|e| Refusal::Unreadable(e.to_string()))
}

/// Whether `base/name` stays under `root` on the text of the path alone
/// (so that a missing file outside is still reported as outside).
fn lexically_inside(root: &Path, base: &Path, name: &str) -> bool {
    let mut parts: Vec<Component> = base.components().collect();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(_) => parts.push(c),
            Component::ParentDir => {
                parts.pop();
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    parts.iter().collect::<PathBuf>().starts_with(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository with an app folder, a shared file beside it, and links
    /// in and out.
    fn repo() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        let app = repo.join("services/app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::write(repo.join("services/common.yml"), "region: eu-west-1\n").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "s3cr3t\n").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret.txt"), app.join("out-link.yml")).unwrap();
        std::os::unix::fs::symlink("../common.yml", app.join("in-link.yml")).unwrap();
        (tmp, app)
    }

    #[test]
    fn reads_stay_inside_the_repository() {
        let (tmp, app) = repo();
        assert_eq!(read_text(&app, "../common.yml").unwrap(), "region: eu-west-1\n");
        assert_eq!(read_text(&app, "in-link.yml").unwrap(), "region: eu-west-1\n");
        for hostile in ["../../../secret.txt", "out-link.yml", "/etc/passwd", "../../../../../../../../etc/shadow", "./../../../secret.txt"] {
            assert_eq!(read_text(&app, hostile), Err(Refusal::Outside), "{hostile}");
        }
        let abs = tmp.path().join("secret.txt");
        assert_eq!(read_text(&app, abs.to_str().unwrap()), Err(Refusal::Outside));
        assert_eq!(read_text(&app, "missing.yml"), Err(Refusal::NotFound));
        assert_eq!(read_text(&app, "../../../nowhere.yml"), Err(Refusal::Outside));
    }

    #[test]
    fn without_a_repository_the_folder_is_the_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let app = tmp.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(tmp.path().join("beside.yml"), "x: 1\n").unwrap();
        std::fs::write(app.join("own.yml"), "x: 2\n").unwrap();
        assert_eq!(read_text(&app, "own.yml").unwrap(), "x: 2\n");
        assert_eq!(read_text(&app, "../beside.yml"), Err(Refusal::Outside));
    }
}
