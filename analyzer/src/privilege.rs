//! Least privilege: what each function's code asks IAM for, set against
//! what its role grants (issue 17). The analysis records every modelled
//! cloud call a function makes (its own code and everything it calls, at
//! module level too) with the action the call needs, the resource ARN as
//! far as it is known and the role's answer ([`crate::analysis::PermissionUse`]).
//! From that:
//!
//! * the least-privilege statements of each function, ready to paste
//!   (`analyzer policy APP --format serverless|sam|json`); the unknown
//!   parts of an ARN become `*` and are named beside it, never widened
//!   without a word;
//! * under-privilege: a call the role denies fails at run time;
//! * over-privilege: an action/resource pair of an Allow statement that no
//!   call needs, a `*` resource where the calls name theirs, `NotAction`,
//!   administrator or full-access managed policies, and a role shared by
//!   functions with different needs (each gets the others' grants).
//!
//! Calls the models do not describe (a boto3 client of a service without
//! `models/aws/<service>.toml`) are listed as unknown needs: the statements
//! then do not cover them, and say so.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, FnRef};
use crate::infra::iam::statement_matches;
use crate::infra::model::{Decision, Effect, Function, Service, Statement};
use crate::sym::{Piece, SymStr, Truth};
use crate::taint::label::Site;

/// One action on one resource that a function needs.
#[derive(Clone, Debug, Serialize)]
pub struct Need {
    /// `code` (a call of the function's code) or `runtime` (Lambda itself:
    /// logs, polled event sources; `models/runtime_permissions.toml`).
    pub by: &'static str,
    pub action: String,
    /// The ARN with its unknown parts as `*`.
    pub resource: String,
    /// The names of the ARN's unknown parts (`Key`, `region`...).
    pub unknown: Vec<String>,
    /// The calls needing it (`s3.put_object`) and where they are.
    pub calls: Vec<String>,
    pub sites: Vec<Site>,
    pub decision: Decision,
    #[serde(skip)]
    arn: SymStr,
}

/// Something the role grants beyond the needs.
#[derive(Clone, Debug, Serialize)]
pub struct Excess {
    /// `unused`, `wildcard-resource`, `not-action`, `managed-policy`,
    /// `shared-role`.
    pub kind: &'static str,
    pub detail: String,
    /// Where the grant is written (statement origin) and its line.
    pub origin: String,
    pub line: u32,
    /// The action pattern of the grant (`sqs:SendMessage`, `s3:*`), for
    /// grants of one statement's action.
    #[serde(skip)]
    pub action: Option<String>,
}

