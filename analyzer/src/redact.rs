//! Values that may be secrets are shown redacted: the outputs of `infra`
//! end up in CI logs and published tables, and a deployment file's
//! environment often carries a password or key in plain text.
//!
//! A value is redacted when it came from another file (`${file(...)}`,
//! where secrets are kept out of the deployment file), when its variable's
//! name says it holds a secret (`PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`,
//! `PRIVATE_KEY`, `CREDENTIAL`, `ACCESS_KEY`...) or when its text looks like
//! a credential (an AWS access key id, a private key block, a long
//! random-looking string). Unresolved
//! references (`${ssm:/db/password}`) name where a secret is, not the
//! secret, and are kept. `--show-values` turns redaction off.

use crate::secrets::{looks_like_credential, secret_name};
use crate::sym::{Piece, SymStr};

/// The value as it may be shown: its literal pieces replaced by a
/// placeholder when the variable or the text is secret.
pub fn env_value(name: &str, value: &SymStr, from_file: bool) -> SymStr {
    let literal: String = value.pieces().iter().filter_map(|p| if let Piece::Lit(l) = p { Some(l.as_str()) } else { None }).collect();
    if literal.is_empty() || !(from_file || secret_name(name) || looks_like_credential(&literal)) {
        return value.clone();
    }
    let mut out = SymStr::default();
    for p in value.pieces() {
        match p {
            Piece::Lit(l) => out.push_lit(&format!("<redacted: {} chars>", l.chars().count())),
            Piece::Any(n) => out.push_any(n),
        }
    }
    out
}

/// Redacts every function's environment in a model about to be shown.
pub fn model(m: &mut crate::infra::model::InfraModel) {
    for f in m.services.iter_mut().flat_map(|s| s.functions.iter_mut()) {
        for (name, value) in f.environment.iter_mut() {
            *value = env_value(name, value, f.env_from_files.contains(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_by_name_or_shape_and_references_kept() {
        assert_eq!(env_value("DB_PASSWORD", &SymStr::lit("hunter2"), false).to_string(), "<redacted: 7 chars>");
        assert_eq!(env_value("KEY_ID", &SymStr::lit("AKIAIOSFODNN7EXAMPLE"), false).to_string(), "<redacted: 20 chars>");
        assert_eq!(env_value("SIGNING", &SymStr::lit("wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"), false).to_string(), "<redacted: 38 chars>");
        assert_eq!(env_value("TABLE", &SymStr::lit("orders-dev"), false).to_string(), "orders-dev");
        assert_eq!(env_value("DB_HOST", &SymStr::lit("db.internal"), true).to_string(), "<redacted: 11 chars>");
        assert_eq!(env_value("API_URL", &SymStr::lit("https://api.example.com/v1/abcdefghijklmnopqrstuvwxyzABCDEF0123"), false).to_string(), "https://api.example.com/v1/abcdefghijklmnopqrstuvwxyzABCDEF0123");
        let reference = SymStr::any("ssm:/db/password");
        assert_eq!(env_value("DB_PASSWORD", &reference, true), reference);
    }
}
