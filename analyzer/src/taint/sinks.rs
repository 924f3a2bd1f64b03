//! Sink checks of library calls: which arguments of a call a sink model
//! reads, and the conditions under which it is one (a shell, a URL whose
//! host the code does not fix, an unsafe YAML loader, a path that may
//! leave a file the code created, a secret sent to a host other than its
//! own).

use crate::sym::{Piece, SymStr};

use super::interp::{Args, Interp};
use super::label::{Site, SourceKind, Taint};
use super::models::{CallModels, Condition, SinkModel};
use super::value::{names_created_file, Kind, Value};

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// Checks every sink model that matches the callee.
    pub(super) fn check_sinks(&mut self, path: &str, models: &CallModels, callee: &Value, args: &Args, site: &Site) {
        for sink in &models.sinks {
            let mut foreign_host = None;
            if let Some(cond) = sink.condition {
                if cond == Condition::ForeignHost {
                    let url = sink.args.first().and_then(|&i| args.pos.get(i)).or_else(|| args.kw("url"));
                    match url.and_then(|u| u.str.as_ref()).and_then(literal_host) {
                        Some(host) => foreign_host = Some(host),
                        None => continue,
                    }
                } else if !condition_holds(cond, &sink, args, &|n| self.ctx.configured_note(n)) {
                    continue;
                }
            }
            // A path that starts with a file the code created reaches no
            // other file; the call's other paths (`os.rename`'s target)
            // still count.
            let counts = |v: &Value| sink.condition != Some(Condition::PathOpen) || !v.str.as_ref().is_some_and(names_created_file);
            let mut taint = Taint::new();
            for v in sink.args.iter().filter_map(|&i| args.pos.get(i)).chain(sink.keywords.iter().filter_map(|k| args.kw(k))) {
                if counts(v) {
                    taint.union(&v.deep_taint());
                }
            }
            if let Some(s) = &args.spread {
                taint.union(&s.deep_taint());
            }
            if sink.receiver {
                taint.union(&callee.taint);
            }
            if let Some(host) = &foreign_host {
                let labels = &self.world.labels;
                taint.retain(|&l| {
                    let source = labels.source_of(l);
                    let name = source.what.strip_prefix("env ").filter(|_| source.kind == SourceKind::Env);
                    name.and_then(|n| crate::secrets::sent_elsewhere(n, host)) == Some(true)
                });
            }
            let name = sink.report_as.clone().unwrap_or_else(|| path.to_string());
            self.world.add_findings(&sink.vulnerability, &name, site, &taint);
        }
    }
}

fn condition_holds(cond: Condition, sink: &SinkModel, args: &Args, configured: &dyn Fn(&str) -> bool) -> bool {
    match cond {
        Condition::UrlHostOpen => {
            let url = sink.args.iter().find_map(|&i| args.pos.get(i)).or_else(|| sink.keywords.iter().find_map(|k| args.kw(k)));
            !url.and_then(|v| v.str.as_ref()).is_some_and(|u| host_is_fixed(u, configured))
        }
        Condition::Shell => {
            let shell = args.kw("shell").map(|v| v.str.as_ref().and_then(|s| s.as_lit()) != Some("False")).unwrap_or(false);
            let command_is_string = args.get(0, "args").map(|v| v.kind == Kind::Str || v.str.is_some()).unwrap_or(false);
            shell || command_is_string
        }
        // Decided in `check_sinks`, for each secret and each path.
        Condition::ForeignHost | Condition::PathOpen => true,
        Condition::YamlUnsafe => {
            let loader = args.get(1, "Loader");
            match loader.map(|l| &l.kind) {
                Some(Kind::Qual(p)) => !["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"].iter().any(|s| p.ends_with(s)),
                _ => true,
            }
        }
    }
}

/// The host of a URL whose text is known up to the end of its host
/// (`https://hooks.slack.com/` + anything).
fn literal_host(url: &SymStr) -> Option<String> {
    let known = url.known_prefix();
    let (_, rest) = known.split_once("://")?;
    let end = rest.find(['/', '?', '#', ':']).or_else(|| url.as_lit().map(|_| rest.len()))?;
    Some(rest[..end].to_string()).filter(|h| !h.is_empty())
}

/// Whether the code or its configuration picks the URL's server: the URL
/// starts with a configured base URL (an environment variable, a value of
/// the deployment file), or its text up to the end of the host
/// (`scheme://host/`) is made of literals and such configured values
/// (`f"https://{BUCKET}.s3.amazonaws.com/{key}"`).
fn host_is_fixed(url: &SymStr, configured: &dyn Fn(&str) -> bool) -> bool {
    let mut text = String::new();
    let mut configured_host = false;
    for piece in url.pieces() {
        match piece {
            Piece::Lit(t) => {
                text.push_str(t);
                if let Some((scheme, rest)) = text.split_once("://") {
                    if let Some(end) = rest.find(['/', '?', '#']) {
                        return !scheme.is_empty() && !scheme.contains('/') && (end > 0 || configured_host);
                    }
                }
            }
            Piece::Any(note) if configured(note) => {
                if text.is_empty() {
                    return true;
                }
                configured_host = true;
            }
            Piece::Any(_) => return false,
        }
    }
    false
}