/// The least-privilege view of one function.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionPrivileges {
    pub function: String,
    pub deployment_file: String,
    pub line: u32,
    pub needs: Vec<Need>,
    /// boto3 calls no model describes: their needs are unknown.
    pub unmodelled_calls: Vec<String>,
    /// Needs of the code the role denies: these calls fail at run time.
    pub denied: Vec<String>,
    pub excess: Vec<Excess>,
    /// The role is given by ARN or has managed policies: what it grants is
    /// not all visible, so excess cannot be complete.
    pub role_partly_unknown: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeModel {
    need: Vec<RuntimeNeed>,
    configured: Configured,
    passed: Configured,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeNeed {
    when: String,
    actions: Vec<String>,
    resource: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Configured {
    actions: Vec<String>,
}

const RUNTIME: &str = include_str!("../models/runtime_permissions.toml");

fn runtime_model() -> &'static RuntimeModel {
    static PARSED: OnceLock<RuntimeModel> = OnceLock::new();
    PARSED.get_or_init(|| toml::from_str(RUNTIME).expect("models/runtime_permissions.toml is checked by the tests"))
}

/// What Lambda itself needs for function `f` of service `s`.
fn runtime_needs(s: &Service, f: &Function) -> Vec<Need> {
    let mut out = Vec::new();
    for n in &runtime_model().need {
        let events: Vec<Option<&SymStr>> = if n.when == "always" {
            vec![None]
        } else {
            f.events.iter().filter(|e| e.trigger.name() == n.when).map(|e| e.resource.as_ref()).collect()
        };
        for event in events {
            let arn = match event {
                Some(r) if r.known_prefix().starts_with("arn:") && n.resource.contains("{event}") => r.clone(),
                _ => fill(&n.resource, s, f, event),
            };
            for action in &n.actions {
                out.push(Need {
                    by: "runtime",
                    action: action.clone(),
                    resource: iam_resource(&arn),
                    unknown: unknown_parts(&arn),
                    calls: vec![if n.when == "always" { "lambda runtime".into() } else { format!("{} trigger", n.when) }],
                    sites: Vec::new(),
                    decision: f.allows(action, &arn, &crate::infra::IamOptions::default()),
                    arn: arn.clone(),
                });
            }
        }
    }
    out
}

fn fill(template: &str, s: &Service, f: &Function, event: Option<&SymStr>) -> SymStr {
    let mut out = SymStr::default();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_lit(&rest[..open]);
        let close = rest[open..].find('}').map(|c| open + c).unwrap_or(rest.len() - 1);
        match &rest[open + 1..close] {
            "region" => out.push(&s.provider.region),
            "account" => out.push(&crate::names::account()),
            "function" => out.push(&f.physical_name),
            "event" => out.push(&event.map(|e| e.last_segment()).unwrap_or_else(|| SymStr::any("event"))),
            other => out.push_any(other),
        }
        rest = &rest[close + 1..];
    }
    out.push_lit(rest);
    out
}

fn unknown_parts(arn: &SymStr) -> Vec<String> {
    arn.pieces().iter().filter_map(|p| if let Piece::Any(n) = p { Some(n.clone()) } else { None }).collect()
}

/// Every function of the analysed app with a Python handler.
pub fn privileges(a: &Analysis) -> Vec<FunctionPrivileges> {
    let mut by_function: BTreeMap<FnRef, Vec<&crate::analysis::PermissionUse>> = BTreeMap::new();
    for u in a.permission_uses.iter().filter(|u| !u.own_credentials) {
        by_function.entry(u.function).or_default().push(u);
    }
    let mut unmodelled: BTreeMap<FnRef, BTreeSet<String>> = BTreeMap::new();
    for u in &a.unmodelled_calls {
        unmodelled.entry(u.function).or_default().insert(format!("{} ({}:{})", u.call, u.site.file, u.site.line));
    }
    let skipped: BTreeSet<(&str, &str)> = a
        .stats
        .other_runtimes
        .iter()
        .map(|o| (o.deployment_file.as_str(), o.function.as_str()))
        .chain(a.stats.handlers_missing.iter().map(|m| (m.deployment_file.as_str(), m.function.as_str())))
        .collect();
    let mut out = Vec::new();
    for (si, s) in a.infra.services.iter().enumerate() {
        let analysed: Vec<usize> = (0..s.functions.len()).filter(|&fi| !skipped.contains(&(s.file.as_str(), s.functions[fi].name.as_str()))).collect();
        let needs_of: BTreeMap<usize, Vec<Need>> = analysed
            .iter()
            .map(|&fi| {
                let fr = FnRef { service: si, function: fi };
                let mut all = needs(by_function.get(&fr).map(Vec::as_slice).unwrap_or(&[]));
                all.extend(runtime_needs(s, &s.functions[fi]));
                (fi, all)
            })
            .collect();
        // Which grants of its own role each function uses, so that a grant
        // another function of a shared role uses is told apart.
        let coverage = Coverage::default();
        let covered_of: BTreeMap<usize, BTreeSet<GrantKey>> = analysed.iter().map(|&fi| (fi, coverage.covered(&s.functions[fi].iam, &needs_of[&fi]))).collect();
        // Services each function calls without a model: its needs there
        // are unknown, so grants for them are not judged unused.
        let unmodelled_of: BTreeMap<usize, BTreeSet<String>> = analysed
            .iter()
            .map(|&fi| {
                let services = a.unmodelled_calls.iter().filter(|u| u.function == FnRef { service: si, function: fi }).map(|u| u.iam_prefix.clone()).collect();
                (fi, services)
            })
            .collect();
        for &fi in &analysed {
            let f = &s.functions[fi];
            let fr = FnRef { service: si, function: fi };
            let needs = &needs_of[&fi];
            let sharing: Vec<usize> = analysed.iter().copied().filter(|&g| g != fi && !f.iam.is_empty() && same_role(&s.functions[g].iam, &f.iam)).collect();
            let judge = Judge { needs, own: &covered_of[&fi], sharing: &sharing, covered_of: &covered_of, service: s, unmodelled_of: &unmodelled_of, function: fi, coverage: &coverage };
            let mut excess = Vec::new();
            for (i, st) in f.iam.iter().enumerate().filter(|(_, st)| st.effect == Effect::Allow) {
                excess.extend(judge.statement_excess(i, st));
            }
            let expanded = f.iam.iter().filter_map(|st| st.origin.strip_prefix("managed policy ").map(str::to_string));
            let managed: BTreeSet<String> = f.managed_policies.iter().map(|m| m.to_string()).chain(expanded).collect();
            for name in managed {
                if ["AdministratorAccess", "PowerUserAccess", "FullAccess"].iter().any(|w| name.contains(w)) {
                    excess.push(Excess { kind: "managed-policy", detail: format!("managed policy {name} grants far more than any call needs"), origin: "managed policy".into(), line: f.line, action: None });
                }
            }
            out.push(FunctionPrivileges {
                function: f.name.clone(),
                deployment_file: s.file.clone(),
                line: f.line,
                denied: needs.iter().filter(|n| n.by == "code" && n.decision == Decision::Denied).map(|n| format!("{} on {} ({})", n.action, n.resource, n.calls.join(", "))).collect(),
                needs: needs.clone(),
                unmodelled_calls: unmodelled.remove(&fr).map(|s| s.into_iter().collect()).unwrap_or_default(),
                excess,
                role_partly_unknown: f.opaque_role || !f.managed_policies.is_empty(),
            });
        }
    }
    out
}

