//! Serverless Framework services (v1 to v4): `serverless.yml` read the way
//! the framework compiles it to CloudFormation, after variable resolution:
//! function names `<service>-<stage>-<key>`, provider environment and IAM
//! shared by every function, events turned into triggers, `resources:`
//! merged in as plain CloudFormation.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use crate::infra::cfn;
use crate::infra::model::*;
use crate::infra::plugins::{self, apigateway_service_proxy, iam_roles_per_function, step_functions, Plugin};
use crate::infra::policy::{self, RolePolicies};
use crate::infra::resolve::{CfnEval, ResInfo, VarResolver};
use crate::infra::yaml::{Kind, Node};
use crate::infra::function_refs::normalize_name;
use crate::infra::handler_from;
use crate::sym::SymStr;

mod events;

use events::parse_events;

/// Logical IDs Serverless adds to every stack it compiles.
const IMPLICIT_RESOURCES: &[(&str, &str)] = &[
    ("ServerlessDeploymentBucket", "AWS::S3::Bucket"),
    ("IamRoleLambdaExecution", "AWS::IAM::Role"),
    ("ApiGatewayRestApi", "AWS::ApiGateway::RestApi"),
    ("HttpApi", "AWS::ApiGatewayV2::Api"),
    ("WebsocketsApi", "AWS::ApiGatewayV2::Api"),
];

/// Maps of `functions:`/`resources:` may be split into a list of maps
/// (usually one per included file).
fn merged_entries(n: Option<&Node>) -> Vec<&(String, Node)> {
    match n {
        Some(Node { kind: Kind::Seq(items), .. }) => items.iter().flat_map(|i| i.entries()).collect(),
        Some(n) => n.entries().iter().collect(),
        None => vec![],
    }
}

/// `resources:` as one `Resources` map: borrowed when the file has one,
/// merged when it lists several (one per included file).
fn merged_resources(n: Option<&Node>) -> Cow<'_, Node> {
    match n {
        Some(Node { kind: Kind::Seq(items), line }) => {
            let out = items.iter().flat_map(|i| i.get("Resources").map(Node::entries).unwrap_or_default()).cloned().collect();
            Cow::Owned(Node::new(Kind::Map(out), *line))
        }
        Some(n) => n.get("Resources").map(Cow::Borrowed).unwrap_or(Cow::Owned(Node::new(Kind::Map(vec![]), n.line))),
        None => Cow::Owned(Node::new(Kind::Map(vec![]), 0)),
    }
}

