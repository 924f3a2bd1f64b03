//! `expected.toml`, schema 1: the ground-truth label of one microbenchmark
//! (docs/ground-truth.md, section "Labels").
//!
//! The reader is strict about shape: unknown keys, missing required keys and
//! values of the wrong type or outside the enumerations are errors that name
//! the file, the key and its line. Vulnerability classes are open (new ones
//! may be added), so any non-empty name is read; [`Vulnerability::is_known`]
//! tells whether it is one of the classes the contract lists, which
//! `harness suite check` requires. `[[finding]]` tables label deployment
//! risks (rule, file, line), scored for the rules of `finding_rules`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The label of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub schema: u32,
    pub name: String,
    pub category: Category,
    pub target_service: String,
    pub services: Vec<String>,
    #[serde(default)]
    pub features: Vec<String>,
    pub description: String,
    /// The expected flows; empty for a negative case.
    #[serde(default, rename = "flow", skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<ExpectedFlow>,
    /// The deployment-risk rules the case is labelled for (default: the
    /// rules of its `[[finding]]` tables): reported results of other rules
    /// are not scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_rules: Option<Vec<String>>,
    /// The expected deployment-risk results.
    #[serde(default, rename = "finding", skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<ExpectedFinding>,
}

impl Label {
    pub fn is_negative(&self) -> bool {
        self.flows.is_empty()
    }

    /// The deployment-risk rules whose results are scored on this case,
    /// sorted: `finding_rules`, or the rules of the `[[finding]]` tables.
    pub fn scored_rules(&self) -> Vec<String> {
        let mut rules: Vec<String> = match &self.finding_rules {
            Some(r) => r.clone(),
            None => self.findings.iter().map(|f| f.rule.clone()).collect(),
        };
        rules.sort();
        rules.dedup();
        rules
    }

