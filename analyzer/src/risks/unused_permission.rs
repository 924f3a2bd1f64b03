//! `unused-permission`: an IAM statement granting actions of a service
//! that none of the functions holding it calls. It reads the excess grants
//! of [`crate::privilege`] (which already leaves alone what it cannot
//! judge: services called without a model, configuration Lambda needs,
//! unresolved actions) and keeps the coarse, unambiguous part: a service
//! the code never calls at all, for every function the statement applies
//! to, and that no code of the app opens a client for. Narrower excess (an
//! action or a resource too many on a service the code does call) is
//! `analyzer policy`'s to show.

use std::collections::{BTreeMap, BTreeSet};

use super::Risk;
use crate::outcome::Analysis;
use crate::infra::model::Effect;
use crate::privilege::privileges;

pub fn check(a: &Analysis) -> Vec<Risk> {
    let service_of = |action: &str| action.split(':').next().unwrap_or_default().to_ascii_lowercase();
    // (deployment file, statement origin, line, service) -> functions, actions.
    let mut unused: BTreeMap<(String, String, u32, String), (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for p in privileges(a) {
        let called: BTreeSet<String> = p.needs.iter().map(|n| service_of(&n.action)).collect();
        for x in p.excess.iter().filter(|x| x.kind == "unused") {
            let Some(action) = &x.action else { continue };
            let service = service_of(action);
            // A client the code opens but the analysis lost track of (kept
            // in a namedtuple, reached through a dispatch table) may be
            // called: not judged.
            if service.contains('*') || called.contains(&service) || a.opened_services.contains(&service) {
                continue;
            }
            let entry = unused.entry((p.deployment_file.clone(), x.origin.clone(), x.line, service)).or_default();
            entry.0.insert(p.function.clone());
            entry.1.insert(action.clone());
        }
    }
    let mut out = Vec::new();
    for ((file, origin, line, service), (functions, actions)) in unused {
        // Every function the statement applies to must leave the service
        // uncalled; one that was not analysed, or that calls it, may need it.
        let holders: BTreeSet<&str> = a
            .infra
            .services
            .iter()
            .filter(|s| s.file == file)
            .flat_map(|s| &s.functions)
            .filter(|f| {
                f.iam.iter().any(|st| st.effect == Effect::Allow && st.origin == origin && st.line == line && st.actions.iter().any(|x| service_of(&x.to_string()) == service))
            })
            .map(|f| f.name.as_str())
            .collect();
        if holders.iter().any(|h| !functions.contains(*h)) {
            continue;
        }
        let actions: Vec<String> = actions.into_iter().collect();
        let functions: Vec<String> = functions.into_iter().collect();
        out.push(Risk {
            rule: "unused-permission".into(),
            file,
            line,
            function: None,
            message: format!(
                "{origin} grants {} to {}, but no code of {} calls {service}",
                actions.join(", "),
                functions.join(", "),
                if functions.len() == 1 { "it" } else { "theirs" }
            ),
            subject: format!("{origin} {service}"),
        });
    }
    out
}
