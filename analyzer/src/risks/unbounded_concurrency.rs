//! `unbounded-concurrency`: a function anyone can invoke over HTTP with
//! nothing to cap how many copies run: no reserved concurrency on the
//! function and no throttling on the route. One result per function, at
//! its key: the fix is on the function.

use super::{describe, function_line, unauthenticated, Risk};
use crate::outcome::Analysis;

pub fn check(a: &Analysis) -> Vec<Risk> {
    let mut out = Vec::new();
    for s in &a.infra.services {
        for f in s.functions.iter().filter(|f| f.reserved_concurrency.is_none()) {
            let open: Vec<String> = f.events.iter().filter(|e| unauthenticated(e) && !e.http.as_ref().is_some_and(|h| h.throttled)).map(describe).collect();
            if open.is_empty() {
                continue;
            }
            out.push(Risk {
                rule: "unbounded-concurrency".into(),
                file: s.file.clone(),
                line: function_line(a, s, f),
                function: Some(f.name.clone()),
                subject: "reserved concurrency".into(),
                message: format!(
                    "function {} is public ({}) with no reserved concurrency and no throttling: a flood of requests scales it, and the bill, up to the account's limit",
                    f.name,
                    open.join(", ")
                ),
            });
        }
    }
    out
}
