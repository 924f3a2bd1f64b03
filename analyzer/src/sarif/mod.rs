//! SARIF 2.1.0: the subset of the format this project writes and reads.
//!
//! Writing: [`Log`] and the types below serialise to logs that validate
//! against the official SARIF 2.1.0 JSON schema (a test checks this against a
//! vendored copy of the schema, `analyzer/tests/data/sarif-schema-2.1.0.json`).
//!
//! Reading: [`Log::from_json`] / [`read_log`] accept logs written by other
//! tools (Semgrep, Bandit's SARIF formatter, CodeQL, ...): fields we do not
//! model are ignored and everything but the skeleton is optional.
//! [`Log::normalize_uris`] ([`uri`]) rewrites artifact URIs (`file://` URIs,
//! absolute paths, `uriBaseId`-relative paths, backslashes, `./`) to paths
//! relative to the analysed folder where possible, which is what scoring
//! compares.
//!
//! The conventions for findings (docs/ground-truth.md, section "Findings"):
//! one result per sink and vulnerability class, `ruleId` = the class,
//! `locations[0]` = the sink, one code flow per source whose first location is
//! the source and whose last is the sink, each location naming its function in
//! `logicalLocations[0].fullyQualifiedName`, and `properties` holding
//! `sourceKind`, `sinkCallee` and `hops`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `$schema` URI written into our logs.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The SARIF version we write.
pub const VERSION: &str = "2.1.0";

mod uri;

pub use uri::{clean_path, normalize_uri, same_file};

/// A property bag: free-form keys (`sourceKind`, `sinkCallee`, `hops`, `tags`, ...).
pub type PropertyBag = BTreeMap<String, serde_json::Value>;

fn is_false(b: &bool) -> bool {
    !*b
}

/// A SARIF log file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Log {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(default = "default_version")]
    pub version: String,
    #[serde(default)]
    pub runs: Vec<Run>,
}

fn default_version() -> String {
    VERSION.to_string()
}

/// One run of one tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    #[serde(default)]
    pub results: Vec<Result>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Invocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_uri_base_ids: Option<BTreeMap<String, ArtifactLocation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PropertyBag>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Tool {
    pub driver: ToolComponent,
}

/// `tool.driver`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ToolComponent {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ReportingDescriptor>,
}

/// A rule (`tool.driver.rules[i]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<MultiformatMessageString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_description: Option<MultiformatMessageString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<MultiformatMessageString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PropertyBag>,
}

