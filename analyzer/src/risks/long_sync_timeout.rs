//! `long-sync-timeout`: a function whose timeout outlasts what its
//! synchronous HTTP trigger waits (`sync-timeout-limits` of
//! `models/risks.toml`). Reported at the function's key; a timeout that is
//! not a literal number is not judged.

use super::{function_line, models, Risk};
use crate::outcome::Analysis;

pub fn check(a: &Analysis) -> Vec<Risk> {
    let limits = &models().sync_timeout_limits;
    let mut out = Vec::new();
    for s in &a.infra.services {
        for f in &s.functions {
            let Some(timeout) = f.timeout.as_ref().and_then(|t| t.as_lit()).and_then(|t| t.trim().parse::<u32>().ok()) else { continue };
            // The trigger that gives up first names the problem.
            let shortest = f.events.iter().filter_map(|e| limits.get(&e.trigger).map(|l| (*l, e.trigger.name()))).min();
            let Some((limit, trigger)) = shortest.filter(|(l, _)| timeout > *l) else { continue };
            out.push(Risk {
                rule: "long-sync-timeout".into(),
                file: s.file.clone(),
                line: function_line(a, s, f),
                function: Some(f.name.clone()),
                subject: "timeout".into(),
                message: format!(
                    "function {} may run {timeout} s behind its {trigger} trigger, which gives up after about {limit} s: past that it runs, and is billed, for an answer nobody reads",
                    f.name
                ),
            });
        }
    }
    out
}
