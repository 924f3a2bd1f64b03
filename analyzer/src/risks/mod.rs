//! Deployment risks (issue 17): what the deployment file gets wrong, judged
//! from the infrastructure model and from what the analysis saw the code
//! do. Each rule is a module with one `check` that returns its results;
//! their documentation, lists and thresholds are data
//! (`models/risks.toml`). A risk is one SARIF result at the line of the
//! offending element of the deployment file (a function, an event, an
//! environment variable, an IAM statement), with no code flow; its rule is
//! in the driver's rules beside the vulnerability classes, tagged
//! `deployment-risk` (see docs/ground-truth.md).

mod long_sync_timeout;
mod plaintext_secret;
mod unauthenticated_endpoint;
mod unbounded_concurrency;
mod undefined_trigger_resource;
mod unused_function;
mod unused_permission;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::outcome::Analysis;
pub use crate::outcome::Risk;
use crate::infra::model::{Event, Framework, Function, Service, Trigger};
use crate::rule_doc::ClassDoc;


/// `models/risks.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RiskModels {
    pub rule: Vec<ClassDoc>,
    pub data_stores: DataStores,
    pub public: Public,
    /// Seconds each synchronous trigger waits, by trigger name.
    pub sync_timeout_limits: BTreeMap<Trigger, u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DataStores {
    pub iam_prefixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Public {
    pub triggers: Vec<Trigger>,
}

const MODELS: &str = include_str!("../../models/risks.toml");

pub fn models() -> &'static RiskModels {
    static PARSED: OnceLock<RiskModels> = OnceLock::new();
    PARSED.get_or_init(|| toml::from_str(MODELS).expect("models/risks.toml is checked by the tests"))
}

/// An HTTP event anyone on the internet can call: a public trigger with
/// no authorizer, IAM authorization or API key.
fn unauthenticated(e: &Event) -> bool {
    models().public.triggers.contains(&e.trigger) && e.http.as_ref().is_some_and(|h| !h.authorizer)
}

/// How an event is named in messages and fingerprints: `http POST /orders`,
/// `function-url`.
fn describe(e: &Event) -> String {
    match e.http.as_ref().filter(|h| h.method.is_some() || h.path.is_some()) {
        Some(h) => {
            let path = h.path.as_deref().unwrap_or("/");
            let slash = if path.starts_with('/') { "" } else { "/" };
            format!("{} {} {slash}{path}", e.trigger.name(), h.method.as_deref().unwrap_or("ANY"))
        }
        None => e.trigger.name().to_string(),
    }
}

/// The line of the key that holds the YAML value starting at `line` (the
/// model places a function or an event at its value's first line): the
/// line itself when it holds `key:` (`url: true`), else the nearest line
/// above indented less than it.
fn key_line(a: &Analysis, file: &str, line: u32, key: Option<&str>) -> u32 {
    let Ok(text) = crate::confine::read_text(&a.app, file) else { return line };
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines.get((line as usize).wrapping_sub(1)) else { return line };
    let indent = |l: &str| l.len() - l.trim_start().len();
    if key.is_some_and(|k| at.trim_start().trim_start_matches("- ").starts_with(&format!("{k}:"))) {
        return line;
    }
    let content = |l: &&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    (0..line as usize - 1).rev().find(|&i| content(&lines[i]) && indent(lines[i]) < indent(at)).map_or(line, |i| i as u32 + 1)
}

/// Where a function is declared: its key under `functions:` or its
/// logical ID.
fn function_line(a: &Analysis, s: &Service, f: &Function) -> u32 {
    key_line(a, &s.file, f.line, Some(&f.name))
}

/// Where an event is declared: a Serverless event's list item, the `url:`
/// key, a SAM event's name, `FunctionUrlConfig`, or the resource that
/// routes to the function.
fn event_line(a: &Analysis, s: &Service, e: &Event) -> u32 {
    match (s.framework, e.raw_type.as_str()) {
        (Framework::Serverless, "url") => key_line(a, &s.file, e.line, Some("url")),
        (Framework::Serverless, raw) if !raw.starts_with("AWS::") => e.line,
        (_, "FunctionUrlConfig") => key_line(a, &s.file, e.line, Some("FunctionUrlConfig")),
        _ => key_line(a, &s.file, e.line, None),
    }
}

/// Every risk of the analysed application, minus the rules the options
/// disable, sorted by file and line.
pub fn detect(a: &Analysis) -> Vec<Risk> {
    let mut out = Vec::new();
    out.extend(unauthenticated_endpoint::check(a));
    out.extend(plaintext_secret::check(a));
    out.extend(unbounded_concurrency::check(a));
    out.extend(long_sync_timeout::check(a));
    out.extend(unused_function::check(a));
    out.extend(undefined_trigger_resource::check(a));
    out.extend(unused_permission::check(a));
    out.sort_by(|x, y| (&x.file, x.line, &x.rule, &x.subject).cmp(&(&y.file, y.line, &y.rule, &y.subject)));
    out.dedup_by(|x, y| (&x.file, x.line, &x.rule, &x.subject) == (&y.file, y.line, &y.rule, &y.subject));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_file_reads_and_names_every_rule_once() {
        let ids: Vec<&str> = models().rule.iter().map(|r| r.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids.len(), sorted.len(), "{ids:?}");
        assert_eq!(ids.len(), 7);
        for t in &models().public.triggers {
            assert!(models().sync_timeout_limits.contains_key(t), "no timeout limit for public trigger {}", t.name());
        }
    }
}
