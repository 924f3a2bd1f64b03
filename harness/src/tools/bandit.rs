//! Bandit's JSON report (`bandit -r APP -f json`) as SARIF.
//!
//! Bandit checks one file at a time and reports the line of a suspicious call
//! with no source, so it is scored in sink-only mode. A result is kept when
//! its test flags a call of one of the contract's sink families; tests that
//! flag imports, asserts, hard-coded secrets, weak hashes or missing timeouts
//! describe no data flow and are dropped. The rule id is the vulnerability
//! class the test corresponds to.

use analyzer::sarif::{Location, Log, Message, Result as SarifResult};
use serde::Deserialize;

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    results: Vec<Finding>,
}

#[derive(Deserialize)]
struct Finding {
    filename: String,
    line_number: u32,
    test_id: String,
    #[serde(default)]
    test_name: String,
    #[serde(default)]
    issue_text: String,
}

/// The contract's class for a Bandit test that flags a sink call, if any.
pub fn class_of(test_id: &str) -> Option<&'static str> {
    Some(match test_id {
        // exec, eval, shell commands
        "B102" | "B307" | "B602" | "B604" | "B605" | "B606" | "B609" => "code-injection",
        // SQL built from strings
        "B608" | "B611" => "sql-injection",
        // pickle/marshal/shelve, yaml.load, torch.load
        "B301" | "B302" | "B506" | "B614" => "deserialization",
        // urllib.urlopen and friends on a URL
        "B310" => "ssrf",
        _ => return None,
    })
}

pub fn to_sarif(text: &str) -> Result<Log, String> {
    let not_bandit = |e: String| format!("not a Bandit JSON report: {e}");
    // serde reads a struct from a JSON array too; a Bandit report is an object.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| not_bandit(e.to_string()))?;
    if !value.is_object() {
        return Err(not_bandit("expected an object with `results`".into()));
    }
    let report: Report = serde_json::from_value(value).map_err(|e| not_bandit(e.to_string()))?;
    let mut log = Log::new("bandit", "", Some("https://bandit.readthedocs.io"), vec![]);
    for f in report.results {
        let Some(class) = class_of(&f.test_id) else { continue };
        log.runs[0].results.push(SarifResult {
            rule_id: Some(class.to_string()),
            message: Message::text(format!("{} {}: {}", f.test_id, f.test_name, f.issue_text)),
            locations: vec![Location::at(&f.filename, f.line_number)],
            ..Default::default()
        });
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sink_tests_only() {
        let text = r#"{"errors": [], "results": [
          {"filename": "/x/case/handler.py", "line_number": 7, "test_id": "B605", "test_name": "start_process_with_a_shell",
           "issue_text": "Starting a process with a shell", "issue_severity": "HIGH", "code": "os.system(c)"},
          {"filename": "/x/case/handler.py", "line_number": 1, "test_id": "B404", "test_name": "blacklist", "issue_text": "import subprocess"},
          {"filename": "db.py", "line_number": 12, "test_id": "B608", "test_name": "hardcoded_sql_expressions", "issue_text": "SQL"}
        ]}"#;
        let log = to_sarif(text).unwrap();
        let r = &log.runs[0].results;
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].rule_id.as_deref(), Some("code-injection"));
        assert_eq!(r[0].sink().unwrap().start_line(), Some(7));
        assert_eq!(r[1].rule_id.as_deref(), Some("sql-injection"));
        assert!(r[0].code_flows.is_empty());
        assert!(to_sarif("[]").is_err());
    }
}
