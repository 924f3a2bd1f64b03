//! `plaintext-secret`: an environment variable of the deployment file that
//! holds a secret as literal text. A secret is recognised by the variable's
//! name or by the value's shape (`crate::redact`, lists in
//! `models/risks.toml`); a value that names where the secret is kept (an
//! unresolved `${ssm:...}`, an ARN, a parameter path, a `{{resolve:...}}`),
//! that another file brought in, or that stands for a secret still to be
//! filled in (`<secret>`, `xxxxxxxx`, `your-token-here`) is not a secret in
//! plain text in this file.

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
    // `${...}` left by a variable the resolver could not follow, or a
    // misspelt one (`$(ssm:...)`): a reference, not a value.
    if t.is_empty() || t.contains("${") || t.contains("$(") || secrets.reference_prefixes.iter().any(|p| t.starts_with(p.as_str())) {
        return false;
    }
    if placeholder(name, t) {
        return false;
    }
    let upper = name.to_ascii_uppercase().replace('-', "_");
    let names_a_reference = secrets.reference_suffixes.iter().any(|s| upper.ends_with(s.as_str()));
    (secret_name(name) && !names_a_reference) || looks_like_credential(t)
}

/// A value standing for a secret to be filled in before deploying.
fn placeholder(name: &str, t: &str) -> bool {
    let secrets = &models().secrets;
    let lower = t.to_ascii_lowercase();
    let bare = |s: &str| s.to_ascii_lowercase().replace(['-', '_', '.'], "");
    let mut chars = t.chars();
    let first = chars.next();
    t.contains(char::is_whitespace)
        || (t.starts_with('<') && t.ends_with('>'))
        || first.is_some_and(|c| t.chars().all(|x| x == c))
        || secrets.placeholder_words.iter().any(|w| lower == *w)
        || secrets.placeholder_prefixes.iter().any(|p| lower.starts_with(p.as_str()))
        || bare(t) == bare(name)
}

#[cfg(test)]
mod tests {
    use super::plaintext_secret;

    #[test]
    fn placeholders_and_unresolved_variables_are_not_secrets() {
        for (name, value) in [
            ("TREND_AP_SECRET", "<secret>"),
            ("RDS_PASSWORD", "password"),
            ("MACKEREL_API_KEY", "xxxxxxxxxxxxxxxxx"),
            ("IBMQ_TOKEN", "input your token"),
            ("TWITTER_TOKEN", "twitter_token"),
            ("API_KEY", "YOUR_API_KEY_HERE"),
            ("TELEGRAM_TOKEN", "${${self:custom.env_file}:TELEGRAM_TOKEN}"),
            ("TELEGRAM_TOKEN", "$(ssm:telegram_token)"),
            ("SECRET_PREFIX", "app/dev/"),
        ] {
            assert!(!plaintext_secret(name, value), "{name}={value}");
        }
        assert!(plaintext_secret("DB_PASSWORD", "Zq8w!pL0v3r#Tm2k9xQa"));
    }

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
