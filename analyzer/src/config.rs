//! The project configuration: what a repository tells the analyzer about
//! itself, so that every developer, pre-commit and CI run the same scan.
//!
//! Read from the first of `serverless-flows.toml`, `.serverless-flows.toml`
//! or a `pyproject.toml` with a `[tool.serverless-flows]` table, looking in
//! the application folder and then upwards to its repository root (never
//! above it, see [`crate::confine`]). Precedence is ruff's: the command line
//! over the file over the defaults, a list given on the command line
//! replacing the file's. Paths in the file are relative to the file's
//! folder and must stay in the repository; paths on the command line are
//! relative to the application folder (deployment files) or the current
//! one (model files), as the options document.
//!
//! ```toml
//! deployment-files = ["serverless.yml"]   # default: every one found
//! exclude = ["tests", "scripts/*.py"]      # gitignore-like, see crate::exclude
//! models = ["security/models.toml"]        # extra taint or service models
//! threat-model = "default"                 # or "all-events"
//! disable = ["filters"]                    # capabilities, for ablations
//! disable-rules = ["information-leakage"]  # classes not reported
//! unknown-permissions-denied = false
//! ```

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::analysis::{Disabled, Options, ThreatModel};
use crate::exclude::Exclude;

/// Our own file names, in the order they are looked for in each folder.
pub const FILE_NAMES: [&str; 2] = ["serverless-flows.toml", ".serverless-flows.toml"];
/// The table of `pyproject.toml` read as our configuration: `[tool.NAME]`.
pub const PYPROJECT_TABLE: &str = "serverless-flows";

/// The settings one source gives; `None` leaves the setting to the source
/// below it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub deployment_files: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
    pub models: Option<Vec<Spanned<String>>>,
    pub threat_model: Option<Spanned<ThreatModel>>,
    pub disable: Option<Vec<Spanned<String>>>,
    pub disable_rules: Option<Vec<Spanned<String>>>,
    pub unknown_permissions_denied: Option<bool>,
}

impl Settings {
    /// Settings from the command line (no spans: errors name the option).
    pub fn from_values(values: CommandLine) -> Settings {
        let list = |v: Vec<String>| (!v.is_empty()).then(|| v.into_iter().map(|s| Spanned::new(0..0, s)).collect());
        Settings {
            deployment_files: list(values.deployment_files),
            exclude: list(values.exclude),
            models: list(values.models),
            threat_model: values.threat_model.map(|t| Spanned::new(0..0, t)),
            disable: list(values.disable),
            disable_rules: list(values.disable_rules),
            unknown_permissions_denied: values.unknown_permissions_denied.then_some(true),
        }
    }
}

/// What the command line gave; empty lists and `None` give nothing.
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub deployment_files: Vec<String>,
    pub exclude: Vec<String>,
    pub models: Vec<String>,
    pub threat_model: Option<ThreatModel>,
    pub disable: Vec<String>,
    pub disable_rules: Vec<String>,
    pub unknown_permissions_denied: bool,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tools>,
}

#[derive(Deserialize)]
struct Tools {
    #[serde(rename = "serverless-flows")]
    ours: Option<Settings>,
}

/// A configuration file read.
#[derive(Clone, Debug)]
pub struct ProjectFile {
    pub path: PathBuf,
    text: String,
    pub settings: Settings,
    /// Whether the file holds our settings (a `pyproject.toml` may not).
    ours: bool,
}

/// A configuration problem, at its line of the file when it has one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

/// Where an effective setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Default,
    File(PathBuf),
    CommandLine,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => write!(f, "default"),
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::CommandLine => write!(f, "command line"),
        }
    }
}

/// The options an analysis runs with, and where each came from.
#[derive(Clone, Debug)]
pub struct Effective {
    pub options: Options,
    pub file: Option<PathBuf>,
    /// `(setting, value as TOML, origin)`, in the documented order.
    pub shown: Vec<(&'static str, String, Origin)>,
}

/// The configuration file that applies to `app`, if any.
pub fn find(app: &Path) -> Result<Option<ProjectFile>, ConfigError> {
    let start = app.canonicalize().unwrap_or_else(|_| app.to_path_buf());
    let root = crate::confine::repository_root(&start);
    for dir in start.ancestors() {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if path.is_file() {
                return read(&path).map(Some);
            }
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let file = read(&pyproject)?;
            if file.has_our_table() {
                return Ok(Some(file));
            }
        }
        if dir == root {
            break;
        }
    }
    Ok(None)
}