impl ReportingDescriptor {
    /// A rule with an id, a human name and a one-line description.
    pub fn new(id: &str, name: &str, short: &str) -> Self {
        ReportingDescriptor {
            id: id.to_string(),
            name: Some(name.to_string()),
            short_description: Some(MultiformatMessageString::text(short)),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MultiformatMessageString {
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl MultiformatMessageString {
    pub fn text(t: &str) -> Self {
        MultiformatMessageString { text: t.to_string(), markdown: None }
    }
}

/// `run.invocations[i]`: whether the tool ran to completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Notification {
    pub message: Message,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

/// `result.level`. Unknown values read as `warning` (the SARIF default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    None,
    Note,
    Error,
    #[default]
    #[serde(other)]
    Warning,
}

/// A message: we write `text`; `id`-only messages from other tools read as empty text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Message {
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl Message {
    pub fn text(t: impl Into<String>) -> Self {
        Message { text: t.into(), markdown: None }
    }
}

/// `result.rule`: a reference to a rule, used by tools that omit `ruleId`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReportingDescriptorReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Result {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<ReportingDescriptorReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default)]
    pub message: Message,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_flows: Vec<CodeFlow>,
    /// Other places of the finding (each cloud hop), shown beside it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<Location>,
    /// Why the result is not to be acted on (an in-source comment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// `new` when the run compared against a baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_fingerprints: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<PropertyBag>,
}

/// A result's suppression: `kind` is `inSource` for a comment in the code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Suppression {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

/// A location: physical (file, region) and logical (function).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Identifies a related location within its result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

impl Location {
    /// A physical location at `uri`, line `line` (1-based).
    /// A line of a file; line 0 (unknown) gives the file alone, since
    /// SARIF lines start at 1.
    pub fn at(uri: &str, line: u32) -> Self {
        Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: Some(ArtifactLocation { uri: Some(uri.to_string()), ..Default::default() }),
                region: (line > 0).then(|| Region { start_line: Some(line), ..Default::default() }),
            }),
            ..Default::default()
        }
    }

    /// Adds a logical location (`kind` is usually `function` or `module`).
    pub fn in_function(mut self, fully_qualified_name: &str, kind: &str) -> Self {
        let name = fully_qualified_name.rsplit('.').next().unwrap_or(fully_qualified_name);
        self.logical_locations.push(LogicalLocation {
            fully_qualified_name: Some(fully_qualified_name.to_string()),
            name: Some(name.to_string()),
            kind: Some(kind.to_string()),
        });
        self
    }

    pub fn with_message(mut self, text: impl Into<String>) -> Self {
        self.message = Some(Message::text(text));
        self
    }

    /// The artifact URI, as written in the log.
    pub fn uri(&self) -> Option<&str> {
        self.physical_location.as_ref()?.artifact_location.as_ref()?.uri.as_deref()
    }

    /// The 1-based start line.
    pub fn start_line(&self) -> Option<u32> {
        self.physical_location.as_ref()?.region.as_ref()?.start_line
    }

    /// `logicalLocations[0].fullyQualifiedName`, else its `name`.
    pub fn function_name(&self) -> Option<&str> {
        let l = self.logical_locations.first()?;
        l.fully_qualified_name.as_deref().or(l.name.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_location: Option<ArtifactLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<ArtifactContent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ArtifactContent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CodeFlow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    #[serde(default)]
    pub thread_flows: Vec<ThreadFlow>,
}

impl CodeFlow {
    /// A code flow with one thread flow visiting `locations` in order.
    pub fn through(locations: Vec<Location>) -> Self {
        let locations = locations
            .into_iter()
            .enumerate()
            .map(|(i, location)| ThreadFlowLocation {
                location: Some(location),
                execution_order: Some(i as i64),
                ..Default::default()
            })
            .collect();
        CodeFlow { message: None, thread_flows: vec![ThreadFlow { locations, ..Default::default() }] }
    }

    /// The first location of the first thread flow: the source.
    pub fn source(&self) -> Option<&Location> {
        self.thread_flows.first()?.locations.first()?.location.as_ref()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ThreadFlow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    #[serde(default)]
    pub locations: Vec<ThreadFlowLocation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ThreadFlowLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nesting_level: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_order: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub important: bool,
}

/// Errors from reading a log.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not a SARIF log: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
}

/// Reads a log from a file without normalising its URIs.
pub fn read_log(path: &Path) -> std::result::Result<Log, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    Log::from_json(&text).map_err(|source| ReadError::Json { path: path.to_path_buf(), source })
}

/// Writes a log as pretty JSON.
pub fn write_log(log: &Log, path: &Path) -> std::io::Result<()> {
    std::fs::write(path, log.to_json_pretty() + "\n")
}

impl Log {
    /// An empty log with one run of the named tool.
    pub fn new(tool: &str, version: &str, information_uri: Option<&str>, rules: Vec<ReportingDescriptor>) -> Self {
        Log {
            schema: Some(SCHEMA_URI.to_string()),
            version: VERSION.to_string(),
            runs: vec![Run {
                tool: Tool {
                    driver: ToolComponent {
                        name: tool.to_string(),
                        version: Some(version.to_string()),
                        information_uri: information_uri.map(str::to_string),
                        rules,
                        ..Default::default()
                    },
                },
                ..Default::default()
            }],
        }
    }

    pub fn from_json(text: &str) -> serde_json::Result<Log> {
        serde_json::from_str(text)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a SARIF log always serialises")
    }

    /// Every result of every run.
    pub fn results(&self) -> impl Iterator<Item = (&Run, &Result)> {
        self.runs.iter().flat_map(|run| run.results.iter().map(move |r| (run, r)))
    }
}

impl Result {
    /// The rule id: `ruleId`, else `rule.id`, else the id of the rule at
    /// `ruleIndex` / `rule.index` in the run's driver.
    pub fn resolved_rule_id<'a>(&'a self, run: &'a Run) -> Option<&'a str> {
        if let Some(id) = self.rule_id.as_deref().or(self.rule.as_ref().and_then(|r| r.id.as_deref())) {
            return Some(id);
        }
        let index = self.rule_index.or(self.rule.as_ref().and_then(|r| r.index))?;
        run.tool.driver.rules.get(usize::try_from(index).ok()?).map(|r| r.id.as_str())
    }

    /// `locations[0]`: the sink.
    pub fn sink(&self) -> Option<&Location> {
        self.locations.first()
    }

    /// The first location of each code flow: the sources.
    pub fn sources(&self) -> impl Iterator<Item = &Location> {
        self.code_flows.iter().filter_map(CodeFlow::source)
    }

