//! What is a secret: variable names that say so, values shaped like a
//! credential, references to where secrets are kept (`${ssm:...}`,
//! `{{resolve:secretsmanager:...}}`) and placeholders that are none. The
//! word lists are data (`models/secrets.toml`); the
//! `plaintext-secret` rule, redaction of shown values and the secret
//! sources of the taint analysis all ask here.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::sym::{Piece, SymStr};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
/// The word lists of `models/secrets.toml`.
pub struct Secrets {
    pub names: Vec<String>,
    pub reference_suffixes: Vec<String>,
    pub reference_prefixes: Vec<String>,
    pub placeholder_words: Vec<String>,
    pub placeholder_prefixes: Vec<String>,
    pub public_fields: Vec<String>,
    pub generic_words: Vec<String>,
}

/// The built-in word lists.
pub fn models() -> &'static Secrets {
    static PARSED: OnceLock<Secrets> = OnceLock::new();
    PARSED.get_or_init(|| toml::from_str(include_str!("../models/secrets.toml")).expect("models/secrets.toml is checked by the tests"))
}

/// Whether an environment variable of this name holds a secret (the
/// `names` of `models/secrets.toml`, which the `plaintext-secret`
/// rule reads too).
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    models().names.iter().any(|s| upper.contains(s.as_str()))
}

/// The words of a secret's variable name that say whose it is
/// (`STRIPE_SECRET_KEY` -> `stripe`): lower-case, four letters or more,
/// not one of the `generic-words` of `models/secrets.toml`.
pub fn service_words(name: &str) -> Vec<String> {
    let generic = &models().generic_words;
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .map(str::to_ascii_lowercase)
        .filter(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_alphabetic()) && !generic.contains(w))
        .collect()
}

/// Whether a request to `host` sends the secret named `name` to another
/// service than its own: the name says whose it is and the host does not
/// carry that word. `None` when the name says nothing.
pub fn sent_elsewhere(name: &str, host: &str) -> Option<bool> {
    let words = service_words(name);
    if words.is_empty() {
        return None;
    }
    let host = host.to_ascii_lowercase();
    Some(!words.iter().any(|w| host.contains(w.as_str())))
}

/// Whether a literal text looks like a credential whatever its name.
pub fn looks_like_credential(text: &str) -> bool {
    let t = text.trim();
    let aws_key_id = t.len() == 20 && (t.starts_with("AKIA") || t.starts_with("ASIA")) && t.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let private_key = t.contains("PRIVATE KEY-----");
    let random = t.len() >= 32 && !t.contains(char::is_whitespace) && !t.contains("://") && !t.contains('/') && {
        let classes = [t.chars().any(|c| c.is_ascii_lowercase()), t.chars().any(|c| c.is_ascii_uppercase()), t.chars().any(|c| c.is_ascii_digit())];
        classes.iter().filter(|&&b| b).count() >= 3
    };
    aws_key_id || private_key || random
}

/// Whether an environment variable of a function holds secret material
/// at run time: filled at deployment from Secrets Manager or a secure
/// parameter (`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`,
/// `${ssm:/aws/reference/secretsmanager/...}`), from an SSM parameter,
/// another file or a template parameter under a secret's name, or given a
/// secret in plain text.
/// A reference to where a secret is kept (`DB_SECRET_ARN`, a parameter
/// path) is not the secret.
pub fn holds_secret(name: &str, value: &SymStr, from_file: bool) -> bool {
    let secrets = &models();
    let names_reference = |name: &str| {
        let upper = name.to_ascii_uppercase().replace('-', "_");
        secrets.reference_suffixes.iter().any(|s| upper.ends_with(s.as_str()))
    };
    let names_secret = |name: &str| secret_name(name) && !names_reference(name);
    let named_secret = names_secret(name);
    let pieces = value.pieces();
    let resolved_secret = pieces.iter().any(|p| match p {
        Piece::Lit(l) => l.contains("{{resolve:secretsmanager:") || l.contains("{{resolve:ssm-secure:"),
        Piece::Any(n) => {
            let ssm = n.strip_prefix("ssm:").or_else(|| n.strip_prefix("ssm(")).unwrap_or("");
            // A SecureString (`~true`) under an identifier's name
            // (`SLACK_APP_ID`) was encrypted by habit, not because it is one.
            let secure = ssm.ends_with("~true") && !names_reference(name);
            !ssm.is_empty() && (ssm.contains("/aws/reference/secretsmanager/") || secure || named_secret || names_secret(ssm.rsplit('/').next().unwrap_or(ssm)))
        }
    });
    let literal = value.as_lit().is_some_and(|t| plaintext_secret(name, t));
    // A secret's name filled at deployment by what the file cannot see (a
    // template parameter, another file, the deploying shell's environment).
    let filled_later = named_secret && (from_file || !value.is_known());
    resolved_secret || literal || filled_later
}