/// Reads one configuration file: ours, or a `pyproject.toml` (whose
/// `[tool.serverless-flows]` table may be absent: then it sets nothing).
pub fn read(path: &Path) -> Result<ProjectFile, ConfigError> {
    let meta = std::fs::metadata(path).map_err(|e| ConfigError { file: path.to_path_buf(), line: None, message: format!("cannot read: {e}") })?;
    if meta.len() > crate::confine::MAX_BYTES {
        return Err(ConfigError { file: path.to_path_buf(), line: None, message: format!("{} bytes, more than the {} read", meta.len(), crate::confine::MAX_BYTES) });
    }
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError { file: path.to_path_buf(), line: None, message: format!("cannot read: {e}") })?;
    let error = |e: toml::de::Error| ConfigError {
        file: path.to_path_buf(),
        line: e.span().map(|s| line_of(&text, s.start)),
        message: e.message().to_string(),
    };
    let settings = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        toml::from_str::<Pyproject>(&text).map_err(error)?.tool.and_then(|t| t.ours)
    } else {
        Some(toml::from_str::<Settings>(&text).map_err(error)?)
    };
    let ours = settings.is_some();
    Ok(ProjectFile { path: path.to_path_buf(), text, settings: settings.unwrap_or_default(), ours })
}

impl ProjectFile {
    fn has_our_table(&self) -> bool {
        self.ours
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    fn error_at(&self, span: &std::ops::Range<usize>, message: String) -> ConfigError {
        ConfigError { file: self.path.clone(), line: Some(line_of(&self.text, span.start)), message }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// One source in effect for a setting: the command line's value, else the
/// file's, else none.
enum Chosen<'a, T> {
    Cli(&'a T),
    File(&'a ProjectFile, &'a T),
    Default,
}

fn pick<'a, T>(cli: &'a Option<T>, file: Option<&'a ProjectFile>, of: impl Fn(&'a Settings) -> &'a Option<T>) -> Chosen<'a, T> {
    if let Some(v) = cli {
        return Chosen::Cli(v);
    }
    match file.and_then(|f| of(&f.settings).as_ref().map(|v| (f, v))) {
        Some((f, v)) => Chosen::File(f, v),
        None => Chosen::Default,
    }
}

impl<T> Chosen<'_, T> {
    fn origin(&self) -> Origin {
        match self {
            Chosen::Cli(_) => Origin::CommandLine,
            Chosen::File(f, _) => Origin::File(f.path.clone()),
            Chosen::Default => Origin::Default,
        }
    }
}

/// The options for analysing `app`: `cli` over `file` over the defaults.
pub fn resolve(app: &Path, file: Option<&ProjectFile>, cli: &Settings) -> Result<Effective, ConfigError> {
    let cli_error = |option: &str, message: String| ConfigError { file: PathBuf::from(format!("command line ({option})")), line: None, message };
    let mut options = Options::default();
    let mut shown = Vec::new();

    let deployment = pick(&cli.deployment_files, file, |s| &s.deployment_files);
    options.deployment_files = paths(&deployment)?;
    shown.push(("deployment-files", path_list(&options.deployment_files), deployment.origin()));

    let exclude = pick(&cli.exclude, file, |s| &s.exclude);
    options.exclude = match &exclude {
        Chosen::Cli(v) => Exclude::new(&strings(v)).map_err(|e| cli_error("--exclude", e))?,
        Chosen::File(f, v) => {
            for p in v.iter() {
                Exclude::new(std::slice::from_ref(p.get_ref())).map_err(|e| f.error_at(&p.span(), e))?;
            }
            let app_dir = app.canonicalize().unwrap_or_else(|_| app.to_path_buf());
            let prefix = app_dir.strip_prefix(f.dir()).map(|p| crate::infra::discover::relative(Path::new(""), p)).unwrap_or_default();
            Exclude::new(&strings(v)).map_err(|e| f.error_at(&v[0].span(), e))?.under(&prefix)
        }
        Chosen::Default => Exclude::default(),
    };
    shown.push(("exclude", list(options.exclude.patterns()), exclude.origin()));

    let models = pick(&cli.models, file, |s| &s.models);
    options.models = paths(&models)?;
    shown.push(("models", path_list(&options.models), models.origin()));

    let threat = pick(&cli.threat_model, file, |s| &s.threat_model);
    options.threat_model = match &threat {
        Chosen::Cli(t) | Chosen::File(_, t) => *t.get_ref(),
        Chosen::Default => ThreatModel::Default,
    };
    shown.push(("threat-model", format!("{:?}", options.threat_model.name()), threat.origin()));

    let disable = pick(&cli.disable, file, |s| &s.disable);
    let mut disabled = Disabled::default();
    let mut names = Vec::new();
    if let Chosen::Cli(v) | Chosen::File(_, v) = &disable {
        for d in v.iter() {
            for part in d.get_ref().split(',').map(str::trim).filter(|p| !p.is_empty()) {
                disabled.set(part).map_err(|e| match &disable {
                    Chosen::File(f, _) => f.error_at(&d.span(), e),
                    _ => cli_error("--disable", e),
                })?;
                names.push(part.to_string());
            }
        }
    }
    options.disable = disabled;
    shown.push(("disable", list(&names), disable.origin()));

    let rules = pick(&cli.disable_rules, file, |s| &s.disable_rules);
    let mut disabled_rules = BTreeSet::new();
    if let Chosen::Cli(v) | Chosen::File(_, v) = &rules {
        for r in v.iter() {
            let id = r.get_ref().trim();
            if crate::report::rules::class(id).is_none() {
                let known: Vec<&str> = crate::report::rules::classes().iter().map(|c| c.id.as_str()).collect();
                let message = format!("unknown rule {id:?}; the rules are {}", known.join(", "));
                return Err(match &rules {
                    Chosen::File(f, _) => f.error_at(&r.span(), message),
                    _ => cli_error("--disable-rule", message),
                });
            }
            disabled_rules.insert(id.to_string());
        }
    }
    shown.push(("disable-rules", list(&disabled_rules.iter().cloned().collect::<Vec<_>>()), rules.origin()));
    options.disabled_rules = disabled_rules;

    let unknown = pick(&cli.unknown_permissions_denied, file, |s| &s.unknown_permissions_denied);
    options.unknown_permissions_denied = match &unknown {
        Chosen::Cli(b) | Chosen::File(_, b) => **b,
        Chosen::Default => false,
    };
    shown.push(("unknown-permissions-denied", options.unknown_permissions_denied.to_string(), unknown.origin()));

    Ok(Effective { options, file: file.map(|f| f.path.clone()), shown })
}

/// Paths as given: on the command line as written, in the file inside its
/// repository.
fn paths(chosen: &Chosen<'_, Vec<Spanned<String>>>) -> Result<Vec<PathBuf>, ConfigError> {
    match chosen {
        Chosen::Cli(v) => Ok(v.iter().map(|s| PathBuf::from(s.get_ref())).collect()),
        Chosen::File(f, v) => v.iter().map(|s| inside(f, s)).collect(),
        Chosen::Default => Ok(Vec::new()),
    }
}

fn path_list(paths: &[PathBuf]) -> String {
    list(&paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())
}

/// A path the file names, inside its repository.
fn inside(f: &ProjectFile, name: &Spanned<String>) -> Result<PathBuf, ConfigError> {
    crate::confine::resolve(f.dir(), name.get_ref()).map_err(|r| f.error_at(&name.span(), format!("{:?}: {r}", name.get_ref())))
}

fn strings(v: &[Spanned<String>]) -> Vec<String> {
    v.iter().map(|s| s.get_ref().clone()).collect()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

impl Effective {
    /// The effective configuration as a file that would reproduce it, each
    /// setting commented with where it came from (`analyzer config`).
    pub fn render(&self, app: &Path) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "# effective configuration for {}", app.display());
        match &self.file {
            Some(p) => {
                let _ = writeln!(o, "# configuration file: {}", p.display());
            }
            None => {
                let _ = writeln!(
                    o,
                    "# no configuration file ({} or pyproject.toml [tool.{PYPROJECT_TABLE}]) between the app and its repository root",
                    FILE_NAMES.join(", ")
                );
            }
        }
        for (key, value, origin) in &self.shown {
            let _ = writeln!(o, "{key} = {value}  # {origin}");
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join(".git")).unwrap();
        std::fs::create_dir_all(t.path().join("svc/tests")).unwrap();
        t
    }

