//! Lines of code per repository with tokei: `code` lines only (blank and
//! comment lines excluded; Python docstrings count as comments, as pygount
//! counts them as documentation). `.gitignore` files are not honoured
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

pub fn count(dir: &Path) -> Loc {
    let config = Config {
        no_ignore: Some(true),
        no_ignore_parent: Some(true),
        no_ignore_dot: Some(true),
        no_ignore_vcs: Some(true),
        treat_doc_strings_as_comments: Some(true),
        ..Config::default()
    };
    let mut langs = Languages::new();
    langs.get_statistics(&[dir], IGNORED, &config);
    let python = langs.get(&LanguageType::Python).map(|l| l.summarise().code as u64).unwrap_or(0);
    Loc { python, total: langs.total().code as u64 }
}
