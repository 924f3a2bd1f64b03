//! AWS SAM and plain CloudFormation templates: `AWS::Serverless::Function`
//! (with `Globals`, `Events`, `Policies` and policy templates) and
//! `AWS::Lambda::Function`, state machines, and the resource-side triggers
//! shared with Serverless. The deploy region and stack name come from
//! `samconfig.toml` when there is one, since intrinsics need them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::infra::cfn;
use crate::infra::include::Includer;
use crate::infra::model::*;
use crate::infra::plugins::step_functions;
use crate::infra::policy::{self, RolePolicies};
use crate::infra::resolve::CfnEval;
use crate::infra::yaml::{self, Kind, Node};
use crate::infra::handler_from;
use crate::sym::SymStr;

mod events;

use events::parse_event;

/// Region and stack name from `samconfig.toml` next to the template.
fn samconfig(dir: &Path) -> (Option<String>, Option<String>) {
    let Ok(text) = crate::confine::read_text(dir, "samconfig.toml") else { return (None, None) };
    let Ok(v) = text.parse::<toml::Table>() else { return (None, None) };
    let get = |key: &str| {
        for cmd in ["deploy", "global"] {
            if let Some(s) = v
                .get("default")
                .and_then(|d| d.get(cmd))
                .and_then(|d| d.get("parameters"))
                .and_then(|p| p.get(key))
                .and_then(|x| x.as_str())
            {
                return Some(s.to_string());
            }
        }
        None
    };
    (get("region"), get("stack_name"))
}

/// Globals fill what the function leaves out; environment maps merge.
fn with_globals(globals: Option<&Node>, props: &Node) -> Node {
    let Some(g) = globals else { return props.clone() };
    let mut out: Vec<(String, Node)> = props.entries().to_vec();
    for (k, v) in g.entries() {
        match out.iter_mut().find(|(x, _)| x == k) {
            Some((_, own)) if k == "Environment" => {
                let mut vars: Vec<(String, Node)> = v.get("Variables").map(|x| x.entries().to_vec()).unwrap_or_default();
                for (vk, vv) in own.get("Variables").map(|x| x.entries().to_vec()).unwrap_or_default() {
                    vars.retain(|(x, _)| *x != vk);
                    vars.push((vk, vv));
                }
                *own = Node::new(Kind::Map(vec![("Variables".into(), Node::new(Kind::Map(vars), own.line))]), own.line);
            }
            Some(_) => {}
            None => out.push((k.clone(), v.clone())),
        }
    }
    Node::new(Kind::Map(out), props.line)
}

/// Where a SAM or CloudFormation function's code comes from.
fn code_of(props: &Node) -> Code {
    let image = props.get("PackageType").and_then(Node::as_text).is_some_and(|t| t == "Image")
        || props.get("ImageUri").is_some()
        || props.path(&["Code", "ImageUri"]).is_some();
    if image {
        return Code::Image;
    }
    let inline = props.get("InlineCode").or_else(|| props.path(&["Code", "ZipFile"]));
    match inline.and_then(|n| inline_text(n).map(|t| (t, n.line))) {
        // A block scalar's node starts at its first line of text.
        Some((text, line)) => Code::Inline { text, line },
        None => Code::Files,
    }
}

/// The code of an inline block: a string, or the template of `!Sub`.
fn inline_text(n: &Node) -> Option<String> {
    n.as_text().or_else(|| {
        let sub = n.get("Fn::Sub")?;
        sub.as_text().or_else(|| sub.one_or_many().first().and_then(|t| t.as_text()))
    })
}

fn code_dir(dir_prefix: &str, code_uri: Option<&Node>) -> String {
    match code_uri.and_then(Node::as_text) {
        Some(u) if !u.starts_with("s3://") => {
            let u = u.trim_start_matches("./").trim_end_matches('/');
            if u.is_empty() || u == "." {
                dir_prefix.to_string()
            } else {
                format!("{dir_prefix}{u}/")
            }
        }
        _ => dir_prefix.to_string(),
    }
}

