//! Triage: why an app is left out of the flow counts, mirroring the
//! CloudFlow study's categories (templates, tool-incompatible Python 2,
//! infrastructure-code inconsistent, application-code inconsistent), plus
//! what only a run at scale meets (no deployment file, no Python function,
//! timeout, crash). The first rule that applies wins, in this order:
//!
//! 1. `no-deployment-file`: the repository has no deployment file;
//! 2. `template`: a template or example, by path (a folder or the
//!    repository named `template(s)`, `example(s)`, `sample(s)`, `demo`,
//!    `boilerplate`, `starter`, `skeleton`, `scaffold`, `cookiecutter`,
//!    `tutorial`, `workshop`), by a deployment file with `{{cookiecutter`
//!    placeholders, or by its README (app folder, else repository root:
//!    phrases such as "boilerplate", "starter kit", "this template",
//!    "example project", "sample application", "for demonstration");
//! 3. `timeout`, `crash`: the analysis did not finish;
//! 4. `python2`: a Python file has Python 2 syntax;
//! 5. `inconsistent-infrastructure`: the deployment file cannot be loaded,
//!    or names a handler whose file or function does not exist;
//! 6. `inconsistent-code`: other Python files that do not parse;
//! 7. `no-python-functions`: no function with a Python runtime (other
//!    runtimes, or no function at all);
//! 8. `analysed`: the app counts.

use std::path::Path;

pub use super::record::Triage;
use super::record::{AppRecord, Status};

const PATH_WORDS: &[&str] = &[
    "template",
    "templates",
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "demos",
    "boilerplate",
    "boilerplates",
    "starter",
    "skeleton",
    "scaffold",
    "scaffolding",
    "cookiecutter",
    "tutorial",
    "tutorials",
    "workshop",
];

const README_PHRASES: &[&str] = &[
    "boilerplate",
    "starter kit",
    "starter project",
    "starter template",
    "this template",
    "a template for",
    "project template",
    "serverless template",
    "example project",
    "example application",
    "example app ",
    "an example of",
    "sample project",
    "sample application",
    "sample app ",
    "sample code",
    "demo project",
    "demo application",
    "for demonstration",
    "for demo purposes",
    "this tutorial",
    "this workshop",
    "cookiecutter",
];

/// Words of a path: split on anything not alphanumeric, lower case.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_ascii_lowercase()).collect()
}

/// Template or example, with the reason; `None` when nothing says so.
pub fn template_reason(repo: &str, deployment_file: &str, repo_dir: &Path, app_dir: &Path) -> Option<String> {
    // The repository name and the deployment file's folders (not its own
    // name: `template.yaml` is SAM's file name).
    let mut parts: Vec<&str> = vec![repo];
    let mut dirs: Vec<&str> = deployment_file.split('/').collect();
    dirs.pop();
    parts.extend(dirs);
    for p in parts {
        if let Some(w) = words(p).into_iter().find(|w| PATH_WORDS.contains(&w.as_str())) {
            return Some(format!("path: {p:?} ({w})"));
        }
    }
    if !deployment_file.is_empty() {
        if let Ok(text) = std::fs::read_to_string(repo_dir.join(deployment_file)) {
            if text.contains("{{cookiecutter") || text.contains("{{ cookiecutter") {
                return Some("deployment file has cookiecutter placeholders".into());
            }
        }
    }
    for dir in [app_dir, repo_dir] {
        if let Some((name, text)) = readme(dir) {
            let head: String = text.chars().take(4000).collect::<String>().to_lowercase().replace('\n', " ");
            if let Some(p) = README_PHRASES.iter().find(|p| head.contains(*p)) {
                return Some(format!("{name}: \"{}\"", p.trim()));
            }
        }
        if app_dir == repo_dir {
            break;
        }
    }
    None
}

fn readme(dir: &Path) -> Option<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.to_ascii_lowercase().starts_with("readme"))
        .collect();
    names.sort();
    let name = names.into_iter().next()?;
    let bytes = std::fs::read(dir.join(&name)).ok()?;
    Some((name, String::from_utf8_lossy(&bytes).to_string()))
}

/// The triage category of a record, with the reason.
pub fn triage(r: &AppRecord, repo_dir: &Path, app_dir: &Path) -> (Triage, String) {
    if r.status == Status::NoDeploymentFile {
        return (Triage::NoDeploymentFile, r.detail.clone());
    }
    if let Some(reason) = template_reason(&r.repo, &r.deployment_file, repo_dir, app_dir) {
        return (Triage::Template, reason);
    }
    match r.status {
        Status::Timeout => return (Triage::Timeout, r.detail.clone()),
        Status::Crash => return (Triage::Crash, r.detail.clone()),
        _ => {}
    }
    if r.python2_files > 0 {
        return (Triage::Python2, format!("{} Python files with Python 2 syntax", r.python2_files));
    }
    if matches!(r.status, Status::DeploymentFileInvalid | Status::HandlerModuleMissing) {
        return (Triage::InconsistentInfrastructure, r.detail.clone());
    }
    if r.python_failed > 0 {
        return (Triage::InconsistentCode, r.detail.clone());
    }
    if r.handlers == 0 {
        let why = if r.other_runtime_functions > 0 {
            format!("{} functions, none with a Python runtime", r.other_runtime_functions)
        } else {
            "no function in the deployment file".to_string()
        };
        return (Triage::NoPythonFunctions, why);
    }
    (Triage::Analysed, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_words() {
        let d = Path::new("/nonexistent");
        assert!(template_reason("someone_serverless-examples", "serverless.yml", d, d).is_some());
        assert!(template_reason("o_app", "examples/api/serverless.yml", d, d).is_some());
        assert!(template_reason("o_app", "template.yaml", d, d).is_none());
        assert!(template_reason("o_contemplate", "serverless.yml", d, d).is_none());
    }
}
