//! `plaintext-secret`: an environment variable of the deployment file that
//! holds a secret as literal text. A secret is recognised by the variable's
//! name or by the value's shape (`crate::redact`, lists in
//! `models/secrets.toml`); a value that names where the secret is kept (an
//! unresolved `${ssm:...}`, an ARN, a parameter path, a `{{resolve:...}}`),
//! that another file brought in, or that stands for a secret still to be
//! filled in (`<secret>`, `xxxxxxxx`, `your-token-here`) is not a secret in
//! plain text in this file.

use super::Risk;
use crate::outcome::Analysis;
use crate::secrets::plaintext_secret;

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