    /// A string property such as `sourceKind` or `sinkCallee`.
    pub fn property_str(&self, key: &str) -> Option<&str> {
        self.properties.as_ref()?.get(key)?.as_str()
    }
}


/// The official SARIF 2.1.0 schema, for tests of everything that writes
/// SARIF.
#[cfg(test)]
pub(crate) fn official_schema_validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/data/sarif-schema-2.1.0.json")).unwrap();
    // The vendored schema (rtm.5) has one malformed regex, the `language`
    // pattern (of `run` and `toolComponent`), which the validator's
    // meta-schema check rejects; use a well-formed equivalent. Nothing
    // else changes.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The analysed folder of the tests that normalise URIs.
    pub(crate) fn root() -> &'static Path {
        Path::new("/suite/inter-procedural/case-a")
    }

    fn our_log() -> Log {
        let rules = vec![ReportingDescriptor {
            full_description: Some(MultiformatMessageString::text("User input reaches a shell command.")),
            help: Some(MultiformatMessageString { text: "Quote it.".into(), markdown: Some("Use `shlex.quote`.".into()) }),
            properties: Some(PropertyBag::from([("tags".to_string(), serde_json::json!(["security"]))])),
            ..ReportingDescriptor::new("code-injection", "CodeInjection", "Code injection")
        }];
        let mut log = Log::new("analyzer", "0.1.0", Some("https://example.org/analyzer"), rules);
        let sink = Location::at("handlers/stream.py", 18).in_function("handlers.stream.handler", "function");
        let source =
            Location::at("handlers/http.py", 5).in_function("handlers.http.onHTTPPostEvent", "function").with_message("event");
        let mut flow = CodeFlow::through(vec![source, sink.clone()]);
        flow.thread_flows[0].locations[0].kinds = vec!["source".into()];
        flow.thread_flows[0].locations[1].nesting_level = Some(0);
        flow.message = Some(Message::text("http -> dynamodb stream -> os.system"));
        let mut sink_loc = sink;
        if let Some(r) = sink_loc.physical_location.as_mut().and_then(|p| p.region.as_mut()) {
            r.start_column = Some(5);
            r.end_line = Some(18);
            r.end_column = Some(30);
            r.snippet = Some(ArtifactContent { text: Some("os.system(cmd)".into()) });
        }
        let mut run = log.runs.pop().unwrap();
        run.original_uri_base_ids = Some(BTreeMap::from([(
            "SRCROOT".to_string(),
            ArtifactLocation { uri: Some("file:///suite/case-a/".into()), ..Default::default() },
        )]));
        run.invocations = vec![Invocation { execution_successful: true, exit_code: Some(0), tool_execution_notifications: vec![] }];
        run.properties = Some(PropertyBag::from([("seconds".to_string(), serde_json::json!(0.25))]));
        run.results.push(Result {
            rule_id: Some("code-injection".into()),
            rule_index: Some(0),
            level: Some(Level::Error),
            message: Message::text("HTTP body reaches os.system"),
            locations: vec![sink_loc],
            code_flows: vec![flow],
            partial_fingerprints: Some(BTreeMap::from([("primaryLocationLineHash".into(), "abc:1".into())])),
            properties: Some(PropertyBag::from([
                ("sourceKind".to_string(), serde_json::json!("http")),
                ("sinkCallee".to_string(), serde_json::json!("os.system")),
                ("hops".to_string(), serde_json::json!(["s3:ObjectCreated", "dynamodb:stream"])),
            ])),
            ..Default::default()
        });
        log.runs.push(run);
        log
    }

    #[test]
    fn round_trips() {
        let log = our_log();
        let back = Log::from_json(&log.to_json_pretty()).unwrap();
        assert_eq!(back, log);
        let (run, r) = back.results().next().unwrap();
        assert_eq!(r.resolved_rule_id(run), Some("code-injection"));
        assert_eq!(r.sink().unwrap().start_line(), Some(18));
        assert_eq!(r.sources().next().unwrap().function_name(), Some("handlers.http.onHTTPPostEvent"));
        assert_eq!(r.property_str("sinkCallee"), Some("os.system"));
    }

    #[test]
    fn written_log_validates_against_the_official_schema() {
        let validator = official_schema_validator();
        let instance = serde_json::to_value(our_log()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        // and an empty log (no results) too
        let empty = serde_json::to_value(Log::new("analyzer", "0.1.0", None, vec![])).unwrap();
        assert!(validator.is_valid(&empty));
        // the validator is not vacuous
        let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]});
        assert!(!validator.is_valid(&bad));
    }

    const SEMGREP: &str = r#"{
      "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json",
      "version": "2.1.0",
      "runs": [{
        "invocations": [{"executionSuccessful": true, "toolExecutionNotifications": []}],
        "results": [{
          "fingerprints": {"matchBasedId/v1": "deadbeef"},
          "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "handlers/stream.py", "uriBaseId": "%SRCROOT%"},
            "region": {"endColumn": 30, "endLine": 18, "snippet": {"text": "    os.system(cmd)"}, "startColumn": 5, "startLine": 18}}}],
          "message": {"text": "Found user-controlled data used in a system call."},
          "properties": {},
          "ruleId": "python.lang.security.audit.dangerous-system-call.dangerous-system-call",
          "codeFlows": [{"threadFlows": [{"locations": [
            {"location": {"message": {"text": "Source: 'event'"}, "physicalLocation": {"artifactLocation": {"uri": "handlers/stream.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 3, "startColumn": 17, "endLine": 3, "endColumn": 22}}}, "nestingLevel": 0},
            {"location": {"message": {"text": "Sink: 'os.system(cmd)'"}, "physicalLocation": {"artifactLocation": {"uri": "handlers/stream.py", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 18, "startColumn": 5}}}, "nestingLevel": 1}
          ]}], "message": {"text": "Untrusted dataflow from 'event' to 'os.system(cmd)'"}}]
        }],
        "tool": {"driver": {"name": "Semgrep OSS", "semanticVersion": "1.50.0",
          "rules": [{"defaultConfiguration": {"level": "error"},
            "fullDescription": {"text": "Found dynamic content used in a system call."},
            "help": {"markdown": "see docs", "text": "see docs"},
            "helpUri": "https://semgrep.dev/r/x", "id": "python.lang.security.audit.dangerous-system-call.dangerous-system-call",
            "name": "python.lang.security.audit.dangerous-system-call.dangerous-system-call",
            "properties": {"precision": "very-high", "tags": ["CWE-78", "security"]},
            "shortDescription": {"text": "Semgrep Finding: dangerous-system-call"}}]}}
      }]
    }"#;

    const BANDIT: &str = r#"{
      "runs": [{
        "tool": {"driver": {"name": "Bandit", "organization": "PyCQA",
          "rules": [{"id": "B605", "name": "start_process_with_a_shell", "properties": {"tags": ["security", "external/cwe/cwe-78"], "precision": "high"}, "helpUri": "https://bandit.readthedocs.io/"}],
          "version": "1.7.5", "semanticVersion": "1.7.5"}},
        "invocations": [{"executionSuccessful": true, "endTimeUtc": "2024-01-01T00:00:00Z"}],
        "properties": {"metrics": {"_totals": {"loc": 20, "nosec": 0}}},
        "results": [{
          "message": {"text": "Starting a process with a shell, possible injection detected, security issue."},
          "level": "error",
          "locations": [{"physicalLocation": {"region": {"snippet": {"text": "    os.system(cmd)\n"}, "endColumn": 19, "endLine": 18, "startColumn": 5, "startLine": 18},
            "artifactLocation": {"uri": "/suite/inter-procedural/case-a/handlers/stream.py"},
            "contextRegion": {"snippet": {"text": "..."}, "endLine": 19, "startLine": 17}}}],
          "properties": {"issue_confidence": "HIGH", "issue_severity": "HIGH"},
          "ruleId": "B605", "ruleIndex": 0
        }]
      }],
      "version": "2.1.0",
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json"
    }"#;

    const CODEQL: &str = r#"{
      "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
      "runs": [{
        "tool": {"driver": {"name": "CodeQL", "organization": "GitHub", "semanticVersion": "2.15.0",
          "notifications": [], "rules": [{"id": "py/command-line-injection", "name": "py/command-line-injection",
            "shortDescription": {"text": "Uncontrolled command line"}, "fullDescription": {"text": "..."},
            "defaultConfiguration": {"enabled": true, "level": "error"},
            "properties": {"tags": ["security"], "kind": "path-problem", "security-severity": "9.8"}}]},
          "extensions": [{"name": "codeql/python-queries", "semanticVersion": "0.9.0"}]},
        "artifacts": [{"location": {"uri": "handlers/stream.py", "uriBaseId": "%SRCROOT%", "index": 0}}],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///suite/inter-procedural/case-a/"}},
        "results": [{
          "ruleId": "py/command-line-injection", "ruleIndex": 0, "rule": {"id": "py/command-line-injection", "index": 0},
          "message": {"text": "This command line depends on a [user-provided value](1)."},
          "locations": [{"physicalLocation": {"artifactLocation": {"uri": "handlers/stream.py", "uriBaseId": "%SRCROOT%", "index": 0}, "region": {"startLine": 18, "startColumn": 15, "endColumn": 18}}}],
          "partialFingerprints": {"primaryLocationLineHash": "abc:1", "primaryLocationStartColumnFingerprint": "10"},
          "codeFlows": [{"threadFlows": [{"locations": [
            {"location": {"physicalLocation": {"artifactLocation": {"uri": "handlers/http.py", "uriBaseId": "%SRCROOT%", "index": 1}, "region": {"startLine": 4, "startColumn": 24, "endColumn": 29}}, "message": {"text": "ControlFlowNode for event"}}},
            {"location": {"physicalLocation": {"artifactLocation": {"uri": "handlers/stream.py", "uriBaseId": "%SRCROOT%", "index": 0}, "region": {"startLine": 18, "startColumn": 15, "endColumn": 18}}, "message": {"text": "ControlFlowNode for cmd"}}}
          ]}]}],
          "relatedLocations": [{"id": 1, "physicalLocation": {"artifactLocation": {"uri": "handlers/http.py"}, "region": {"startLine": 4}}, "message": {"text": "user-provided value"}}]
        }],
        "automationDetails": {"id": "python/"},
        "columnKind": "unicodeCodePoints"
      }]
    }"#;

    #[test]
    fn reads_semgrep() {
        let mut log = Log::from_json(SEMGREP).unwrap();
        log.normalize_uris(root());
        let (run, r) = log.results().next().unwrap();
        assert_eq!(run.tool.driver.name, "Semgrep OSS");
        assert!(r.resolved_rule_id(run).unwrap().ends_with("dangerous-system-call"));
        assert_eq!(r.sink().unwrap().uri(), Some("handlers/stream.py"));
        assert_eq!(r.sink().unwrap().start_line(), Some(18));
        let src = r.sources().next().unwrap();
        assert_eq!(src.start_line(), Some(3));
        assert_eq!(src.function_name(), None);
    }

    #[test]
    fn reads_bandit() {
        let mut log = Log::from_json(BANDIT).unwrap();
        log.normalize_uris(root());
        let (run, r) = log.results().next().unwrap();
        assert_eq!(r.resolved_rule_id(run), Some("B605"));
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.sink().unwrap().uri(), Some("handlers/stream.py"));
        assert!(r.code_flows.is_empty());
    }

    #[test]
    fn reads_codeql() {
        let mut log = Log::from_json(CODEQL).unwrap();
        log.normalize_uris(Path::new("/elsewhere/checkout"));
        let (run, r) = log.results().next().unwrap();
        assert_eq!(r.resolved_rule_id(run), Some("py/command-line-injection"));
        // %SRCROOT% resolves to the case folder, whose name is in the path
        assert_eq!(r.sink().unwrap().uri(), Some("/suite/inter-procedural/case-a/handlers/stream.py"));
        let mut log = Log::from_json(CODEQL).unwrap();
        log.normalize_uris(root());
        let (_, r) = log.results().next().unwrap();
        assert_eq!(r.sink().unwrap().uri(), Some("handlers/stream.py"));
        assert_eq!(r.sources().next().unwrap().uri(), Some("handlers/http.py"));
    }

    #[test]
    fn tolerates_odd_logs() {
        // rule given only by index, unknown level, id-only message, empty runs
        let log = Log::from_json(
            r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"r0"}]}},
                "results":[{"ruleIndex":0,"level":"fatal","message":{"id":"m1"}}]}]}"#,
        )
        .unwrap();
        let (run, r) = log.results().next().unwrap();
        assert_eq!(r.resolved_rule_id(run), Some("r0"));
        assert_eq!(r.level, Some(Level::Warning));
        assert!(Log::from_json(r#"{"version":"2.1.0","runs":[]}"#).unwrap().runs.is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Logs of other tools are untrusted input: any text is a log or an
        /// error, never a panic, and URI normalisation accepts any URI.
        #[test]
        fn any_text_reads_or_fails_cleanly(parts in proptest::collection::vec("(\\{|\\}|\\[|\\]|,|:|\"runs\"|\"results\"|\"version\"|\"2.1.0\"|\"uri\"|\"locations\"|\"file:///a/../b\"|null|1|\"x\")", 0..40)) {
            let text = parts.concat();
            if let Ok(mut log) = Log::from_json(&text) {
                log.normalize_uris(root());
            }
        }
    }
}

