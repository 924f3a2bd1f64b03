//! Finding the cases of a suite: every folder under the root that holds an
//! `expected.toml`, in sorted (deterministic) order.

use super::labels::{read_label, Label, LabelError};
use std::path::{Path, PathBuf};

/// One microbenchmark found on disk.
#[derive(Debug, Clone)]
pub struct Case {
    /// The case folder (root joined with `rel`).
    pub dir: PathBuf,
    /// The case folder relative to the suite root, `/`-separated.
    pub rel: String,
    /// The folder name: the case's name (the SARIF log is `<name>.sarif`).
    pub name: String,
    /// The label, or why it could not be read (recorded for this case only).
    pub label: Result<Label, LabelError>,
}

impl Case {
    /// The category name, or `unknown` when the label is unreadable.
    pub fn category(&self) -> String {
        self.label.as_ref().map(|l| l.category.to_string()).unwrap_or_else(|_| "unknown".into())
    }

    /// The Python files of the case, sorted, as paths relative to the case folder.
    pub fn python_files(&self) -> Vec<String> {
        let mut out: Vec<String> = walkdir::WalkDir::new(&self.dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "py"))
            .filter_map(|e| e.path().strip_prefix(&self.dir).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
            .collect();
        out.sort();
        out
    }
}

/// Folders never entered while walking.
fn skipped(name: &str) -> bool {
    matches!(name, ".git" | "node_modules" | "target" | "__pycache__" | ".serverless" | ".aws-sam")
}

/// Walks `root` for `expected.toml`. Fails only when `root` is not a folder.
pub fn discover(root: &Path) -> anyhow::Result<Vec<Case>> {
    if !root.is_dir() {
        anyhow::bail!("{}: not a folder", root.display());
    }
    let mut cases = Vec::new();
    let walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|e| {
        e.depth() == 0 || !(e.file_type().is_dir() && skipped(&e.file_name().to_string_lossy()))
    });
    for entry in walker.filter_map(|e| e.ok()) {
        if !entry.file_type().is_file() || entry.file_name() != "expected.toml" {
            continue;
        }
        let dir = entry.path().parent().unwrap_or(root).to_path_buf();
        let rel = dir.strip_prefix(root).unwrap_or(&dir).to_string_lossy().replace('\\', "/");
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.display().to_string());
        let label = read_label(entry.path());
        cases.push(Case { dir, rel, name, label });
    }
    cases.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cases_sorted_and_records_bad_labels() {
        let t = tempfile::tempdir().unwrap();
        let mk = |p: &str, body: &str| {
            let d = t.path().join(p);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("expected.toml"), body).unwrap();
        };
        let good = |n: &str| {
            format!("schema = 1\nname = \"{n}\"\ncategory = \"application\"\ntarget_service = \"none\"\nservices = []\ndescription = \"d\"\n")
        };
        mk("b/two", &good("two"));
        mk("a/one", &good("one"));
        mk("a/broken", "schema = 1\nnme = 2\n");
        std::fs::create_dir_all(t.path().join("node_modules/x")).unwrap();
        std::fs::write(t.path().join("node_modules/x/expected.toml"), "").unwrap();
        let cases = discover(t.path()).unwrap();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["broken", "one", "two"]);
        assert_eq!(cases[1].rel, "a/one");
        assert!(cases[0].label.is_err());
        assert_eq!(cases[0].category(), "unknown");
        assert!(cases[2].label.is_ok());
        assert!(discover(&t.path().join("nope")).is_err());
    }
}
