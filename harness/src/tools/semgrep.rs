//! Semgrep output as SARIF: its JSON (`--json --dataflow-traces`) or its own
//! SARIF (`--sarif`), told apart by content.
//!
//! From JSON, each result is a sink at `path:start.line`; its class is
//! `extra.metadata.vulnerability` (our rules set it), else the last dotted
//! component of `check_id`; the taint trace's source location, when present,
//! becomes a one-step code flow (source, sink). The scorer places a source
//! without a function name in the innermost `def` holding its line.

use analyzer::sarif::{CodeFlow, Location, Log, Message, Result as SarifResult};
use serde_json::Value;

pub fn to_sarif(text: &str) -> Result<Log, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not Semgrep output: {e}"))?;
    if v.get("runs").is_some() {
        return super::sarif::parse(text);
    }
    let results = v.get("results").and_then(Value::as_array).ok_or("not Semgrep JSON: no `results`")?;
    let mut log = Log::new("semgrep", v.get("version").and_then(Value::as_str).unwrap_or(""), Some("https://semgrep.dev"), vec![]);
    for r in results {
        let path = r.get("path").and_then(Value::as_str).unwrap_or("");
        let line = r.pointer("/start/line").and_then(Value::as_u64).unwrap_or(0) as u32;
        let check_id = r.get("check_id").and_then(Value::as_str).unwrap_or("");
        let class = r
            .pointer("/extra/metadata/vulnerability")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| check_id.rsplit('.').next().unwrap_or(check_id).to_string());
        let sink = Location::at(path, line);
        let code_flows = r
            .pointer("/extra/dataflow_trace/taint_source")
            .and_then(first_location)
            .map(|(p, l)| vec![CodeFlow::through(vec![Location::at(&p, l), sink.clone()])])
            .unwrap_or_default();
        log.runs[0].results.push(SarifResult {
            rule_id: Some(class),
            message: Message::text(format!(
                "{check_id}: {}",
                r.pointer("/extra/message").and_then(Value::as_str).unwrap_or("")
            )),
            locations: vec![sink],
            code_flows,
            ..Default::default()
        });
    }
    Ok(log)
}

/// The first `{path, start: {line}}` object inside a trace node (Semgrep
/// nests them as `["CliLoc", [loc, content]]` or `["CliCall", [[loc, ..], ..]]`).
fn first_location(v: &Value) -> Option<(String, u32)> {
    match v {
        Value::Object(m) => {
            if let (Some(p), Some(l)) = (m.get("path").and_then(Value::as_str), v.pointer("/start/line").and_then(Value::as_u64)) {
                return Some((p.to_string(), l as u32));
            }
            m.values().find_map(first_location)
        }
        Value::Array(a) => a.iter().find_map(first_location),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_with_trace() {
        let text = r#"{"version": "1.100.0", "errors": [], "results": [
          {"check_id": "work.harness.tools.code-injection-shell", "path": "/c/app/handler.py",
           "start": {"line": 9, "col": 5}, "end": {"line": 9, "col": 20},
           "extra": {"message": "shell", "metadata": {"vulnerability": "code-injection"},
             "dataflow_trace": {"taint_source": ["CliLoc", [{"path": "/c/app/handler.py", "start": {"line": 4, "col": 9}, "end": {"line": 4, "col": 14}}, "event"]],
                                "taint_sink": ["CliLoc", [{"path": "/c/app/handler.py", "start": {"line": 9}}, "os.system(x)"]]}}},
          {"check_id": "a.b.sql-injection", "path": "db.py", "start": {"line": 3}, "extra": {"message": "m"}}
        ]}"#;
        let log = to_sarif(text).unwrap();
        let r = &log.runs[0].results;
        assert_eq!(r[0].rule_id.as_deref(), Some("code-injection"));
        assert_eq!(r[0].sources().next().unwrap().start_line(), Some(4));
        assert_eq!(r[0].sink().unwrap().start_line(), Some(9));
        assert_eq!(r[1].rule_id.as_deref(), Some("sql-injection"));
        assert!(r[1].code_flows.is_empty());
    }

    #[test]
    fn sarif_passes_through() {
        let log = Log::new("semgrep", "1", None, vec![]);
        assert_eq!(to_sarif(&log.to_json_pretty()).unwrap(), log);
        assert!(to_sarif("{}").is_err());
    }
}