pub fn load(file: &DeploymentFile, raw: &Node, opts: &InfraOptions) -> Service {
    let dir = file.path.parent().unwrap_or(Path::new("."));
    let dir_prefix = match file.relative.rfind('/') {
        Some(i) => file.relative[..=i].to_string(),
        None => String::new(),
    };
    let (region, stack) = samconfig(dir);
    let region = region.map(SymStr::lit).unwrap_or(SymStr::lit("us-east-1"));
    let stack = stack.map(SymStr::lit).unwrap_or(SymStr::any("AWS::StackName"));
    let mut ev = CfnEval::new(region.clone(), stack.clone(), &file.relative);
    ev.resources_enabled = opts.resources;
    for (k, v) in raw.get("Parameters").map(Node::entries).unwrap_or_default() {
        ev.parameters.insert(k.clone(), v.clone());
    }
    if let Some(m) = raw.get("Mappings") {
        ev.mappings = m.clone();
    }
    let resources_raw = raw.get("Resources").cloned().unwrap_or(Node::new(Kind::Map(vec![]), 0));
    let mut includer = Includer { dir, template: &file.relative, diagnostics: vec![] };
    let resources_raw = includer.inline(resources_raw, 0);
    ev.add_resources(&resources_raw);
    let resources = ev.eval(&resources_raw, 0);
    let globals = raw.path(&["Globals", "Function"]).map(|g| ev.eval(g, 0));
    let api_globals_auth = raw.path(&["Globals", "Api", "Auth", "DefaultAuthorizer"]).is_some();

    let transform = raw.get("Transform").map(|t| t.to_json().to_string()).unwrap_or_default();
    let framework = if transform.contains("AWS::Serverless") { Framework::Sam } else { Framework::CloudFormation };
    let runtime_global = globals.as_ref().and_then(|g| g.get("Runtime")).and_then(Node::as_text);

    let mut functions = vec![];
    for (id, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::as_text).unwrap_or_default();
        let sam = kind == "AWS::Serverless::Function";
        if !sam && kind != "AWS::Lambda::Function" {
            continue;
        }
        let own = r.get("Properties").cloned().unwrap_or(Node::new(Kind::Map(vec![]), r.line));
        let props = if sam { with_globals(globals.as_ref(), &own) } else { own };
        let handler_text = props.get("Handler").and_then(Node::as_text).unwrap_or_default();
        let handler = handler_from(&code_dir(&dir_prefix, props.get("CodeUri")), &handler_text);
        let mut environment = BTreeMap::new();
        let mut env_lines = BTreeMap::new();
        for (k, v) in props.path(&["Environment", "Variables"]).map(Node::entries).unwrap_or_default() {
            environment.insert(k.clone(), v.to_sym());
            env_lines.insert(k.clone(), v.line);
        }
        let mut role = RolePolicies::default();
        let mut opaque_role = false;
        if let Some(p) = props.get("Policies") {
            for item in p.one_or_many() {
                match &item.kind {
                    Kind::Map(m) if item.get("Statement").is_some() => {
                        role.statements.extend(policy::statements_of(item, &format!("{id}.Policies")));
                        let _ = m;
                    }
                    Kind::Map(m) if m.len() == 1 && policy::is_policy_template(&m[0].0) => {
                        if let Some(st) = policy::expand_template(&m[0].0, &m[0].1, &mut ev, item.line) {
                            role.statements.extend(st);
                        }
                    }
                    _ => role.add_managed(item, &mut ev),
                }
            }
        }
        if let Some(rr) = props.get("Role") {
            let raw_role = resources_raw.path(&[id, "Properties", "Role"]).unwrap_or(rr);
            match policy::role_reference(raw_role).and_then(|x| policy::role_policies(&x, &resources, &mut ev)) {
                Some(rp) => role = rp,
                None => {
                    role = RolePolicies::default();
                    opaque_role = true;
                }
            }
        }
        let mut events = vec![];
        for (ename, e) in props.get("Events").map(Node::entries).unwrap_or_default() {
            let api_auth = e
                .path(&["Properties", "RestApiId"])
                .and_then(|_| resources_raw.path(&[id, "Properties", "Events", ename, "Properties", "RestApiId", "Ref"]))
                .and_then(Node::as_text)
                .and_then(|api| resources_raw.path(&[&api, "Properties", "Auth", "DefaultAuthorizer"]))
                .is_some()
                || api_globals_auth;
            let mut event = parse_event(e, &region, api_auth);
            if let Some(route) = event.http.as_mut() {
                let (api_key, global) = if event.trigger == Trigger::HTTP { ("RestApiId", "Api") } else { ("ApiId", "HttpApi") };
                let api = resources_raw.path(&[id, "Properties", "Events", ename, "Properties", api_key, "Ref"]).and_then(Node::as_text);
                let api_props = api.and_then(|a| resources_raw.path(&[&a, "Properties"]));
                route.throttled = [api_props, raw.path(&["Globals", global])].into_iter().flatten().any(throttles);
            }
            events.push(event);
        }
        if let Some(u) = props.get("FunctionUrlConfig") {
            let auth = u.get("AuthType").and_then(Node::as_text).is_some_and(|a| a == "AWS_IAM");
            events.push(Event {
                trigger: Trigger::FUNCTION_URL,
                raw_type: "FunctionUrlConfig".into(),
                resource: None,
                filter: EventFilter::default(),
                http: Some(HttpRoute { method: None, path: None, authorizer: auth, throttled: false }),
                line: u.line,
            });
        }
        let destinations = props.get("EventInvokeConfig").map(cfn::destinations_of).unwrap_or_default();
        let code = code_of(&props);
        functions.push(Function {
            name: id.clone(),
            physical_name: ev.physical_name(id, 0).unwrap_or_default(),
            handler,
            runtime: props.get("Runtime").and_then(Node::as_text).or_else(|| runtime_global.clone()),
            events,
            environment,
            iam: role.statements,
            managed_policies: role.managed,
            opaque_role,
            destinations,
            code,
            env_from_files: Default::default(),
            env_lines,
            timeout: props.get("Timeout").filter(|t| !t.is_null()).map(Node::to_sym),
            reserved_concurrency: props.get("ReservedConcurrentExecutions").filter(|c| !c.is_null()).map(Node::to_sym),
            line: r.line,
        });
    }
    let names: Vec<(String, SymStr)> = functions.iter().map(|f| (f.name.clone(), f.physical_name.clone())).collect();
    let mut state_machines = vec![];
    let mut diagnostics = includer.diagnostics;
    for (id, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::as_text).unwrap_or_default();
        if kind != "AWS::Serverless::StateMachine" && kind != "AWS::StepFunctions::StateMachine" {
            continue;
        }
        let props = r.get("Properties").cloned().unwrap_or(Node::null(r.line));
        let mut def = props.get("Definition").cloned();
        if def.is_none() {
            if let Some(s) = props.get("DefinitionString") {
                def = parse_sym_json(&s.to_sym(), s.line);
            }
        }
        if def.is_none() {
            if let Some(uri) = props.get("DefinitionUri").and_then(Node::as_text) {
                match crate::confine::read_text(dir, &uri) {
                    Ok(t) => match yaml::load_file_text(&t, uri.ends_with(".json")) {
                        Ok(n) => def = Some(ev.eval(&n, 0)),
                        Err(e) => diagnostics.push(Diagnostic { file: format!("{dir_prefix}{uri}"), line: e.line, message: e.message }),
                    },
                    Err(crate::confine::Refusal::NotFound) => {
                        diagnostics.push(Diagnostic { file: file.relative.clone(), line: r.line, message: format!("DefinitionUri `{uri}` not found") })
                    }
                    Err(refusal) => diagnostics.push(Diagnostic { file: file.relative.clone(), line: r.line, message: format!("DefinitionUri `{uri}` is {refusal}") }),
                }
            }
        }
        let mut subs = BTreeMap::new();
        for (k, v) in props.get("DefinitionSubstitutions").map(Node::entries).unwrap_or_default() {
            subs.insert(k.clone(), v.to_sym());
        }
        let def = def.map(|d| substitute(&d, &subs, &mut ev)).unwrap_or(Node::null(r.line));
        let (start_at, states) = step_functions::parse_definition(&def, &names);
        let mut events = vec![];
        for (_, e) in props.get("Events").map(Node::entries).unwrap_or_default() {
            events.push(parse_event(e, &region, false));
        }
        state_machines.push(StateMachine {
            name: id.clone(),
            physical_name: ev.physical_name(id, 0).unwrap_or_default(),
            start_at,
            states,
            events,
            line: r.line,
        });
    }

    let mut service = Service {
        file: file.relative.clone(),
        framework,
        name: raw.get("Description").and_then(Node::as_text).filter(|_| false).or_else(|| stack.as_lit().map(str::to_string)),
        framework_version: raw.get("AWSTemplateFormatVersion").and_then(Node::as_text),
        provider: Provider { name: "aws".into(), runtime: runtime_global, region, stage: SymStr::default() },
        plugins: vec![],
        functions,
        resources: cfn::resources_of(&resources, &mut ev),
        state_machines,
        subscriptions: vec![],
        integrations: vec![],
        forwards: vec![],
        diagnostics: vec![],
    };
    cfn::link_resources(&resources, &mut ev, &mut service, &dir_prefix);
    step_functions::attach_task_events(&service.state_machines, &mut service.functions);
    diagnostics.append(&mut ev.diagnostics);
    service.diagnostics = diagnostics;
    service
}

