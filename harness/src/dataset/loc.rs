//! Lines of code per repository with tokei: `code` lines only (blank and
//! comment lines excluded; tokei is asked to count Python docstrings as
//! comments, as pygount counts them as documentation, though tokei 13 still
//! counts a one-line module docstring as code). `.gitignore` files are not honoured
//! (pygount, the study's tool, ignores them too); hidden folders, `.git`,
//! `node_modules`, `__pycache__`, virtual environments and `site-packages`
//! are skipped, like the analyzer's own walk.

use std::path::Path;

use tokei::{Config, LanguageType, Languages};

pub const IGNORED: &[&str] = &[".git", "node_modules", "__pycache__", "venv", ".venv", "env", "site-packages", "dist-packages"];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    pub python: u64,
    pub total: u64,
}

fn config(types: Option<Vec<LanguageType>>) -> Config {
    Config {
        no_ignore: Some(true),
        no_ignore_parent: Some(true),
        no_ignore_dot: Some(true),
        no_ignore_vcs: Some(true),
        treat_doc_strings_as_comments: Some(true),
        types,
        ..Config::default()
    }
}

fn python_of(langs: &Languages) -> u64 {
    langs.get(&LanguageType::Python).map(|l| l.summarise().code as u64).unwrap_or(0)
}

pub fn count(dir: &Path) -> Loc {
    let mut langs = Languages::new();
    langs.get_statistics(&[dir], IGNORED, &config(None));
    Loc { python: python_of(&langs), total: langs.total().code as u64 }
}

/// Python code lines only, the same as [`count`]'s `python`: the same
/// files (hidden and [`IGNORED`] folders skipped, Python known by name,
/// extension or shebang) counted by the same tokei parser, walked here in
/// one thread. A scan counts every app folder, and tokei's parallel walker
/// costs more to start than a small folder takes to count.
pub fn count_python(dir: &Path) -> u64 {
    let config = config(None);
    let walker = walkdir::WalkDir::new(dir).into_iter().filter_entry(|e| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0 || !(name.starts_with('.') || IGNORED.contains(&name.as_ref()))
    });
    let mut code = 0;
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() || LanguageType::from_path(entry.path(), &config) != Some(LanguageType::Python) {
            continue;
        }
        if let Ok(report) = LanguageType::Python.parse(entry.path().to_path_buf(), &config) {
            code += report.stats.summarise().code as u64;
        }
    }
    code
}

/// Python code lines of a text that is no file of its own (the inline code
/// of a deployment file), counted as [`count_python`] counts a file.
pub fn python_code_lines(text: &str) -> u64 {
    LanguageType::Python.parse_from_str(text, &config(None)).summarise().code as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_only_counts_what_the_full_count_does() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("a.py"), "\"\"\"Doc.\"\"\"\nimport os\n\n# comment\nx = 1\n").unwrap();
        std::fs::create_dir_all(t.path().join("pkg/node_modules")).unwrap();
        std::fs::write(t.path().join("pkg/b.py"), "def f():\n    return 2\n").unwrap();
        std::fs::write(t.path().join("pkg/node_modules/c.py"), "y = 3\n").unwrap();
        std::fs::write(t.path().join("pkg/app.js"), "const a = 1;\n").unwrap();
        std::fs::write(t.path().join("pkg/tool"), "#!/usr/bin/env python3\nprint('x')\n").unwrap();
        std::fs::create_dir_all(t.path().join(".hidden")).unwrap();
        std::fs::write(t.path().join(".hidden/d.py"), "z = 4\n").unwrap();
        let full = count(t.path());
        // a.py 3 (tokei 13 counts a one-line module docstring as code), b.py
        // 2, the python3 script 1; hidden and node_modules files none.
        assert_eq!(full.python, 6);
        assert_eq!(count_python(t.path()), full.python);
        assert!(full.total > full.python);
    }
}
