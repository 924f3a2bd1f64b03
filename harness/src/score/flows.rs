//! Reported flows: what a SARIF log claims, reduced to what scoring compares.
//!
//! A reported flow is (sink file, sink line, ruleId, set of sources), a
//! source being the first location of one of the result's code flows: its
//! file, the function it names, and its line. Results on the same sink line
//! with the same class are merged into one reported flow whose sources are the
//! union of theirs ("reports of the same sink line and class count as one").
//! In lenient mode the class is ignored, so the merge key is the sink alone.
//! Deployment-risk results are no flows ([`super::findings`]).

use super::mode::Mode;
use analyzer::sarif::{clean_path, Location, Log};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Where a code flow starts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLoc {
    /// Path relative to the case folder.
    pub file: String,
    /// The function's short name (last dotted component of
    /// `logicalLocations[0].fullyQualifiedName`, `<module>` for module code),
    /// or `None` when the location names no function.
    pub function: Option<String>,
    /// The 1-based start line, when given.
    pub line: Option<u32>,
}

/// One distinct reported flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedFlow {
    pub file: String,
    pub line: u32,
    /// The class reported (all classes merged into this one are listed in `rule_ids`).
    pub rule_id: String,
    pub rule_ids: BTreeSet<String>,
    pub sources: BTreeSet<SourceLoc>,
}

/// The short name of the function a location names: the last dotted
/// component of its fully qualified name (`handlers.http.onPost` ->
/// `onPost`, `mod.Class.method` -> `method`, `pkg.mod.<module>` ->
/// `<module>`); a logical location of kind `module` is `<module>`.
pub fn function_of(loc: &Location) -> Option<String> {
    let first = loc.logical_locations.first()?;
    if first.kind.as_deref() == Some("module") {
        return Some("<module>".to_string());
    }
    let fqn = loc.function_name()?;
    let last = fqn.rsplit("::").next().unwrap_or(fqn);
    let last = last.rsplit('.').next().unwrap_or(last);
    (!last.is_empty()).then(|| last.to_string())
}

fn source_of(loc: &Location) -> SourceLoc {
    SourceLoc {
        file: clean_path(loc.uri().unwrap_or("")),
        function: function_of(loc),
        line: loc.start_line(),
    }
}

/// The distinct reported flows of a log whose URIs are relative to `case_dir`
/// (the log is normalised here). Results without a sink location are kept as
/// flows at file `""`, line 0: they can only be false positives.
pub fn reported_flows(log: &Log, case_dir: &Path, mode: Mode) -> Vec<ReportedFlow> {
    let mut log = log.clone();
    log.normalize_uris(case_dir);
    let mut merged: BTreeMap<(String, u32, String), ReportedFlow> = BTreeMap::new();
    for (run, result) in log.results().filter(|(run, r)| !super::findings::is_finding(run, r)) {
        let rule_id = result.resolved_rule_id(run).unwrap_or("").to_string();
        let (file, line) = match result.sink() {
            Some(l) => (clean_path(l.uri().unwrap_or("")), l.start_line().unwrap_or(0)),
            None => (String::new(), 0),
        };
        let key_rule = if mode.lenient { String::new() } else { rule_id.clone() };
        let flow = merged.entry((file.clone(), line, key_rule)).or_insert_with(|| ReportedFlow {
            file,
            line,
            rule_id: rule_id.clone(),
            rule_ids: BTreeSet::new(),
            sources: BTreeSet::new(),
        });
        flow.rule_ids.insert(rule_id);
        flow.sources.extend(result.sources().map(source_of));
    }
    merged.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use analyzer::sarif::{CodeFlow, Result as SarifResult};

    fn result(rule: &str, file: &str, line: u32, sources: &[(&str, u32, Option<&str>)]) -> SarifResult {
        SarifResult {
            rule_id: Some(rule.into()),
            locations: vec![Location::at(file, line)],
            code_flows: sources
                .iter()
                .map(|(f, l, func)| {
                    let mut src = Location::at(f, *l);
                    if let Some(func) = func {
                        src = src.in_function(func, "function");
                    }
                    CodeFlow::through(vec![src, Location::at(file, line)])
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn merges_same_line_and_class() {
        let mut log = Log::new("t", "1", None, vec![]);
        log.runs[0].results = vec![
            result("code-injection", "./h/a.py", 3, &[("h/b.py", 1, Some("h.b.f"))]),
            result("code-injection", "h\\a.py", 3, &[("h/c.py", 2, Some("h.c.g"))]),
            result("ssrf", "h/a.py", 3, &[]),
        ];
        let flows = reported_flows(&log, Path::new("/x/case"), Mode::STRICT);
        assert_eq!(flows.len(), 2);
        assert_eq!(flows[0].sources.len(), 2);
        assert_eq!(flows[0].file, "h/a.py");
        let lenient = reported_flows(&log, Path::new("/x/case"), Mode { lenient: true, sink_only: false });
        assert_eq!(lenient.len(), 1);
        assert_eq!(lenient[0].rule_ids.len(), 2);
    }

    #[test]
    fn function_names() {
        let f = |fqn: &str, kind: &str| function_of(&Location::at("a.py", 1).in_function(fqn, kind));
        assert_eq!(f("handlers.httphandler.onHTTPPostEvent", "function").as_deref(), Some("onHTTPPostEvent"));
        assert_eq!(f("handlers.db.Store.put", "function").as_deref(), Some("put"));
        assert_eq!(f("handlers.cli.<module>", "module").as_deref(), Some("<module>"));
        assert_eq!(f("handlers.cli", "module").as_deref(), Some("<module>"));
        assert_eq!(function_of(&Location::at("a.py", 1)), None);
    }
}
