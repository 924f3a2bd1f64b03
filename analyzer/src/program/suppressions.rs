//! Suppression comments in application code, read while each file is
//! parsed (the driver's `suppress.rs` applies them):
//! `# serverless-flows: ignore[code-injection] reason`.

use serde::Serialize;

pub const MARKER: &str = "serverless-flows: ignore[";

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub file: String,
    pub line: u32,
    /// Classes it applies to; `*` for all.
    pub classes: Vec<String>,
    pub reason: String,
}

impl Suppression {
    pub fn covers(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == "*" || c == class)
    }
}

/// The suppression comments of one file's text.
pub fn parse(file: &str, text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find('#').and_then(|h| line[h..].find(MARKER).map(|m| h + m + MARKER.len())) else { continue };
        let Some(close) = line[at..].find(']') else { continue };
        let classes: Vec<String> = line[at..at + close].split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
        if classes.is_empty() {
            continue;
        }
        out.push(Suppression { file: file.to_string(), line: i as u32 + 1, classes, reason: line[at + close + 1..].trim().to_string() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_name_classes_and_a_reason() {
        let text = "a = 1\nos.system(c)  # serverless-flows: ignore[code-injection, ssrf] fixed table\nx()  # serverless-flows: ignore[*]\ny  # serverless-flows: ignore[]\n";
        let s = parse("h.py", text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].classes.clone(), s[0].reason.as_str()), (2, vec!["code-injection".to_string(), "ssrf".to_string()], "fixed table"));
        assert!(s[1].covers("anything") && s[1].reason.is_empty());
        assert!(parse("h.py", "s = 'serverless-flows: ignore[ssrf] not a comment'\n").is_empty());
    }
}