    #[test]
    fn nearest_file_up_to_the_repository_root() {
        let t = repo();
        assert!(find(&t.path().join("svc")).unwrap().is_none());
        std::fs::write(t.path().join("pyproject.toml"), "[tool.ruff]\nline-length = 100\n").unwrap();
        assert!(find(&t.path().join("svc")).unwrap().is_none(), "a pyproject.toml without our table is not ours");
        std::fs::write(t.path().join("pyproject.toml"), "[tool.serverless-flows]\nexclude = [\"tests\"]\n").unwrap();
        let found = find(&t.path().join("svc")).unwrap().unwrap();
        assert!(found.path.ends_with("pyproject.toml"));
        std::fs::write(t.path().join("svc/.serverless-flows.toml"), "threat-model = \"all-events\"\n").unwrap();
        let nearer = find(&t.path().join("svc")).unwrap().unwrap();
        assert!(nearer.path.ends_with("svc/.serverless-flows.toml"));
    }

    #[test]
    fn never_above_the_repository() {
        let outer = tempfile::tempdir().unwrap();
        std::fs::write(outer.path().join("serverless-flows.toml"), "threat-model = \"all-events\"\n").unwrap();
        std::fs::create_dir_all(outer.path().join("repo/.git")).unwrap();
        assert!(find(&outer.path().join("repo")).unwrap().is_none());
    }

