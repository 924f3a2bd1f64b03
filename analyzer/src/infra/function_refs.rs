//! How deployment files refer to a function: by key, by the logical ID
//! Serverless derives from the key, by physical name, or by ARN (with or
//! without a version or alias), and which function of a service such a
//! reference names.

use crate::sym::SymStr;

/// Serverless' logical-ID spelling of a function key (`get-user` ->
/// `GetDashuser`).
pub fn normalize_name(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
    }
    for c in chars {
        match c {
            '-' => out.push_str("Dash"),
            '_' => out.push_str("Underscore"),
            c => out.push(c),
        }
    }
    out
}

/// The function name in a Lambda ARN, a plain name, or an ARN with a
/// version/alias qualifier.
pub fn lambda_name(r: &SymStr) -> String {
    let text = r.to_string();
    let rest = match text.rfind(":function:") {
        Some(i) => &text[i + ":function:".len()..],
        None if text.starts_with("arn:") => return text,
        None => &text,
    };
    strip_qualifier(rest).to_string()
}

/// Cuts `:alias` / `:$LATEST`, skipping colons inside `${?...}` notes.
fn strip_qualifier(s: &str) -> &str {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"${?") {
            match s[i..].find('}') {
                Some(e) => {
                    i += e + 1;
                    continue;
                }
                None => return s,
            }
        }
        if b[i] == b':' {
            return &s[..i];
        }
        i += 1;
    }
    s
}

/// The function (key under `functions:`/logical ID) a Lambda reference
/// names, matched on physical names.
pub fn match_function(functions: &[(String, SymStr)], r: &SymStr) -> Option<String> {
    let name = lambda_name(r);
    functions
        .iter()
        .find(|(_, phys)| phys.to_string() == name)
        .or_else(|| functions.iter().find(|(key, _)| *key == name))
        .map(|(k, _)| k.clone())
}