/// One action/resource pair of a role: (statement, action, resource) index.
type GrantKey = (usize, usize, usize);

/// Which grants cover which needs, each pair matched once: the functions
/// of a shared role hold the same statements, and most have the same
/// runtime needs, so judging them one by one repeated most matches.
#[derive(Default)]
struct Coverage(RefCell<HashMap<(SymStr, SymStr, String, SymStr), bool>>);

impl Coverage {
    /// The grants of `iam` that some of `needs` uses.
    fn covered(&self, iam: &[Statement], needs: &[Need]) -> BTreeSet<GrantKey> {
        let mut out = BTreeSet::new();
        for (i, st) in iam.iter().enumerate().filter(|(_, st)| st.effect == Effect::Allow && !st.not_action && !st.not_resource) {
            for (ai, action) in st.actions.iter().enumerate() {
                for (ri, resource) in st.resources.iter().enumerate() {
                    if needs.iter().any(|n| self.covers(action, resource, n)) {
                        out.insert((i, ai, ri));
                    }
                }
            }
        }
        out
    }

    fn covers(&self, action: &SymStr, resource: &SymStr, need: &Need) -> bool {
        let key = (action.clone(), resource.clone(), need.action.clone(), need.arn.clone());
        if let Some(&c) = self.0.borrow().get(&key) {
            return c;
        }
        let single = Statement {
            effect: Effect::Allow,
            actions: vec![action.clone()],
            not_action: false,
            resources: vec![resource.clone()],
            not_resource: false,
            origin: String::new(),
            line: 0,
        };
        let c = statement_matches(&single, &need.action, &need.arn) != Truth::No;
        self.0.borrow_mut().insert(key, c);
        c
    }
}

fn same_role(a: &[Statement], b: &[Statement]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.origin == y.origin && x.line == y.line)
}