pub fn load(file: &DeploymentFile, raw: &Node, opts: &InfraOptions) -> Service {
    let service_dir = file.path.parent().unwrap_or(Path::new("."));
    let dir_prefix = match file.relative.rfind('/') {
        Some(i) => file.relative[..=i].to_string(),
        None => String::new(),
    };
    let mut vr = VarResolver::new(raw, service_dir, &file.relative);
    vr.resources_enabled = opts.resources;
    let doc = vr.resolve_all();
    let mut diagnostics = std::mem::take(&mut vr.diagnostics);

    let name = doc.get("service").map(|s| match s.get("name") {
        Some(n) => n.to_sym().to_string(),
        None => s.to_sym().to_string(),
    });
    let null = Node::null(0);
    let prov = doc.get("provider").unwrap_or(&null);
    let stage = prov.get("stage").filter(|n| !n.is_null()).map(Node::to_sym).unwrap_or(SymStr::lit("dev"));
    let region = prov.get("region").filter(|n| !n.is_null()).map(Node::to_sym).unwrap_or(SymStr::lit("us-east-1"));
    let service_sym = name.as_deref().map(SymStr::lit).unwrap_or(SymStr::any("service"));
    // Function names keep `<service>-<stage>-` whatever the stack is called;
    // names CloudFormation generates follow the stack (`provider.stackName`).
    let fn_prefix = service_sym.concat(&SymStr::lit("-")).concat(&stage);
    let stack = prov.get("stackName").filter(|n| !n.is_null()).map(Node::to_sym).unwrap_or_else(|| fn_prefix.clone());
    let provider = Provider {
        name: prov.get("name").and_then(Node::as_text).unwrap_or_else(|| "aws".into()),
        runtime: prov.get("runtime").and_then(Node::as_text),
        region: region.clone(),
        stage: stage.clone(),
    };

    let mut plugin_names: Vec<String> = vec![];
    if let Some(p) = doc.get("plugins") {
        let list = p.get("modules").unwrap_or(p);
        plugin_names = list.one_or_many().into_iter().filter_map(Node::as_text).collect();
    }
    let use_plugin = |w: Plugin| opts.plugins && plugins::listed(&plugin_names, w);
    let throttling_plugin = opts.plugins && plugin_names.iter().any(|p| p == "serverless-api-gateway-throttling");

    // Resources the functions' intrinsics may refer to.
    let mut ev = CfnEval::new(region.clone(), stack.clone(), &file.relative);
    ev.resources_enabled = opts.resources;
    let resources_raw = merged_resources(doc.get("resources"));
    ev.add_resources(&resources_raw);
    let mut fn_names: Vec<(String, SymStr)> = vec![];
    for (key, f) in merged_entries(doc.get("functions")) {
        let phys = match f.get("name") {
            Some(n) if !n.is_null() => n.to_sym(),
            _ => fn_prefix.concat(&SymStr::lit(format!("-{key}"))),
        };
        fn_names.push((key.clone(), phys.clone()));
        let info = ResInfo { kind: "AWS::Lambda::Function".into(), name_node: None, name: Some(phys) };
        ev.resources.insert(format!("{}LambdaFunction", normalize_name(key)), info.clone());
        ev.resources.entry(key.clone()).or_insert(info);
    }
    // Resources the framework itself generates, which `resources:` may
    // reference by logical ID.
    for (id, kind) in IMPLICIT_RESOURCES {
        ev.resources.entry(id.to_string()).or_insert(ResInfo { kind: kind.to_string(), name_node: None, name: None });
    }
    if use_plugin(Plugin::StepFunctions) {
        if let Some(sms) = doc.path(&["stepFunctions", "stateMachines"]) {
            for (key, m) in sms.entries() {
                let ids = step_functions::logical_ids(key, m);
                let phys = step_functions::physical_name(&ids[0], m);
                for id in ids {
                    let info = ResInfo { kind: "AWS::StepFunctions::StateMachine".into(), name_node: None, name: Some(phys.clone()) };
                    ev.resources.entry(id).or_insert(info);
                }
            }
        }
    }
    let doc = if use_plugin(Plugin::PseudoParameters) { plugins::pseudo_parameters::rewrite(doc) } else { doc };
    let doc = ev.eval_tree(doc, 0);
    let resources_ev = merged_resources(doc.get("resources"));
    let prov = doc.get("provider").unwrap_or(&null);
    let custom = doc.get("custom");

    // Provider-wide role.
    let mut provider_role = RolePolicies::default();
    let mut provider_opaque = false;
    if let Some(s) = prov.get("iamRoleStatements") {
        provider_role.statements.extend(policy::statements_of(s, "provider.iamRoleStatements"));
    }
    if let Some(m) = prov.get("iamManagedPolicies") {
        provider_role.add_managed(m, &mut ev);
    }
    match prov.path(&["iam", "role"]) {
        Some(r) if r.is_map() => {
            if let Some(s) = r.get("statements") {
                provider_role.statements.extend(policy::statements_of(s, "provider.iam.role.statements"));
            }
            if let Some(m) = r.get("managedPolicies") {
                provider_role.add_managed(m, &mut ev);
            }
        }
        Some(r) if !r.is_null() => provider_opaque = true,
        _ => {}
    }
    let raw_prov = raw.get("provider");
    if let Some(r) = prov.get("role") {
        let raw_role = raw_prov.and_then(|p| p.get("role")).unwrap_or(r);
        match policy::role_reference(raw_role).and_then(|id| policy::role_policies(&id, &resources_ev, &mut ev)) {
            Some(rp) => provider_role = rp,
            None => provider_opaque = true,
        }
    }
    let prov_env = prov.get("environment");

    let mut functions = vec![];
    let raw_functions = merged_entries(raw.get("functions"));
    let mut extra_resources: Vec<Resource> = vec![];
    for (key, phys) in &fn_names {
        let f = find_in(&doc, key).unwrap_or(&null);
        let handler_text = f.get("handler").and_then(Node::as_text).unwrap_or_default();
        let handler_text = match use_plugin(Plugin::Wsgi).then(|| plugins::serverless_wsgi::app_handler(&handler_text, custom)).flatten() {
            Some(app) => app,
            None => handler_text,
        };
        let module_dir = f.get("module").and_then(Node::as_text).map(|m| format!("{}/", m.trim_end_matches('/')));
        let prefix = format!("{dir_prefix}{}", module_dir.unwrap_or_default());
        let handler = handler_from(&prefix, &handler_text);
        let mut environment = BTreeMap::new();
        let mut env_lines = BTreeMap::new();
        for env in [prov_env, f.get("environment")].into_iter().flatten() {
            for (k, v) in env.entries() {
                environment.insert(k.clone(), v.to_sym());
                env_lines.insert(k.clone(), v.line);
            }
        }
        let raw_fn_env = raw_functions.iter().find(|(k, _)| k == key).and_then(|(_, x)| x.get("environment"));
        let env_from_files = environment.keys().filter(|k| [raw.get("provider").and_then(|p| p.get("environment")), raw_fn_env].into_iter().flatten().any(|e| from_file(&raw, e, k))).cloned().collect();
        // The function's role.
        let mut role = provider_role.clone();
        let mut opaque_role = provider_opaque;
        if use_plugin(Plugin::IamRolesPerFunction) {
            if let Some((st, inherit)) =
                iam_roles_per_function::function_statements(key, f, custom, &provider_role.statements)
            {
                if !inherit {
                    role.managed.clear();
                    opaque_role = false;
                }
                role.statements = st;
                if let Some(m) = f.get("iamManagedPolicies") {
                    role.add_managed(m, &mut ev);
                }
            }
        }
        if let Some(r) = f.get("role") {
            let raw_role = raw_functions.iter().find(|(k, _)| k == key).and_then(|(_, x)| x.get("role")).unwrap_or(r);
            match policy::role_reference(raw_role).and_then(|id| policy::role_policies(&id, &resources_ev, &mut ev)) {
                Some(rp) => {
                    role = rp;
                    opaque_role = false;
                }
                None => {
                    role = RolePolicies::default();
                    opaque_role = true;
                }
            }
        }
        let mut events = f.get("events").map(|e| parse_events(e, &region, &mut extra_resources)).unwrap_or_default();
        // Throttling keys are the serverless-api-gateway-throttling
        // plugin's: without it the framework ignores them, and with its
        // stage-wide settings every REST route is throttled.
        let stage_throttling = throttling_plugin && custom.and_then(|c| c.get("apiGatewayThrottling")).is_some();
        for route in events.iter_mut().filter(|e| e.trigger == Trigger::HTTP).filter_map(|e| e.http.as_mut()) {
            route.throttled = throttling_plugin && (route.throttled || stage_throttling);
        }
        // Serverless v3 declares a function URL on the function itself
        // (`url: true` or `url: {authorizer: aws_iam, cors: ...}`), not
        // among its events.
        if let Some(url) = f.get("url").filter(|u| u.truthy() || u.get("authorizer").is_some() || u.get("cors").is_some() || u.get("invokeMode").is_some()) {
            let iam_auth = url.get("authorizer").and_then(Node::as_text).is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
            events.push(Event {
                trigger: Trigger::FUNCTION_URL,
                raw_type: "url".into(),
                resource: None,
                filter: EventFilter::default(),
                http: Some(HttpRoute { method: None, path: None, authorizer: iam_auth, throttled: false }),
                line: url.line,
            });
        }
        // `destinations: {onSuccess: other-function | ARN | {type, arn}}`.
        let mut destinations = vec![];
        for (k, on_success) in [("onSuccess", true), ("onFailure", false)] {
            if let Some(d) = f.get("destinations").and_then(|d| d.get(k)) {
                let target = d.get("arn").unwrap_or(d).to_sym();
                destinations.push(Destination { on_success, target, line: d.line });
            }
        }
        functions.push(Function {
            name: key.clone(),
            physical_name: phys.clone(),
            handler,
            runtime: f.get("runtime").and_then(Node::as_text).or_else(|| provider.runtime.clone()),
            events,
            environment,
            iam: role.statements,
            managed_policies: role.managed,
            opaque_role,
            destinations,
            code: if f.get("image").is_some() { Code::Image } else { Code::Files },
            env_from_files,
            env_lines,
            timeout: f.get("timeout").or_else(|| prov.get("timeout")).filter(|t| !t.is_null()).map(Node::to_sym),
            reserved_concurrency: f.get("reservedConcurrency").filter(|c| !c.is_null()).map(Node::to_sym),
            line: f.line,
        });
    }

    let mut resources = cfn::resources_of(&resources_ev, &mut ev);
    for r in extra_resources {
        if !resources.iter().any(|x| x.kind == r.kind && x.physical_name == r.physical_name) {
            resources.push(r);
        }
    }
    let mut state_machines = vec![];
    if use_plugin(Plugin::StepFunctions) {
        if let Some(sf) = doc.get("stepFunctions") {
            let mut sink = vec![];
            state_machines = step_functions::machines(sf, &fn_names, &mut |e| parse_events(e, &region, &mut sink));
        }
    }
    let framework_version = doc.get("frameworkVersion").and_then(Node::as_text);
    // Framework v4 ships the service-proxy plugin built in, reading the same
    // `custom.apiGatewayServiceProxies` block.
    let proxies = use_plugin(Plugin::ApiGatewayServiceProxy)
        || (opts.plugins && framework_version.as_deref().and_then(major_version).is_some_and(|v| v >= 4));
    let integrations = if proxies { apigateway_service_proxy::integrations(custom) } else { vec![] };
    let mut service = Service {
        file: file.relative.clone(),
        framework: Framework::Serverless,
        name,
        framework_version,
        provider,
        plugins: plugin_names,
        functions,
        resources,
        state_machines,
        subscriptions: vec![],
        integrations,
        forwards: vec![],
        diagnostics: vec![],
    };
    cfn::link_resources(&resources_ev, &mut ev, &mut service, &dir_prefix);
    step_functions::attach_task_events(&service.state_machines, &mut service.functions);
    diagnostics.append(&mut ev.diagnostics);
    service.diagnostics = diagnostics;
    service
}

