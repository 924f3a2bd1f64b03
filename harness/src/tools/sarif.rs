//! SARIF output (ours or any SARIF-writing tool): read as it is; the reader
//! in `analyzer::sarif` tolerates other tools' logs.

use analyzer::sarif::Log;

pub fn parse(text: &str) -> Result<Log, String> {
    Log::from_json(text).map_err(|e| format!("not a SARIF log: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_and_rejects() {
        let log = analyzer::sarif::Log::new("t", "1", None, vec![]);
        assert_eq!(super::parse(&log.to_json_pretty()).unwrap(), log);
        assert!(super::parse("{").unwrap_err().starts_with("not a SARIF log"));
    }
}