/// The needs of one function, one per action and resource.
fn needs(uses: &[&crate::analysis::PermissionUse]) -> Vec<Need> {
    let mut grouped: BTreeMap<(String, SymStr), Need> = BTreeMap::new();
    for u in uses {
        let need = grouped.entry((u.action.clone(), u.arn.clone())).or_insert_with(|| Need {
            by: "code",
            action: u.action.clone(),
            resource: iam_resource(&u.arn),
            unknown: unknown_parts(&u.arn),
            calls: Vec::new(),
            sites: Vec::new(),
            decision: u.decision,
            arn: u.arn.clone(),
        });
        if !need.calls.contains(&u.call) {
            need.calls.push(u.call.clone());
        }
        if !need.sites.contains(&u.site) {
            need.sites.push(u.site.clone());
        }
    }
    grouped.into_values().collect()
}

impl Need {
    /// The resource as the analysis knows it, unknown parts symbolic.
    pub fn arn(&self) -> &SymStr {
        &self.arn
    }
}

/// An ARN as an IAM resource: unknown parts become `*`, adjacent ones once.
fn iam_resource(arn: &SymStr) -> String {
    let mut out = String::new();
    for p in arn.pieces() {
        match p {
            Piece::Lit(l) => out.push_str(l),
            Piece::Any(_) if out.ends_with('*') => {}
            Piece::Any(_) => out.push('*'),
        }
    }
    if out.is_empty() {
        out.push('*');
    }
    out
}

/// What one function's role grants beyond its needs.
struct Judge<'a> {
    needs: &'a [Need],
    own: &'a BTreeSet<GrantKey>,
    /// Functions with the same role.
    sharing: &'a [usize],
    covered_of: &'a BTreeMap<usize, BTreeSet<GrantKey>>,
    coverage: &'a Coverage,
    service: &'a Service,
    unmodelled_of: &'a BTreeMap<usize, BTreeSet<String>>,
    function: usize,
}

impl Judge<'_> {
    /// The excess of statement `index`, an Allow.
    fn statement_excess(&self, index: usize, st: &Statement) -> Vec<Excess> {
        let at = |kind, detail| Excess { kind, detail, origin: st.origin.clone(), line: st.line, action: None };
        if st.not_action {
            return vec![at("not-action", "NotAction allows every action but the ones listed".into())];
        }
        if st.not_resource {
            return vec![at("wildcard-resource", "NotResource allows every resource but the ones listed".into())];
        }
        let mut out = Vec::new();
        for (ai, action) in st.actions.iter().enumerate() {
            // A grant the analysis cannot judge: configuration it does not
            // read, or a service the code also calls without a model.
            let pattern = action.to_string();
            let service = pattern.split(':').next().unwrap_or("").to_ascii_lowercase();
            let calls_unmodelled = |g: usize| self.unmodelled_of[&g].contains(&service) || self.unmodelled_of[&g].contains("?");
            let passes_role = !self.unmodelled_of[&self.function].is_empty()
                && runtime_model().passed.actions.iter().any(|c| SymStr::lit(c).matches_pattern(action, true) != Truth::No);
            let unjudged = calls_unmodelled(self.function) || passes_role || action.as_lit().is_none();
            for (ri, resource_pattern) in st.resources.iter().enumerate() {
                let resource = iam_resource(resource_pattern);
                let key = (index, ai, ri);
                if !self.own.contains(&key) {
                    let configured = runtime_model().configured.actions.iter().any(|c| SymStr::lit(c).matches_pattern(action, true) != Truth::No);
                    if configured || unjudged {
                        continue;
                    }
                    let name = |g: &usize| self.service.functions[*g].name.as_str();
                    let needing: Vec<&str> = self.sharing.iter().filter(|g| self.covered_of[g].contains(&key)).map(name).collect();
                    let maybe: Vec<&str> = self.sharing.iter().filter(|g| !self.covered_of[g].contains(&key) && calls_unmodelled(**g)).map(name).collect();
                    let maybe_text = format!("{} (calling {service} without a model)", maybe.join(", "));
                    match (needing.is_empty(), maybe.is_empty()) {
                        (true, true) => out.push(Excess { action: Some(pattern.clone()), ..at("unused", format!("{action} on {resource}: no call needs it")) }),
                        (false, true) => out.push(at("shared-role", format!("{action} on {resource}: needed only by {} (shared role)", needing.join(", ")))),
                        (false, false) => out.push(at("shared-role", format!("{action} on {resource}: needed only by {}, maybe by {maybe_text} (shared role)", needing.join(", ")))),
                        (true, false) => out.push(at("shared-role", format!("{action} on {resource}: maybe needed by {maybe_text} (shared role)"))),
                    }
                    continue;
                }
                // `*` for Lambda's own logs is what AWS's basic execution
                // policy grants; not worth a report.
                if resource == "*" && !unjudged {
                    let used: Vec<&Need> = self.needs.iter().filter(|n| self.coverage.covers(action, resource_pattern, n)).collect();
                    let named: BTreeSet<&str> = used.iter().filter(|n| n.resource != "*").map(|n| n.resource.as_str()).collect();
                    if used.iter().any(|n| n.by == "code") && !named.is_empty() {
                        out.push(at("wildcard-resource", format!("{action} on *: the calls need only {}", named.into_iter().collect::<Vec<_>>().join(", "))));
                    }
                }
            }
        }
        out
    }
}