/// Whether an API's properties (or `Globals.Api`/`Globals.HttpApi`) set a
/// rate or burst limit: REST `MethodSettings`, HTTP API
/// `DefaultRouteSettings` or `RouteSettings`.
fn throttles(api: &Node) -> bool {
    let limits = |n: &Node| n.get("ThrottlingRateLimit").is_some() || n.get("ThrottlingBurstLimit").is_some();
    let methods = api.get("MethodSettings").map(Node::items).unwrap_or_default().iter().any(limits);
    let routes = api.get("RouteSettings").map(|r| r.entries().iter().any(|(_, n)| limits(n))).unwrap_or(false);
    methods || routes || api.get("DefaultRouteSettings").is_some_and(limits)
}

/// `DefinitionSubstitutions`: `${Name}` in every string of the definition.
fn substitute(n: &Node, subs: &BTreeMap<String, SymStr>, ev: &mut CfnEval) -> Node {
    match &n.kind {
        Kind::Str(s) if s.to_string().contains("${") && !subs.is_empty() => Node::str(ev.sub(s, subs, n.line, 0), n.line),
        Kind::Seq(items) => Node::new(Kind::Seq(items.iter().map(|x| substitute(x, subs, ev)).collect()), n.line),
        Kind::Map(m) => Node::new(Kind::Map(m.iter().map(|(k, v)| (k.clone(), substitute(v, subs, ev))).collect()), n.line),
        _ => n.clone(),
    }
}