    /// The distinct vulnerability classes of the flows, sorted; `["none"]` for a negative case.
    pub fn vulnerabilities(&self) -> Vec<String> {
        let mut v: Vec<String> = self.flows.iter().map(|f| f.vulnerability.0.clone()).collect();
        v.sort();
        v.dedup();
        if v.is_empty() {
            v.push("none".to_string());
        }
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    InterProcedural,
    IntraProcedural,
    Application,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::InterProcedural, Category::IntraProcedural, Category::Application];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::InterProcedural => "inter-procedural",
            Category::IntraProcedural => "intra-procedural",
            Category::Application => "application",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `[[flow]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFlow {
    pub vulnerability: Vulnerability,
    pub source: Source,
    pub sink: Sink,
}

/// One `[[finding]]`: a deployment-risk result expected at a line of a
/// file (usually the deployment file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    /// The rule id (`unauthenticated-endpoint`).
    pub rule: String,
    /// Relative to the case folder, with `/`.
    pub file: String,
    /// 1-based.
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub file: String,
    pub function: String,
    pub kind: SourceKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    pub file: String,
    pub line: u32,
    pub callee: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Http,
    Event,
    CloudApi,
    Cli,
    Env,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Http => "http",
            SourceKind::Event => "event",
            SourceKind::CloudApi => "cloud-api",
            SourceKind::Cli => "cli",
            SourceKind::Env => "env",
        }
    }
}

/// A vulnerability class name (open set; see [`Vulnerability::KNOWN`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Vulnerability(pub String);

impl Vulnerability {
    /// The classes the contract lists.
    pub const KNOWN: [&'static str; 9] = [
        "code-injection",
        "sql-injection",
        "nosql-injection",
        "information-leakage",
        "information-integrity",
        "deserialization",
        "path-traversal",
        "traceback-leakage",
        "ssrf",
    ];

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_known(&self) -> bool {
        Self::KNOWN.contains(&self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Vulnerability {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom("vulnerability must be a non-empty class name"));
        }
        Ok(Vulnerability(s))
    }
}

impl fmt::Display for Vulnerability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A label that could not be read: the file, the key (when known), its line, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct LabelError {
    pub path: PathBuf,
    pub key: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Reads and parses `path` (an `expected.toml`).
pub fn read_label(path: &Path) -> Result<Label, LabelError> {
    let text = std::fs::read_to_string(path).map_err(|e| LabelError {
        path: path.to_path_buf(),
        key: None,
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    parse_label(&text, path)
}

/// Parses label text; `path` is only used in errors.
pub fn parse_label(text: &str, path: &Path) -> Result<Label, LabelError> {
    let label: Label = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
    let err = |key: &str, message: String| LabelError {
        path: path.to_path_buf(),
        key: Some(key.to_string()),
        line: key_line(text, key),
        message,
    };
    if label.schema != 1 {
        return Err(err("schema", format!("schema {} is not supported (expected 1)", label.schema)));
    }
    for key in ["name", "target_service", "description"] {
        let value = match key {
            "name" => &label.name,
            "target_service" => &label.target_service,
            _ => &label.description,
        };
        if value.trim().is_empty() {
            return Err(err(key, "must not be empty".to_string()));
        }
    }
    for f in &label.findings {
        if f.rule.trim().is_empty() || f.file.trim().is_empty() {
            return Err(err("rule", "a [[finding]] needs a non-empty rule and file".to_string()));
        }
        if let Some(rules) = &label.finding_rules {
            if !rules.contains(&f.rule) {
                return Err(err("finding_rules", format!("a [[finding]] of rule {} is not scored: add it to finding_rules", f.rule)));
            }
        }
    }
    Ok(label)
}

/// The 1-based line of the first `key =` at the start of a line.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| {
        let l = l.trim_start();
        l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
    })
    .map(|i| i + 1)
}

fn toml_error(e: &toml::de::Error, text: &str, path: &Path) -> LabelError {
    let message = e.message().trim().to_string();
    let start = e.span().map(|s| s.start.min(text.len()));
    let line = start.map(|s| text[..s].matches('\n').count() + 1);
    // The key: named in backticks by serde for unknown, missing and duplicate
    // fields; otherwise the key written just before the offending value.
    let named = ["unknown field", "missing field", "duplicate field", "duplicate key"]
        .iter()
        .any(|p| message.starts_with(p));
    let key = if named { backticked(&message) } else { None }.or_else(|| key_before(text, start?));
    LabelError { path: path.to_path_buf(), key, line, message }
}

/// The key whose value starts at byte `at`: `key` for `key = value`, and
/// `table.key` inside an inline table `table = { key = value }`.
fn key_before(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    let ident = |s: &str| -> Option<String> {
        let s = s.trim_end().strip_suffix('=')?.trim_end();
        let start = s
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '"'))
            .map_or(0, |i| i + 1);
        let k = s[start..].trim_matches('"');
        (!k.is_empty()).then(|| k.to_string())
    };
    let key = ident(before)?;
    match before.find('{') {
        Some(brace) => match ident(&before[..brace]) {
            Some(table) if table != key => Some(format!("{table}.{key}")),
            _ => Some(key),
        },
        None => Some(key),
    }
}

fn backticked(m: &str) -> Option<String> {
    let start = m.find('`')? + 1;
    let end = start + m[start..].find('`')?;
    Some(m[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
schema = 1
name = "api-put-item-boto3-client"
category = "inter-procedural"
target_service = "dynamodb"
services = ["s3", "dynamodb"]
features = ["boto3-client", "helper-function"]
description = "Upload triggers a handler."

[[flow]]
vulnerability = "code-injection"
source = { file = "handlers/httphandler.py", function = "onHTTPPostEvent", kind = "http" }
sink   = { file = "handlers/dynamodbstreamhandler.py", line = 18, callee = "os.system" }
"#;

    fn parse(t: &str) -> Result<Label, LabelError> {
        parse_label(t, Path::new("x/expected.toml"))
    }

    #[test]
    fn reads_a_label() {
        let l = parse(GOOD).unwrap();
        assert_eq!(l.category, Category::InterProcedural);
        assert_eq!(l.flows.len(), 1);
        assert_eq!(l.flows[0].source.kind, SourceKind::Http);
        assert_eq!(l.flows[0].source.line, None);
        assert_eq!(l.flows[0].sink.line, 18);
        assert!(l.flows[0].vulnerability.is_known());
        assert_eq!(l.vulnerabilities(), vec!["code-injection"]);
    }

    #[test]
    fn negative_case_has_no_flows() {
        let t = GOOD.split("[[flow]]").next().unwrap();
        let l = parse(t).unwrap();
        assert!(l.is_negative());
        assert_eq!(l.vulnerabilities(), vec!["none"]);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let t = GOOD.replace("features =", "feature =");
        let e = parse(&t).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("feature"));
        assert_eq!(e.line, Some(7));
        assert!(e.to_string().starts_with("x/expected.toml:7: key `feature`"), "{e}");
        let t = GOOD.replace("kind = \"http\"", "kind = \"http\", lines = 3");
        let e = parse(&t).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("lines"), "{e}");
    }

