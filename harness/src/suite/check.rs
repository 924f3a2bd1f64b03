//! `harness suite check`: validates every case of a suite against the
//! contract (docs/ground-truth.md) and the suite conventions
//! (docs/writing-microbenchmarks.md).
//!
//! Per case: the label reads (keys, types and values per schema 1, unknown
//! keys rejected), `name` equals the folder name, the category equals the
//! parent folder name, vulnerability classes are known ones, labelled paths
//! are relative `/`-separated paths of existing files, each sink line exists
//! and mentions the last dotted part of its callee, each source function is
//! defined in its file, exactly one deployment file exists (serverless.yml /
//! serverless.yaml / template.yaml / template.yml), a README.md exists, and
//! every Python file of the case is UTF-8 and parses; deployment-risk rules
//! (`finding_rules`, `[[finding]]`) are the analyzer's, and each finding's
//! file exists and holds its line.

use super::discover::{discover, Case};
use super::labels::Label;
use super::python;
use std::path::Path;

/// Deployment file names a case may have (exactly one).
pub const DEPLOYMENT_FILES: [&str; 4] = ["serverless.yml", "serverless.yaml", "template.yaml", "template.yml"];

/// One problem found in one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The case folder as found (suite root joined with its relative path).
    pub case: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.case, self.message)
    }
}

/// The outcome of checking a suite.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub cases: usize,
    pub problems: Vec<Problem>,
}

/// Checks every case under `root`.
pub fn check_suite(root: &Path) -> anyhow::Result<Report> {
    let cases = discover(root)?;
    let mut report = Report { cases: cases.len(), problems: vec![] };
    for case in &cases {
        report.problems.extend(check_case(case).into_iter().map(|message| Problem {
            case: case.dir.display().to_string(),
            message,
        }));
    }
    Ok(report)
}

fn bad_path(p: &str) -> Option<&'static str> {
    if p.is_empty() {
        Some("is empty")
    } else if p.contains('\\') {
        Some("must use `/`")
    } else if p.starts_with('/') {
        Some("must be relative to the case folder")
    } else if p.split('/').any(|c| c == "..") {
        Some("must stay inside the case folder")
    } else {
        None
    }
}