    #[test]
    fn command_line_over_file_over_defaults() {
        let t = repo();
        std::fs::write(t.path().join("serverless-flows.toml"), "exclude = [\"tests\"]\nthreat-model = \"all-events\"\ndisable-rules = [\"information-leakage\"]\n").unwrap();
        let app = t.path().join("svc");
        let file = find(&app).unwrap().unwrap();
        let cli = Settings::from_values(CommandLine { threat_model: Some(ThreatModel::Default), ..CommandLine::default() });
        let eff = resolve(&app, Some(&file), &cli).unwrap();
        assert_eq!(eff.options.threat_model, ThreatModel::Default);
        assert!(eff.options.exclude.excludes("tests/test_a.py"));
        assert!(eff.options.disabled_rules.contains("information-leakage"));
        let origin = |k: &str| eff.shown.iter().find(|s| s.0 == k).unwrap().2.clone();
        assert_eq!(origin("threat-model"), Origin::CommandLine);
        assert_eq!(origin("exclude"), Origin::File(file.path.clone()));
        assert_eq!(origin("models"), Origin::Default);
    }

    #[test]
    fn anchored_excludes_are_relative_to_the_file() {
        let t = repo();
        std::fs::write(t.path().join("serverless-flows.toml"), "exclude = [\"svc/tests\"]\n").unwrap();
        let app = t.path().join("svc");
        let eff = resolve(&app, find(&app).unwrap().as_ref(), &Settings::default()).unwrap();
        assert!(eff.options.exclude.excludes("tests/t.py"), "svc/tests seen from the app folder svc is tests");
        assert!(!eff.options.exclude.excludes("svc/tests/t.py"));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let t = repo();
        let path = t.path().join("serverless-flows.toml");
        std::fs::write(&path, "exclude = [\"tests\"]\n\ndisable-rules = [\n  \"code-injection\",\n  \"sql-injections\",\n]\n").unwrap();
        let err = resolve(t.path(), Some(&read(&path).unwrap()), &Settings::default()).unwrap_err();
        assert_eq!(err.line, Some(5), "{err}");
        assert!(err.to_string().contains("unknown rule \"sql-injections\""), "{err}");

        std::fs::write(&path, "exclude = [\"tests\"]\nthreat = \"all\"\n").unwrap();
        let err = read(&path).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("unknown field `threat`"), "{err}");

        std::fs::write(&path, "models = [\"../../etc/passwd\"]\n").unwrap();
        let err = resolve(t.path(), Some(&read(&path).unwrap()), &Settings::default()).unwrap_err();
        assert!(err.message.contains("outside the repository"), "{err}");

        std::fs::write(&path, "disable = [\"filters\", \"everything\"]\n").unwrap();
        let err = resolve(t.path(), Some(&read(&path).unwrap()), &Settings::default()).unwrap_err();
        assert!(err.message.contains("unknown feature \"everything\""), "{err}");
    }
}
