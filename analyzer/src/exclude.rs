//! Paths a project keeps out of the analysis (`exclude` in the project
//! configuration, `config.rs`): fixtures, scripts, generated code.
//! Excluded deployment files are not discovered and excluded Python files
//! are not parsed; a handler that lives in one is reported as excluded.
//!
//! Patterns follow gitignore's reading of a slash: `tests` or `*_test.py`
//! (no slash) match a file or folder of that name anywhere; `scripts/*.py`
//! or `/tools` are anchored at the application folder. A folder that matches
//! excludes everything under it.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

#[derive(Clone, Debug, Default)]
pub struct Exclude {
    set: GlobSet,
    patterns: Vec<String>,
    /// The application folder relative to the folder the patterns are
    /// written for (a configuration file above it), `/`-terminated.
    prefix: String,
}

impl Exclude {
    /// Compiles the patterns; an invalid one is an error naming it.
    pub fn new(patterns: &[String]) -> Result<Exclude, String> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            let trimmed = p.trim_start_matches("./").trim_end_matches('/');
            let anchored = trimmed.starts_with('/') || trimmed.contains('/');
            let pattern = if anchored { trimmed.trim_start_matches('/').to_string() } else { format!("**/{trimmed}") };
            let glob = GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("exclude pattern {p:?}: {}", e.kind()))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| format!("exclude patterns: {e}"))?;
        Ok(Exclude { set, patterns: patterns.to_vec(), prefix: String::new() })
    }

    /// The same patterns, written for a folder `prefix` levels above the
    /// application folder (`svc/tests` in a repository-root file is `tests`
    /// seen from the app `svc`).
    pub fn under(mut self, prefix: &str) -> Exclude {
        let prefix = prefix.trim_matches('/');
        self.prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        self
    }

    /// Whether `rel` (a `/`-separated path under the application folder),
    /// or a folder it lies in, is excluded.
    pub fn excludes(&self, rel: &str) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let full = format!("{}{}", self.prefix, rel.trim_start_matches("./"));
        let rel = full.as_str();
        let mut end = self.prefix.len();
        while let Some(i) = rel[end..].find('/') {
            if self.set.is_match(&rel[..end + i]) {
                return true;
            }
            end += i + 1;
        }
        self.set.is_match(rel)
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(p: &[&str]) -> Exclude {
        Exclude::new(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn a_name_without_slash_matches_anywhere() {
        let e = ex(&["tests", "*_fixture.py"]);
        assert!(e.excludes("tests/test_a.py"));
        assert!(e.excludes("svc/tests/deep/test_a.py"));
        assert!(e.excludes("svc/data_fixture.py"));
        assert!(!e.excludes("svc/handler.py"));
        assert!(!e.excludes("svc/tests_helpers.py"));
    }

    #[test]
    fn a_pattern_with_slash_is_anchored_at_the_app() {
        let e = ex(&["scripts/*.py", "/tools"]);
        assert!(e.excludes("scripts/seed.py"));
        assert!(!e.excludes("svc/scripts/seed.py"));
        assert!(!e.excludes("scripts/sub/seed.py"), "a single star stays in its folder");
        assert!(e.excludes("tools/x/serverless.yml"));
        assert!(!e.excludes("svc/tools/x.py"));
    }

    #[test]
    fn double_star_crosses_folders() {
        let e = ex(&["legacy/**/*.py"]);
        assert!(e.excludes("legacy/a/b/c.py"));
        assert!(e.excludes("legacy/c.py"));
        assert!(!e.excludes("legacy/serverless.yml"));
    }

    #[test]
    fn nothing_is_excluded_by_default() {
        assert!(!Exclude::default().excludes("anything.py"));
    }

    #[test]
    fn an_invalid_pattern_is_named() {
        let err = Exclude::new(&["src/[".to_string()]).unwrap_err();
        assert!(err.contains("src/["), "{err}");
    }
}
