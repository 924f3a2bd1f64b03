//! Third-party packages installed into an application's tree.
//!
//! Lambda deployments often carry their dependencies beside the handler
//! (`pip install -t .`, a layer's `python/` folder): numpy, Pillow, requests
//! with their `*.dist-info` folders. That code is still followed when the
//! application calls it, but it is never a source of its own: a library's
//! `if __name__ == "__main__":` block reads the command line of whoever
//! runs the library, not of the application.
//!
//! A package is recognised by the metadata pip writes next to it: a
//! `NAME.dist-info` or `NAME.egg-info` folder whose `top_level.txt` (or,
//! for wheels without one, the first path components of `RECORD`) names the
//! top-level packages and modules it installed into that folder. An
//! `.egg-info` beside a `setup.py`, `setup.cfg` or `pyproject.toml` is the
//! application's own package in development mode, not a vendored one.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

/// One installed distribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VendoredPackage {
    /// The metadata folder's name (`numpy-1.18.1.dist-info`), relative to
    /// the application folder.
    pub metadata: String,
    /// Top-level packages and modules it installed (`numpy`, `six`).
    pub names: Vec<String>,
    /// Every file its `RECORD` lists, relative to the application folder
    /// (scripts such as `bin/jp.py` lie outside the top-level packages).
    #[serde(skip)]
    pub listed: BTreeSet<String>,
    /// Python files of the application that belong to it.
    pub files: usize,
}

impl std::fmt::Display for VendoredPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "vendored, followed but never a source: {} ({} Python file(s) of {})", self.names.join(", "), self.files, self.metadata)
    }
}

/// Metadata files are small; a hostile one is not read past this.
const MAX_METADATA_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a metadata folder (`dir`, relative path `rel`); `None` when it is
/// not a vendored distribution.
pub fn read_metadata(dir: &Path, rel: &str) -> Option<VendoredPackage> {
    let name = dir.file_name()?.to_string_lossy().into_owned();
    if !(name.ends_with(".dist-info") || name.ends_with(".egg-info")) {
        return None;
    }
    let parent = dir.parent()?;
    if name.ends_with(".egg-info") && ["setup.py", "setup.cfg", "pyproject.toml"].iter().any(|f| parent.join(f).is_file()) {
        return None;
    }
    let read = |file: &str| -> Option<String> {
        let p = dir.join(file);
        let meta = std::fs::symlink_metadata(&p).ok()?;
        (meta.is_file() && meta.len() <= MAX_METADATA_BYTES).then(|| std::fs::read_to_string(p).ok()).flatten()
    };
    let site = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut names = BTreeSet::new();
    if let Some(top) = read("top_level.txt") {
        names.extend(top.lines().map(str::trim).filter(|l| is_identifier_path(l)).map(str::to_string));
    }
    let from_record = names.is_empty();
    let mut listed = BTreeSet::new();
    // RECORD paths are relative to the site folder; the older egg listing
    // is relative to the metadata folder itself.
    let listings = [(read("RECORD"), site.to_string()), (read("installed-files.txt"), rel.to_string())];
    for (text, base) in listings.iter().filter_map(|(t, b)| t.as_ref().map(|t| (t, b))) {
        for line in text.lines() {
            let path = line.split(',').next().unwrap_or("").trim();
            if let Some(joined) = join_inside(base, path) {
                listed.insert(joined);
            }
            // `pip install --target DIR` puts scripts in DIR/bin while RECORD
            // still names them as installed beside the interpreter.
            if let Some(script) = path.strip_prefix("../").and_then(|p| p.rsplit_once("bin/")).map(|(_, s)| s).filter(|s| !s.contains('/')) {
                listed.extend(join_inside(base, &format!("bin/{script}")));
            }
            let first = path.split('/').next().unwrap_or("");
            if !from_record || path.starts_with("..") || first == name || first.ends_with(".dist-info") || first.ends_with(".data") {
                continue;
            }
            let top = if path.contains('/') { first } else { first.strip_suffix(".py").unwrap_or("") };
            if is_identifier_path(top) {
                names.insert(top.to_string());
            }
        }
    }
    (!names.is_empty() || !listed.is_empty()).then(|| VendoredPackage { metadata: rel.to_string(), names: names.into_iter().collect(), listed, files: 0 })
}

/// `base/path` with `.` and `..` folded, if it stays inside the
/// application folder.
fn join_inside(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn is_identifier_path(s: &str) -> bool {
    !s.is_empty() && s.split('/').all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_') && !p.starts_with(|c: char| c.is_ascii_digit()))
}

impl VendoredPackage {
    /// Whether the application file `rel` was installed by this package.
    pub fn owns(&self, rel: &str) -> bool {
        if self.listed.contains(rel) {
            return true;
        }
        let site = match self.metadata.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        };
        let Some(below) = rel.strip_prefix(&site) else { return false };
        self.names.iter().any(|n| below.strip_prefix(n.as_str()).is_some_and(|rest| rest.starts_with('/') || rest == ".py"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(root: &Path, rel: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
        let d = root.join(rel);
        std::fs::create_dir_all(&d).unwrap();
        for (f, text) in files {
            std::fs::write(d.join(f), text).unwrap();
        }
        d
    }

    #[test]
    fn names_come_from_top_level_or_record() {
        let tmp = tempfile::tempdir().unwrap();
        let d = dist(tmp.path(), "lib/Pillow-7.0.0.dist-info", &[("top_level.txt", "PIL\n")]);
        let p = read_metadata(&d, "lib/Pillow-7.0.0.dist-info").unwrap();
        assert_eq!(p.names, ["PIL"]);
        assert!(p.owns("lib/PIL/Image.py") && !p.owns("lib/PILLOW.py") && !p.owns("PIL/Image.py") && !p.owns("lib/handler.py"));
        let record = "six.py,sha256=x,1\nsix-1.16.0.dist-info/RECORD,,\n../../bin/tool,sha256=y,2\n__pycache__/six.cpython-39.pyc,,\n";
        let d = dist(tmp.path(), "six-1.16.0.dist-info", &[("RECORD", record)]);
        let p = read_metadata(&d, "six-1.16.0.dist-info").unwrap();
        assert_eq!(p.names, ["__pycache__", "six"]);
        assert!(p.owns("six.py") && !p.owns("sixteen.py"));
        // Scripts pip put beside the packages belong to them too.
        let d = dist(tmp.path(), "layer/python/jmespath-1.0.1.dist-info", &[("top_level.txt", "jmespath\n"), ("RECORD", "../../bin/jp.py,sha256=z,3\njmespath/__init__.py,,\n")]);
        let p = read_metadata(&d, "layer/python/jmespath-1.0.1.dist-info").unwrap();
        assert_eq!(p.names, ["jmespath"]);
        assert!(p.owns("layer/python/bin/jp.py") && p.owns("layer/python/jmespath/x.py") && !p.owns("layer/python/bin/other.py"));
        assert_eq!(join_inside("a/b", "../../../etc/x"), None);
    }

    #[test]
    fn a_development_egg_is_the_application_itself() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("setup.py"), "").unwrap();
        let d = dist(tmp.path(), "app.egg-info", &[("top_level.txt", "app\n")]);
        assert_eq!(read_metadata(&d, "app.egg-info"), None);
        let d = dist(tmp.path(), "plain", &[("top_level.txt", "x\n")]);
        assert_eq!(read_metadata(&d, "plain"), None);
    }
}