/// Parses JSON held in a symbolic string (`DefinitionString: !Sub ...`):
/// unknown pieces travel through the parser as placeholders.
pub fn parse_sym_json(s: &SymStr, line: u32) -> Option<Node> {
    use crate::sym::Piece;
    let mut text = String::new();
    let mut notes = vec![];
    for p in s.pieces() {
        match p {
            Piece::Lit(l) => text.push_str(l),
            Piece::Any(n) => {
                text.push_str(&format!("\u{E000}{}\u{E000}", notes.len()));
                notes.push(n.clone());
            }
        }
    }
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    fn back(n: Node, notes: &[String]) -> Node {
        match n.kind {
            Kind::Str(s) => {
                let t = s.to_string();
                if !t.contains('\u{E000}') {
                    return Node::str(s, n.line);
                }
                let mut out = SymStr::default();
                for (i, part) in t.split('\u{E000}').enumerate() {
                    if i % 2 == 0 {
                        out.push_lit(part);
                    } else {
                        let note = part.parse::<usize>().ok().and_then(|k| notes.get(k)).cloned().unwrap_or_default();
                        out.push_any(&note);
                    }
                }
                Node::str(out, n.line)
            }
            Kind::Seq(items) => Node::new(Kind::Seq(items.into_iter().map(|x| back(x, notes)).collect()), n.line),
            Kind::Map(m) => Node::new(Kind::Map(m.into_iter().map(|(k, v)| (k, back(v, notes))).collect()), n.line),
            k => Node::new(k, n.line),
        }
    }
    Some(back(Node::from_json(&v, line), &notes))
}

#[cfg(test)]
mod tests;
