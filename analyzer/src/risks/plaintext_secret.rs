//! `plaintext-secret`: an environment variable of the deployment file that
//! holds a secret as literal text. A secret is recognised by the variable's
//! name or by the value's shape (`crate::redact`, lists in
//! `models/risks.toml`); a value that names where the secret is kept (an
//! unresolved `${ssm:...}`, an ARN, a parameter path, a `{{resolve:...}}`)
//! or that another file brought in is not plain text in this file.

use super::{models, Risk};
use crate::analysis::Analysis;
use crate::redact::{looks_like_credential, secret_name};

pub fn check(a: &Analysis) -> Vec<Risk> {
    let mut out = Vec::new();
    for s in &a.infra.services {
        for f in &s.functions {
            for (name, value) in &f.environment {
                let Some(text) = value.as_lit() else { continue };
                if f.env_from_files.contains(name) || !plaintext_secret(name, text) {
                    continue;
                }
                out.push(Risk {
                    rule: "plaintext-secret".into(),
                    file: s.file.clone(),
                    line: f.env_lines.get(name).copied().unwrap_or(f.line),
                    // Provider-wide variables are one result, not one per function.
                    function: None,
                    subject: format!("env {name}"),
                    message: format!("environment variable {name} holds a secret in plain text ({} characters); keep it in Secrets Manager or SSM Parameter Store and pass a reference", text.chars().count()),
                });
            }
        }
    }
    out
}

fn plaintext_secret(name: &str, text: &str) -> bool {
    let secrets = &models().secrets;
    let t = text.trim();
    if t.is_empty() || secrets.reference_prefixes.iter().any(|p| t.starts_with(p.as_str())) {
        return false;
    }
    let upper = name.to_ascii_uppercase().replace('-', "_");
    let names_a_reference = secrets.reference_suffixes.iter().any(|s| upper.ends_with(s.as_str()));
    (secret_name(name) && !names_a_reference) || looks_like_credential(t)
}

#[cfg(test)]
mod tests {
    use super::plaintext_secret;

    #[test]
    fn names_values_and_references() {
        assert!(plaintext_secret("DB_PASSWORD", "hunter2"));
        assert!(plaintext_secret("stripe-api-key", "sk_live_x"));
        assert!(plaintext_secret("KEY_ID", "AKIAIOSFODNN7EXAMPLE"));
        assert!(!plaintext_secret("DB_PASSWORD", "/prod/db/password"));
        assert!(!plaintext_secret("DB_SECRET_ARN", "prod-db"));
        assert!(!plaintext_secret("TOKEN_TABLE", "tokens-dev"));
        assert!(!plaintext_secret("API_KEY", "{{resolve:secretsmanager:api:SecretString:key}}"));
        assert!(!plaintext_secret("API_KEY", ""));
        assert!(!plaintext_secret("TABLE", "orders-dev"));
    }
}
