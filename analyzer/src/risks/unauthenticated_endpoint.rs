//! `unauthenticated-endpoint`: an HTTP route or function URL anyone can
//! call, whose function reaches a sink of a data flow from that request or
//! calls a data store. A public route that only answers from constants is
//! left alone: authentication is worth demanding where the request can do
//! harm or read what is kept; a handler that checks its caller's signature
//! (a Slack request's HMAC) authenticates the request itself.

use super::{describe, event_line, models, unauthenticated, Risk};
use crate::engine::FnRef;
use crate::outcome::Analysis;

pub fn check(a: &Analysis) -> Vec<Risk> {
    let stores = &models().data_stores.iam_prefixes;
    let is_store = |prefix: &str| stores.iter().any(|s| s == prefix);
    let mut out = Vec::new();
    for (si, s) in a.infra.services.iter().enumerate() {
        for (fi, f) in s.functions.iter().enumerate() {
            let fr = FnRef { service: si, function: fi };
            if a.signature_checked.contains(&fr) {
                continue;
            }
            let store = a
                .permission_uses
                .iter()
                .filter(|u| u.function == fr)
                .map(|u| u.action.split(':').next().unwrap_or_default())
                .chain(a.unmodelled_calls.iter().filter(|u| u.function == fr).map(|u| u.iam_prefix.as_str()))
                .find(|p| is_store(p));
            let reach = match (a.http_reaching_sinks.contains(&fr), store) {
                (true, _) => "its request reaches a sink".to_string(),
                (false, Some(service)) => format!("its function calls {service}"),
                (false, None) => continue,
            };
            for e in f.events.iter().filter(|e| unauthenticated(e)) {
                let what = describe(e);
                out.push(Risk {
                    rule: "unauthenticated-endpoint".into(),
                    file: s.file.clone(),
                    line: event_line(a, s, e),
                    function: Some(f.name.clone()),
                    message: format!("{what} of function {} has no authorizer, IAM authorization or API key, and {reach}: anyone on the internet can call it", f.name),
                    subject: what,
                });
            }
        }
    }
    out
}