/// The least-privilege statements of a function: actions grouped by the
/// resources they need. Needs the role denies are included (the code
/// needs them); unknown needs are not.
pub fn statements(f: &FunctionPrivileges) -> Vec<(Vec<String>, Vec<(String, Vec<String>)>)> {
    let mut by_resource: BTreeMap<(String, Vec<String>), BTreeSet<String>> = BTreeMap::new();
    for n in &f.needs {
        by_resource.entry((n.resource.clone(), n.unknown.clone())).or_default().insert(n.action.clone());
    }
    let mut by_actions: BTreeMap<Vec<String>, Vec<(String, Vec<String>)>> = BTreeMap::new();
    for (resource, actions) in by_resource {
        by_actions.entry(actions.into_iter().collect()).or_default().push(resource);
    }
    by_actions.into_iter().collect()
}

/// `--format json`.
pub fn render_json(fs: &[FunctionPrivileges]) -> serde_json::Value {
    let functions: Vec<serde_json::Value> = fs
        .iter()
        .map(|f| {
            let statements: Vec<serde_json::Value> = statements(f)
                .into_iter()
                .map(|(actions, resources)| {
                    serde_json::json!({
                        "Effect": "Allow",
                        "Action": actions,
                        "Resource": resources.iter().map(|(r, _)| r).collect::<Vec<_>>(),
                        "UnknownParts": resources.iter().filter(|(_, u)| !u.is_empty()).map(|(r, u)| serde_json::json!({"resource": r, "unknown": u})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({
                "function": f.function,
                "deployment_file": f.deployment_file,
                "line": f.line,
                "statements": statements,
                "needs": f.needs,
                "unmodelled_calls": f.unmodelled_calls,
                "denied": f.denied,
                "excess": f.excess,
                "role_partly_unknown": f.role_partly_unknown,
            })
        })
        .collect();
    serde_json::json!({ "functions": functions })
}

/// Statements as YAML list items at `indent`, unknown parts commented.
fn yaml_statements(o: &mut String, f: &FunctionPrivileges, indent: usize) {
    let pad = " ".repeat(indent);
    let statements = statements(f);
    if statements.is_empty() {
        let _ = writeln!(o, "{pad}[]  # no modelled call needs a permission");
    }
    for (actions, resources) in statements {
        let _ = writeln!(o, "{pad}- Effect: Allow");
        let _ = writeln!(o, "{pad}  Action:");
        for a in actions {
            let _ = writeln!(o, "{pad}    - {a}");
        }
        let _ = writeln!(o, "{pad}  Resource:");
        for (r, unknown) in resources {
            let note = if unknown.is_empty() { String::new() } else { format!("  # * stands for what the analysis could not resolve: {}", unknown.join(", ")) };
            let _ = writeln!(o, "{pad}    - \"{r}\"{note}");
        }
    }
    for c in &f.unmodelled_calls {
        let _ = writeln!(o, "{pad}# not covered, no model of this call: {c}");
    }
}

/// `--format serverless`: `iamRoleStatements` per function, for the
/// serverless-iam-roles-per-function plugin.
pub fn render_serverless(fs: &[FunctionPrivileges]) -> String {
    let mut o = String::from("# Least-privilege statements per function (plugin serverless-iam-roles-per-function)\nfunctions:\n");
    for f in fs {
        let _ = writeln!(o, "  {}:  # {}:{}", f.function, f.deployment_file, f.line);
        let _ = writeln!(o, "    iamRoleStatements:");
        yaml_statements(&mut o, f, 6);
    }
    o
}

/// `--format sam`: an inline policy per function.
pub fn render_sam(fs: &[FunctionPrivileges]) -> String {
    let mut o = String::from("# Least-privilege policies per function\nResources:\n");
    for f in fs {
        let _ = writeln!(o, "  {}:  # {}:{}", f.function, f.deployment_file, f.line);
        let _ = writeln!(o, "    Properties:\n      Policies:\n        - Version: \"2012-10-17\"\n          Statement:");
        yaml_statements(&mut o, f, 12);
    }
    o
}

/// `--format text`: what each function needs, lacks and has in excess.
pub fn render_text(fs: &[FunctionPrivileges]) -> String {
    let mut o = String::new();
    for f in fs {
        let _ = writeln!(o, "{} ({}:{})", f.function, f.deployment_file, f.line);
        for n in &f.needs {
            let unknown = if n.unknown.is_empty() { String::new() } else { format!(" [unknown: {}]", n.unknown.join(", ")) };
            // Serverless and SAM add the runtime's permissions to the roles
            // they create, so the role's answer matters for code only.
            let role = if n.by == "code" { format!("; role: {:?}", n.decision) } else { String::new() };
            let _ = writeln!(o, "  needs {} on {}{} ({}{role})", n.action, n.resource, unknown, n.calls.join(", "));
        }
        for c in &f.unmodelled_calls {
            let _ = writeln!(o, "  needs unknown: {c} (no model)");
        }
        for d in &f.denied {
            let _ = writeln!(o, "  DENIED (fails at run time): {d}");
        }
        for e in &f.excess {
            let _ = writeln!(o, "  excess [{}] {} ({}, line {})", e.kind, e.detail, e.origin, e.line);
        }
        if f.role_partly_unknown {
            let _ = writeln!(o, "  the role is partly unknown (a role ARN or managed policies): excess may be incomplete");
        }
    }
    let over = fs.iter().filter(|f| !f.excess.is_empty()).count();
    let under = fs.iter().filter(|f| !f.denied.is_empty()).count();
    let _ = writeln!(o, "{} function(s): {over} over-privileged, {under} under-privileged", fs.len());
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_model_loads_and_names_real_triggers() {
        use crate::infra::model::Trigger;
        for n in &runtime_model().need {
            assert!(n.when == "always" || Trigger::named(&n.when).is_some(), "unknown trigger {}", n.when);
            assert!(n.actions.iter().all(|a| a.contains(':')), "{:?}", n.actions);
        }
        assert!(!runtime_model().configured.actions.is_empty());
        assert_eq!(runtime_model().passed.actions, ["iam:PassRole"]);
    }

    #[test]
    fn unknown_arn_parts_become_one_star_each_run() {
        let mut arn = SymStr::lit("arn:aws:s3:::uploads/");
        arn.push_any("Key");
        arn.push_any("suffix");
        assert_eq!(iam_resource(&arn), "arn:aws:s3:::uploads/*");
        assert_eq!(iam_resource(&SymStr::any("resource")), "*");
    }
}