/// The problems of one case, as messages.
pub fn check_case(case: &Case) -> Vec<String> {
    let mut out = Vec::new();
    let dir = &case.dir;

    let deployments: Vec<&str> = DEPLOYMENT_FILES.iter().copied().filter(|d| dir.join(d).is_file()).collect();
    match deployments.len() {
        0 => out.push(format!("no deployment file (one of {})", DEPLOYMENT_FILES.join(", "))),
        1 => {}
        _ => out.push(format!("several deployment files: {}", deployments.join(", "))),
    }
    if !dir.join("README.md").is_file() {
        out.push("no README.md".to_string());
    }

    let mut parsed = std::collections::BTreeMap::new();
    for py in case.python_files() {
        let result = match std::fs::read(dir.join(&py)) {
            Err(e) => Err(format!("cannot read: {e}")),
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(_) => Err("is not UTF-8".to_string()),
                Ok(text) => python::parse(&text).map_err(|e| format!("does not parse: {e}")),
            },
        };
        match result {
            Ok(f) => {
                parsed.insert(py, f);
            }
            Err(e) => out.push(format!("{py} {e}")),
        }
    }

    let label: &Label = match &case.label {
        Ok(l) => l,
        Err(e) => {
            let mut m = "expected.toml".to_string();
            if let Some(line) = e.line {
                m += &format!(":{line}");
            }
            if let Some(key) = &e.key {
                m += &format!(": key `{key}`");
            }
            out.push(format!("{m}: {}", e.message));
            return out;
        }
    };
    if label.name != case.name {
        out.push(format!("name {:?} differs from folder name {:?}", label.name, case.name));
    }
    if let Some(parent) = dir.parent().and_then(|p| p.file_name()) {
        let parent = parent.to_string_lossy();
        if parent != label.category.as_str() {
            out.push(format!("category {:?} differs from the parent folder {:?}", label.category.as_str(), parent));
        }
    }
    for (key, list) in [("services", &label.services), ("features", &label.features)] {
        if list.iter().any(|s| s.trim().is_empty()) {
            out.push(format!("{key} holds an empty name"));
        }
    }

    for (i, flow) in label.flows.iter().enumerate() {
        let at = format!("flow {}", i + 1);
        if !flow.vulnerability.is_known() {
            out.push(format!(
                "{at}: vulnerability {:?} unknown (known: {})",
                flow.vulnerability.as_str(),
                super::labels::Vulnerability::KNOWN.join(", ")
            ));
        }
        // source
        let src = &flow.source;
        if let Some(why) = bad_path(&src.file) {
            out.push(format!("{at}: source.file {:?} {why}", src.file));
        } else if !dir.join(&src.file).is_file() {
            out.push(format!("{at}: source.file {:?} missing", src.file));
        } else if src.function.trim().is_empty() {
            out.push(format!("{at}: source.function is empty"));
        } else if DEPLOYMENT_FILES.contains(&src.file.as_str()) {
            // A route API Gateway integrates straight with a service: no
            // handler holds the source, the deployment file does; or a
            // handler written inside the deployment file (inline code).
            let inline_def = std::fs::read_to_string(dir.join(&src.file)).is_ok_and(|t| t.contains(&format!("def {}(", src.function)));
            if src.function != "<module>" && !inline_def {
                out.push(format!("{at}: source in {} must be in function \"<module>\" or a function of its inline code", src.file));
            }
        } else if let Some(f) = parsed.get(&src.file) {
            if !f.defines(&src.function) {
                out.push(format!("{at}: source.function {:?} not defined in {}", src.function, src.file));
            }
        } else if !src.file.ends_with(".py") {
            out.push(format!("{at}: source.file {:?} is not a Python file", src.file));
        }
        if src.line == Some(0) {
            out.push(format!("{at}: source.line must be 1 or more"));
        }
        // sink
        let sink = &flow.sink;
        if let Some(why) = bad_path(&sink.file) {
            out.push(format!("{at}: sink.file {:?} {why}", sink.file));
            continue;
        }
        let text = match std::fs::read(dir.join(&sink.file)) {
            Ok(b) if dir.join(&sink.file).is_file() => String::from_utf8_lossy(&b).into_owned(),
            _ => {
                out.push(format!("{at}: sink.file {:?} missing", sink.file));
                continue;
            }
        };
        let lines: Vec<&str> = text.lines().collect();
        if sink.line == 0 || sink.line as usize > lines.len() {
            out.push(format!("{at}: sink.line {} outside {} ({} lines)", sink.line, sink.file, lines.len()));
            continue;
        }
        let last = sink.callee.rsplit('.').next().unwrap_or("");
        let line = lines[sink.line as usize - 1];
        if last.is_empty() || !line.contains(last) {
            out.push(format!(
                "{at}: line {} of {} does not mention {:?}: {:?}",
                sink.line,
                sink.file,
                last,
                line.trim()
            ));
        }
    }

    let known = finding_rules();
    for rule in label.scored_rules().iter().filter(|r| !known.contains(&r.as_str())) {
        out.push(format!("finding rule {rule:?} unknown (known: {})", known.join(", ")));
    }
    for (i, finding) in label.findings.iter().enumerate() {
        let at = format!("finding {}", i + 1);
        if let Some(why) = bad_path(&finding.file) {
            out.push(format!("{at}: file {:?} {why}", finding.file));
            continue;
        }
        match std::fs::read_to_string(dir.join(&finding.file)) {
            Ok(text) if finding.line == 0 || finding.line as usize > text.lines().count() => {
                out.push(format!("{at}: line {} outside {} ({} lines)", finding.line, finding.file, text.lines().count()))
            }
            Ok(_) => {}
            Err(_) => out.push(format!("{at}: file {:?} missing", finding.file)),
        }
    }
    out
}

