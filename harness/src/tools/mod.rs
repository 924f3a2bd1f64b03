//! Tools as data: `tools.toml` declares each analyzer the harness can run
//! (how to check it is installed, the command template, the output format,
//! whether it reports flows or only sinks), and the adapters turn each
//! format into our SARIF types so that one scorer judges every tool.
//!
//! * [`sarif`]: SARIF logs (ours, or any SARIF-writing tool);
//! * [`bandit`]: Bandit's JSON report (sinks only);
//! * [`semgrep`]: Semgrep's JSON (with `--dataflow-traces`) or SARIF output;
//! * [`pysa`]: Pysa's `taint-output.json`.

pub mod bandit;
pub mod pysa;
pub mod sarif;
pub mod semgrep;

use crate::score::mode::Mode;
use analyzer::sarif::Log;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The tools.toml shipped with the harness (compiled in).
pub const DEFAULT_TOOLS: &str = include_str!("../../tools.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Our analyzer, run in-process.
    Builtin,
    /// A child process per case.
    #[default]
    Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Sarif,
    Bandit,
    Semgrep,
    Pysa,
}

impl Format {
    /// The extension of the raw output file.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Sarif => "sarif",
            Format::Bandit | Format::Semgrep | Format::Pysa => "json",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reports {
    #[default]
    Flows,
    Sinks,
}

/// One `[[tool]]` of tools.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub kind: Kind,
    pub check: Option<String>,
    pub command: Option<String>,
    #[serde(default = "default_ok_exit")]
    pub ok_exit: Vec<i32>,
    pub format: Format,
    #[serde(default)]
    pub reports: Reports,
    #[serde(default)]
    pub lenient: bool,
    #[serde(default)]
    pub disable: Vec<String>,
}

fn default_ok_exit() -> Vec<i32> {
    vec![0]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolsFile {
    #[serde(rename = "tool", default)]
    tools: Vec<ToolSpec>,
}

/// The tools of one tools.toml and the folder `{dir}` stands for.
#[derive(Debug, Clone)]
pub struct Tools {
    pub dir: PathBuf,
    pub tools: Vec<ToolSpec>,
}

impl ToolSpec {
    /// The scoring mode: sink-only for tools that report sinks, lenient when declared.
    pub fn mode(&self) -> Mode {
        Mode { lenient: self.lenient, sink_only: self.reports == Reports::Sinks }
    }

    /// Runs the `check` command (no check: installed) and returns the first
    /// line it printed (checks are `--version` commands: the version). The
    /// error is one line.
    pub fn check_installed(&self, dir: &Path) -> Result<Option<String>, String> {
        let Some(check) = &self.check else { return Ok(None) };
        let cmd = substitute(check, &[("dir", dir)], &self.name);
        match Command::new("sh").arg("-c").arg(&cmd).stdin(Stdio::null()).stderr(Stdio::null()).output() {
            Ok(out) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string))
            }
            _ => Err(format!("`{check}` failed")),
        }
    }

    /// The command line for one case (placeholders shell-quoted).
    pub fn command_line(&self, dir: &Path, app: &Path, out: &Path, case: &str) -> Result<String, String> {
        let template = self.command.as_deref().ok_or_else(|| format!("tool {}: no command", self.name))?;
        Ok(substitute(template, &[("dir", dir), ("app", app), ("out", out)], case))
    }
}

/// Replaces `{dir}`, `{app}`, `{out}` and `{case}`, quoting each for `sh`.
fn substitute(template: &str, paths: &[(&str, &Path)], case: &str) -> String {
    let mut s = template.to_string();
    for (k, p) in paths {
        s = s.replace(&format!("{{{k}}}"), &shell_quote(&p.to_string_lossy()));
    }
    s.replace("{case}", &shell_quote(case))
}

/// Single-quotes a word for `sh` unless it is plainly safe.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

impl Tools {
    /// The compiled-in tools.toml; `{dir}` is the harness crate folder.
    pub fn builtin() -> Tools {
        Tools::parse(DEFAULT_TOOLS, Path::new(env!("CARGO_MANIFEST_DIR"))).expect("the shipped tools.toml parses")
    }

    /// Reads a tools.toml; `{dir}` is its folder.
    pub fn load(path: &Path) -> anyhow::Result<Tools> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        Tools::parse(&text, &dir).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str, dir: &Path) -> anyhow::Result<Tools> {
        let file: ToolsFile = toml::from_str(text)?;
        for t in &file.tools {
            if t.kind == Kind::Command && t.command.is_none() {
                anyhow::bail!("tool {}: a command tool needs `command`", t.name);
            }
            for d in &t.disable {
                analyzer::Disabled::default().set(d).map_err(|e| anyhow::anyhow!("tool {}: {e}", t.name))?;
            }
        }
        Ok(Tools { dir: dir.to_path_buf(), tools: file.tools })
    }

    pub fn get(&self, name: &str) -> Option<&ToolSpec> {
        self.tools.iter().find(|t| t.name == name)
    }

    pub fn names(&self) -> Vec<&str> {
        self.tools.iter().map(|t| t.name.as_str()).collect()
    }
}

/// Reads a tool's raw output for one case as a SARIF log.
pub fn convert(format: Format, raw: &Path, case_dir: &Path) -> Result<Log, String> {
    let text = std::fs::read_to_string(raw).map_err(|e| format!("{}: {e}", raw.display()))?;
    let log = match format {
        Format::Sarif => sarif::parse(&text),
        Format::Bandit => bandit::to_sarif(&text),
        Format::Semgrep => semgrep::to_sarif(&text),
        Format::Pysa => pysa::to_sarif(&text),
    }
    .map_err(|e| format!("{}: {e}", raw.display()))?;
    let mut log = log;
    log.normalize_uris(case_dir);
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tools_parse() {
        let t = Tools::builtin();
        assert_eq!(t.names(), ["analyzer", "analyzer-cli", "bandit", "semgrep", "pysa"]);
        assert_eq!(t.get("bandit").unwrap().mode(), Mode { lenient: true, sink_only: true });
        assert_eq!(t.get("analyzer").unwrap().kind, Kind::Builtin);
        assert!(t.dir.join("tools/semgrep-rules.yml").is_file());
    }

    #[test]
    fn templates_are_quoted() {
        let spec = Tools::builtin().get("bandit").unwrap().clone();
        let line = spec.command_line(Path::new("/h"), Path::new("/a b/c"), Path::new("/o/x.json"), "c").unwrap();
        assert_eq!(line, "bandit -r '/a b/c' -f json -o /o/x.json -q");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn missing_check_is_reported() {
        let t = Tools::parse(
            "[[tool]]\nname = \"x\"\ncheck = \"exit 3\"\ncommand = \"true\"\nformat = \"sarif\"\n",
            Path::new("."),
        )
        .unwrap();
        assert_eq!(t.tools[0].check_installed(Path::new(".")).unwrap_err(), "`exit 3` failed");
        assert!(Tools::parse("[[tool]]\nname = \"x\"\nformat = \"sarif\"\n", Path::new(".")).is_err());
        assert!(Tools::parse("[[tool]]\nname = \"x\"\nkind = \"builtin\"\nformat = \"sarif\"\ndisable = [\"nope\"]\n", Path::new(".")).is_err());
    }
}