/// Whether a field of a secret's JSON (`username`, `db_host`, `bot_user`)
/// tells where or for whom the secret is rather than holding it.
pub fn public_field(key: &str) -> bool {
    let last = key.rsplit(['_', '-']).next().unwrap_or(key);
    models().public_fields.iter().any(|f| f.eq_ignore_ascii_case(last)) && !secret_name(key)
}

/// A literal value that is a secret written in plain text: named as one
/// or shaped like one, and neither a reference to where a secret is kept
/// nor a placeholder.
pub fn plaintext_secret(name: &str, text: &str) -> bool {
    let secrets = &models();
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
    let secrets = &models();
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
    use super::*;

    #[test]
    fn a_secret_goes_elsewhere_when_the_host_lacks_its_service() {
        assert_eq!(service_words("STRIPE_SECRET_KEY"), ["stripe"]);
        assert_eq!(sent_elsewhere("STRIPE_SECRET_KEY", "hooks.slack.com"), Some(true));
        assert_eq!(sent_elsewhere("STRIPE_SECRET_KEY", "api.stripe.com"), Some(false));
        assert_eq!(sent_elsewhere("TELEGRAM_BOT_TOKEN", "api.telegram.org"), Some(false));
        assert_eq!(sent_elsewhere("API_TOKEN", "example.org"), None, "the name says whose it is not");
    }

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

    #[test]
    fn secrets_at_run_time() {
        assert!(holds_secret("DB_PASSWORD", &SymStr::any("ssm:/prod/db/password"), false));
        assert!(holds_secret("DB", &SymStr::any("ssm:/prod/db/password"), false));
        assert!(holds_secret("CONN", &SymStr::any("ssm:/aws/reference/secretsmanager/prod/db"), false));
        assert!(holds_secret("CONN", &SymStr::lit("{{resolve:secretsmanager:prod/db:SecretString:password}}"), false));
        assert!(holds_secret("API_TOKEN", &SymStr::any("file(secrets.yml):token"), true));
        assert!(holds_secret("DB_PASSWORD", &SymStr::lit("hunter2"), false));
        assert!(!holds_secret("TABLE", &SymStr::any("ssm:/prod/table-name"), false));
        assert!(!holds_secret("DB_SECRET_ARN", &SymStr::any("ssm:/prod/db/secret-arn"), false));
        assert!(!holds_secret("DB_PASSWORD", &SymStr::lit("/prod/db/password"), false));
        assert!(!holds_secret("TABLE", &SymStr::lit("orders"), false));
        assert!(holds_secret("SMS_GATEWAY_PASSWORD", &SymStr::any("Ref"), false));
        assert!(!holds_secret("TABLE", &SymStr::any("Ref"), false));
        assert!(holds_secret("SLACK_CLIENT_SECRET", &SymStr::any("ssm:/prod/bot/client_secret~true"), false));
        assert!(!holds_secret("SLACK_APP_ID", &SymStr::any("ssm:/prod/bot/app_id~true"), false));
    }

    #[test]
    fn fields_that_say_where_a_secret_is_for() {
        for key in ["username", "host", "port", "dbname", "bot_user", "jenkins_username", "db-host"] {
            assert!(public_field(key), "{key}");
        }
        for key in ["password", "github_personal_access_token", "webhook_secret", "api_key", "user_token"] {
            assert!(!public_field(key), "{key}");
        }
    }
}