/// `'4'`, `^4.2.0`, `>=4` -> 4.
fn major_version(v: &str) -> Option<u32> {
    let digits: String = v.trim_start_matches(|c: char| !c.is_ascii_digit()).chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Whether the variable `name` of an unresolved `environment:` map takes
/// its value from another file (`${file(...)}`, for the map or the entry,
/// also through `${self:custom.vars}` naming a part of the document that
/// does): such values are often secrets kept out of the deployment file.
fn from_file(raw: &Node, raw_env: &Node, name: &str) -> bool {
    fn names_file(raw: &Node, n: &Node, depth: u8) -> bool {
        let Some(t) = n.as_text() else { return false };
        if t.contains("${file(") {
            return true;
        }
        let Some(path) = t.trim().strip_prefix("${self:").and_then(|r| r.strip_suffix('}')) else { return false };
        let parts: Vec<&str> = path.split('.').collect();
        depth < 4 && raw.path(&parts).is_some_and(|target| names_file(raw, target, depth + 1))
    }
    names_file(raw, raw_env, 0) || raw_env.get(name).is_some_and(|v| names_file(raw, v, 0))
}

fn find_in<'n>(doc: &'n Node, key: &str) -> Option<&'n Node> {
    match doc.get("functions") {
        Some(Node { kind: Kind::Seq(items), .. }) => items.iter().find_map(|i| i.get(key)),
        Some(m) => m.get(key),
        None => None,
    }
}

#[cfg(test)]
pub(crate) mod tests;