/// The analyzer's rules labelled as findings (the deployment risks of
/// `analyzer/models/risks.toml`, secret exposure): the rules a
/// `[[finding]]` may name.
pub fn finding_rules() -> Vec<&'static str> {
    analyzer::report::rules::classes().iter().filter(|c| c.family.labelled_as_finding()).map(|c| c.id.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const LABEL: &str = r#"schema = 1
name = "case-a"
category = "intra-procedural"
target_service = "none"
services = []
features = ["cli"]
description = "d"

[[flow]]
vulnerability = "code-injection"
source = { file = "handlers/h.py", function = "handler", kind = "http" }
sink = { file = "handlers/h.py", line = 5, callee = "os.system" }
"#;

    const PY: &str = "import os\n\ndef handler(event, context):\n    cmd = event['body']\n    os.system(cmd)\n";

    fn make(label: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<String>) {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("intra-procedural/case-a");
        fs::create_dir_all(dir.join("handlers")).unwrap();
        fs::write(dir.join("expected.toml"), label).unwrap();
        for (p, body) in files {
            fs::write(dir.join(p), body).unwrap();
        }
        let report = check_suite(t.path()).unwrap();
        assert_eq!(report.cases, 1);
        let msgs = report.problems.into_iter().map(|p| p.message).collect();
        (t, msgs)
    }

    fn good_files() -> Vec<(&'static str, &'static str)> {
        vec![("serverless.yml", "service: x\n"), ("README.md", "x\n"), ("handlers/h.py", PY)]
    }

    #[test]
    fn a_good_case_has_no_problems() {
        let (_t, p) = make(LABEL, &good_files());
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn finds_each_problem() {
        let mut files = good_files();
        files[0] = ("other.yml", "");
        files.push(("handlers/broken.py", "def f(:\n"));
        let label = LABEL
            .replace("name = \"case-a\"", "name = \"case-b\"")
            .replace("\"code-injection\"", "\"xxe\"")
            .replace("function = \"handler\"", "function = \"nope\"")
            .replace("line = 5", "line = 4");
        let (_t, p) = make(&label, &files);
        let all = p.join("\n");
        for want in [
            "no deployment file",
            "handlers/broken.py does not parse: line 1",
            "name \"case-b\" differs from folder name",
            "vulnerability \"xxe\" unknown",
            "source.function \"nope\" not defined in handlers/h.py",
            "line 4 of handlers/h.py does not mention \"system\"",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
        assert_eq!(p.len(), 6, "{all}");
    }

    #[test]
    fn missing_files_and_lines() {
        let label = LABEL.replace("file = \"handlers/h.py\", line = 5", "file = \"handlers/x.py\", line = 5");
        let (_t, p) = make(&label, &good_files());
        assert_eq!(p, vec!["flow 1: sink.file \"handlers/x.py\" missing"]);
        let label = LABEL.replace("line = 5", "line = 50");
        let (_t, p) = make(&label, &good_files());
        assert_eq!(p, vec!["flow 1: sink.line 50 outside handlers/h.py (5 lines)"]);
        let label = LABEL.replace("{ file = \"handlers/h.py\", function", "{ file = \"handlers\\\\h.py\", function");
        let (_t, p) = make(&label, &good_files());
        assert_eq!(p, vec!["flow 1: source.file \"handlers\\\\h.py\" must use `/`"]);
    }

    #[test]
    fn unknown_keys_and_layout() {
        let (_t, p) = make(&LABEL.replace("features =", "tags ="), &good_files());
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("expected.toml:6: key `tags`"), "{p:?}");
        let (_t, p) = make(&LABEL.replace("intra-procedural", "application"), &good_files());
        assert_eq!(p, vec!["category \"application\" differs from the parent folder \"intra-procedural\""]);
        let mut files = good_files();
        files.push(("template.yaml", ""));
        files.retain(|f| f.0 != "README.md");
        let (_t, p) = make(LABEL, &files);
        assert_eq!(p, vec!["several deployment files: serverless.yml, template.yaml", "no README.md"]);
    }

    #[test]
    fn module_level_sources_are_defined() {
        let label = LABEL.replace("function = \"handler\"", "function = \"<module>\"");
        let (_t, p) = make(&label, &good_files());
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn integrated_routes_are_module_level_sources_of_the_deployment_file() {
        let label = LABEL.replace("{ file = \"handlers/h.py\", function = \"handler\"", "{ file = \"serverless.yml\", function = \"<module>\"");
        let (_t, p) = make(&label, &good_files());
        assert!(p.is_empty(), "{p:?}");
        let label = LABEL.replace("{ file = \"handlers/h.py\", function = \"handler\"", "{ file = \"serverless.yml\", function = \"handler\"");
        let (_t, p) = make(&label, &good_files());
        assert_eq!(p, vec!["flow 1: source in serverless.yml must be in function \"<module>\" or a function of its inline code"]);
    }
}
