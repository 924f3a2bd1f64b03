//! Pysa's `taint-output.json` (JSON lines; `kind: "issue"` records) as SARIF.
//!
//! An issue names the callable where a source meets a sink, its position
//! (`filename`, `line`) and its traces. The sink is the issue's position; the
//! source is the first root of the forward trace (its position; a `root`
//! source lies in the issue's callable, so it carries that function name).
//! Pysa's rule codes are numbers, so the tool is scored leniently; the rule id
//! is `pysa-<code>`.

use analyzer::sarif::{CodeFlow, Location, Log, Message, Result as SarifResult};
use serde_json::Value;

pub fn to_sarif(text: &str) -> Result<Log, String> {
    let mut log = Log::new("pysa", "", Some("https://pyre-check.org/docs/pysa-basics/"), vec![]);
    let mut records = 0;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: not Pysa output: {e}", i + 1))?;
        records += 1;
        if v.get("kind").and_then(Value::as_str) != Some("issue") {
            continue;
        }
        let d = &v["data"];
        let file = d.get("filename").and_then(Value::as_str).unwrap_or("");
        let line_no = d.get("line").and_then(Value::as_u64).unwrap_or(0) as u32;
        let callable = d.get("callable").and_then(Value::as_str).unwrap_or("");
        let code = d.get("code").and_then(Value::as_u64).unwrap_or(0);
        let sink = Location::at(file, line_no);
        let source = d
            .get("traces")
            .and_then(Value::as_array)
            .and_then(|ts| ts.iter().find(|t| t.get("name").and_then(Value::as_str) == Some("forward")))
            .and_then(|t| t.get("roots")?.as_array()?.first().cloned())
            .and_then(|root| {
                if let Some(r) = root.get("root") {
                    let loc = Location::at(r.get("filename")?.as_str()?, r.get("line")?.as_u64()? as u32);
                    Some(if callable.is_empty() { loc } else { loc.in_function(callable, "function") })
                } else {
                    let p = root.pointer("/call/position")?;
                    Some(Location::at(p.get("filename")?.as_str()?, p.get("line")?.as_u64()? as u32))
                }
            });
        log.runs[0].results.push(SarifResult {
            rule_id: Some(format!("pysa-{code}")),
            message: Message::text(d.get("message").and_then(Value::as_str).unwrap_or("").to_string()),
            locations: vec![sink.clone()],
            code_flows: source.map(|s| vec![CodeFlow::through(vec![s, sink])]).unwrap_or_default(),
            ..Default::default()
        });
    }
    if records == 0 {
        return Err("empty Pysa output".into());
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_become_flows() {
        let text = concat!(
            r#"{"file_version": 3, "config": {}}"#,
            "\n",
            r#"{"kind": "model", "data": {"callable": "x"}}"#,
            "\n",
            r#"{"kind": "issue", "data": {"callable": "handler.handle", "callable_line": 3, "code": 5001, "line": 6, "start": 4, "end": 20, "filename": "handler.py", "message": "user data to RCE", "traces": [{"name": "forward", "roots": [{"root": {"filename": "handler.py", "line": 3, "start": 11, "end": 16}, "leaves": [{"kind": "UserControlled"}]}]}, {"name": "backward", "roots": []}]}}"#,
            "\n"
        );
        let log = to_sarif(text).unwrap();
        let r = &log.runs[0].results;
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].rule_id.as_deref(), Some("pysa-5001"));
        assert_eq!(r[0].sink().unwrap().start_line(), Some(6));
        let src = r[0].sources().next().unwrap();
        assert_eq!((src.start_line(), src.function_name()), (Some(3), Some("handler.handle")));
        assert!(to_sarif("").is_err());
    }
}