    #[test]
    fn bad_values_are_named() {
        let e = parse(&GOOD.replace("\"inter-procedural\"", "\"inter\"")).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert_eq!(e.key.as_deref(), Some("category"), "{e}");
        let e = parse(&GOOD.replace("kind = \"http\"", "kind = \"web\"")).unwrap_err();
        assert_eq!((e.key.as_deref(), e.line), (Some("source.kind"), Some(12)), "{e}");
        let e = parse(&GOOD.replace("line = 18", "line = \"18\"")).unwrap_err();
        assert_eq!((e.key.as_deref(), e.line), (Some("sink.line"), Some(13)), "{e}");
        let e = parse(&GOOD.replace("schema = 1", "schema = 2")).unwrap_err();
        assert_eq!((e.key.as_deref(), e.line), (Some("schema"), Some(2)));
        let e = parse(&GOOD.replace("name = \"api-put-item-boto3-client\"\n", "")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("name"), "{e}");
        let e = parse(&GOOD.replace("\"code-injection\"", "\"\"")).unwrap_err();
        assert_eq!(e.line, Some(11), "{e}");
    }

    #[test]
    fn new_vulnerability_classes_are_read() {
        let l = parse(&GOOD.replace("\"code-injection\"", "\"xxe\"")).unwrap();
        assert!(!l.flows[0].vulnerability.is_known());
    }

    #[test]
    fn findings_and_the_rules_they_are_scored_for() {
        let l = parse(GOOD).unwrap();
        assert!(l.scored_rules().is_empty());
        let t = format!("{GOOD}\n[[finding]]\nrule = \"plaintext-secret\"\nfile = \"serverless.yml\"\nline = 9\n");
        let l = parse(&t).unwrap();
        assert_eq!(l.findings, vec![ExpectedFinding { rule: "plaintext-secret".into(), file: "serverless.yml".into(), line: 9 }]);
        assert_eq!(l.scored_rules(), vec!["plaintext-secret"]);
        let negative = GOOD.replace("description =", "finding_rules = [\"unused-function\"]\ndescription =");
        assert_eq!(parse(&negative).unwrap().scored_rules(), vec!["unused-function"]);
        let e = parse(&t.replace("description =", "finding_rules = [\"unused-function\"]\ndescription =")).unwrap_err();
        assert_eq!((e.key.as_deref(), e.line), (Some("finding_rules"), Some(8)), "{e}");
        let e = parse(&t.replace("line = 9", "line = 9\ncallee = \"x\"")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("callee"), "{e}");
    }

    #[test]
    fn optional_source_line() {
        let l = parse(&GOOD.replace("kind = \"http\"", "kind = \"http\", line = 4")).unwrap();
        assert_eq!(l.flows[0].source.line, Some(4));
    }
}
