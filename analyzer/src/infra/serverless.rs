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
use crate::catalog::catalog;
use crate::names::arn_of;
use crate::sym::SymStr;

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

fn method_path(s: &str) -> (Option<String>, Option<String>) {
    let mut parts = s.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(m), Some(p)) => (Some(m.to_ascii_uppercase()), Some(p.to_string())),
        (Some(p), None) if p == "*" => (Some("*".into()), None),
        (Some(p), None) => (None, Some(p.to_string())),
        _ => (None, None),
    }
}

fn text(n: Option<&Node>) -> Option<String> {
    n.filter(|x| !x.is_null()).map(|x| x.to_sym().to_string())
}

fn patterns(n: Option<&Node>) -> Vec<serde_json::Value> {
    match n {
        Some(x) if matches!(x.kind, Kind::Seq(_)) => x.items().iter().map(Node::to_json).collect(),
        Some(x) if !x.is_null() => vec![x.to_json()],
        _ => vec![],
    }
}

/// `events:` of a function (or of a state machine).
pub fn parse_events(events: &Node, region: &SymStr, created: &mut Vec<Resource>) -> Vec<Event> {
    let mut out = vec![];
    let null = Node::null(0);
    for item in events.items() {
        // `- alexaSkill`: an event with no settings, written as its name.
        let (raw_type, v) = match (item.entries().first(), item.as_text()) {
            (Some((t, v)), _) => (t, v),
            (None, Some(name)) if !name.is_empty() => (&name.clone(), &null),
            _ => continue,
        };
        let mut e = Event {
            trigger: Trigger::OTHER,
            raw_type: raw_type.clone(),
            resource: None,
            filter: EventFilter::default(),
            http: None,
            line: item.line,
        };
        let is_str = matches!(v.kind, Kind::Str(_));
        match raw_type.as_str() {
            "http" | "httpApi" => {
                e.trigger = if raw_type == "http" { Trigger::HTTP } else { Trigger::HTTP_API };
                let mut route = HttpRoute::default();
                if is_str {
                    let (m, p) = method_path(&v.to_sym().to_string());
                    route.method = m;
                    route.path = p;
                } else {
                    route.method = text(v.get("method")).map(|m| m.to_ascii_uppercase());
                    route.path = text(v.get("path"));
                    route.authorizer = v.get("authorizer").is_some_and(|a| !a.is_null())
                        || v.get("private").is_some_and(Node::truthy);
                    // serverless-api-gateway-throttling reads it; `load`
                    // drops it when the plugin is not listed.
                    route.throttled = v.get("throttling").is_some_and(|t| !t.is_null());
                }
                e.http = Some(route);
            }
            "alb" => {
                e.trigger = Trigger::ALB;
                let c = v.get("conditions");
                e.http = Some(HttpRoute {
                    method: c.and_then(|c| c.get("method")).map(|m| m.one_or_many().iter().map(|x| x.to_sym().to_string()).collect::<Vec<_>>().join(",")),
                    path: c.and_then(|c| c.get("path")).map(|m| m.one_or_many().iter().map(|x| x.to_sym().to_string()).collect::<Vec<_>>().join(",")),
                    authorizer: v.get("authorizer").is_some(),
                    throttled: false,
                });
            }
            "websocket" => {
                e.trigger = Trigger::WEBSOCKET;
                let route = if is_str { Some(v.to_sym().to_string()) } else { text(v.get("route")) };
                e.http = Some(HttpRoute { method: None, path: route, authorizer: v.get("authorizer").is_some(), throttled: false });
            }
            "url" => {
                e.trigger = Trigger::FUNCTION_URL;
                let auth = v.get("authorizer").and_then(Node::as_text).is_some_and(|a| a.eq_ignore_ascii_case("aws_iam"));
                e.http = Some(HttpRoute { method: None, path: None, authorizer: auth, throttled: false });
            }
            "s3" => {
                e.trigger = Trigger::S3;
                let bucket = if is_str || v.get("bucket").is_none() { v.to_sym() } else { v.get("bucket").unwrap().to_sym() };
                if !is_str {
                    e.filter.s3_events = v.get("event").map(|x| x.one_or_many().iter().map(|x| x.to_sym().to_string()).collect()).unwrap_or_default();
                    e.filter.s3_existing = v.get("existing").is_some_and(Node::truthy);
                    for r in v.get("rules").map(Node::items).unwrap_or_default() {
                        if let Some(p) = text(r.get("prefix")) {
                            e.filter.s3_prefix = Some(p);
                        }
                        if let Some(s) = text(r.get("suffix")) {
                            e.filter.s3_suffix = Some(s);
                        }
                    }
                }
                if !e.filter.s3_existing {
                    if let Some(b) = bucket.as_lit() {
                        created.push(Resource {
                            logical_id: format!("S3Bucket{}", normalize_name(&b.replace(['-', '.'], ""))),
                            kind: "AWS::S3::Bucket".into(),
                            physical_name: Some(bucket.clone()),
                            has_stream: false,
                            line: item.line,
                        });
                    }
                }
                e.resource = Some(bucket);
            }
            "sqs" => {
                e.trigger = Trigger::SQS;
                let arn = if is_str { v.to_sym() } else { v.get("arn").map(Node::to_sym).unwrap_or(v.to_sym()) };
                e.resource = Some(arn_of("AWS::SQS::Queue", &arn, region));
                e.filter.patterns = patterns(v.get("filterPatterns"));
            }
            "sns" => {
                e.trigger = Trigger::SNS;
                let t = if is_str {
                    v.to_sym()
                } else {
                    v.get("arn").or_else(|| v.get("topicName")).map(Node::to_sym).unwrap_or(SymStr::any("topic"))
                };
                if t.as_lit().is_some_and(|x| !x.starts_with("arn:")) {
                    created.push(Resource {
                        logical_id: format!("SNSTopic{}", normalize_name(&t.to_string().replace(['-', '.', '_'], ""))),
                        kind: "AWS::SNS::Topic".into(),
                        physical_name: Some(t.clone()),
                        has_stream: false,
                        line: item.line,
                    });
                }
                e.resource = Some(arn_of("AWS::SNS::Topic", &t, region));
                e.filter.patterns = patterns(cfn::attribute_filter_policy(v));
            }
            "stream" => {
                let arn = if is_str { v.to_sym() } else { v.get("arn").map(Node::to_sym).unwrap_or(v.to_sym()) };
                let ty = if is_str { None } else { v.get("type").and_then(Node::as_text) };
                let kinesis = match ty.as_deref() {
                    Some(t) => t == "kinesis",
                    None => arn.to_string().contains(":kinesis:"),
                };
                e.trigger = if kinesis { Trigger::KINESIS_STREAM } else { Trigger::DYNAMODB_STREAM };
                e.resource = Some(arn);
                e.filter.patterns = patterns(v.get("filterPatterns"));
            }
            "eventBridge" | "cloudwatchEvent" => {
                e.trigger = Trigger::EVENTBRIDGE;
                if v.get("schedule").is_some() {
                    e.trigger = Trigger::SCHEDULE;
                } else {
                    e.resource = Some(v.get("eventBus").map(Node::to_sym).unwrap_or(SymStr::lit("default")));
                    e.filter.patterns = patterns(v.get("pattern").or_else(|| v.get("event")));
                }
            }
            key => {
                if let Some((trigger, syntax)) = catalog().trigger_for_event(false, key) {
                    e.trigger = trigger;
                    if !syntax.resource.is_empty() {
                        e.resource = if is_str { Some(v.to_sym()) } else { syntax.resource.iter().find_map(|k| v.get(k)).map(Node::to_sym) };
                    }
                    if let Some(f) = &syntax.filter {
                        e.filter.patterns = patterns(v.get(f));
                    }
                }
            }
        }
        out.push(e);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::infra::iam::IamOptions;
    use crate::infra::yaml::load_str;

    pub fn svc(text: &str) -> Service {
        svc_opts(text, &InfraOptions::default())
    }

    pub fn svc_opts(text: &str, opts: &InfraOptions) -> Service {
        let raw = load_str(text).unwrap();
        let f = DeploymentFile { relative: "serverless.yml".into(), path: "/nonexistent/serverless.yml".into() };
        load(&f, &raw, opts)
    }

    #[test]
    fn stack_name_names_generated_resources_not_functions() {
        let s = svc("service: misc\nprovider:\n  name: aws\n  stackName: custom-stack\nfunctions:\n  api:\n    handler: h.main\nresources:\n  Resources:\n    Users:\n      Type: AWS::DynamoDB::Table\n");
        assert_eq!(s.functions[0].physical_name, SymStr::lit("misc-dev-api"));
        let users = s.resources.iter().find(|r| r.logical_id == "Users").unwrap();
        assert!(users.physical_name.as_ref().unwrap().to_string().starts_with("custom-stack-Users-"), "{:?}", users.physical_name);
    }

    const BASE: &str = r#"
service: photo
frameworkVersion: '3'
plugins:
  - serverless-iam-roles-per-function
  - serverless-python-requirements
custom:
  bucket: ${self:service}-${sls:stage}-uploads
  table: items-${opt:stage, 'dev'}
provider:
  name: aws
  runtime: python3.9
  region: eu-west-1
  environment:
    BUCKET: ${self:custom.bucket}
    SHARED: p
  iamRoleStatements:
    - Effect: Allow
      Action: [s3:PutObject]
      Resource: arn:aws:s3:::${self:custom.bucket}/*
functions:
  upload:
    handler: handlers/httphandler.onPost
    environment:
      SHARED: f
      TABLE: !Ref Items
    events:
      - http: POST /upload
      - http:
          method: get
          path: items/{id}
          authorizer: aws_iam
  process:
    handler: handlers/proc.main
    name: custom-process
    iamRoleStatements:
      - Effect: Allow
        Action: dynamodb:PutItem
        Resource: !GetAtt Items.Arn
    events:
      - s3:
          bucket: ${self:custom.bucket}
          event: s3:ObjectCreated:*
          rules:
            - prefix: uploads/
            - suffix: .jpg
          existing: true
      - sqs: !GetAtt Jobs.Arn
      - sqs:
          arn: arn:aws:sqs:eu-west-1:123:other
          filterPatterns:
            - body: {a: [1]}
      - sns: news
      - sns:
          arn: !Ref Alerts
          filterPolicy: {kind: [x]}
      - stream:
          type: dynamodb
          arn: !GetAtt Items.StreamArn
      - schedule: rate(1 minute)
      - eventBridge:
          pattern: {source: [app]}
      - httpApi: 'PUT /x'
      - url: true
      - websocket: $connect
      - alb:
          listenerArn: arn:x
          priority: 1
          conditions:
            path: /alb
      - cloudwatchLog: /aws/x
      - cognitoUserPool: {pool: p, trigger: PreSignUp}
      - iot: {sql: "select"}
      - alexaSkill: amzn1.ask
resources:
  Resources:
    Items:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:custom.table}
        StreamSpecification: {StreamViewType: NEW_IMAGE}
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: jobs-${sls:stage}
    Alerts:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: alerts
        Subscription:
          - Protocol: email
            Endpoint: a@b.c
    Sub:
      Type: AWS::SNS::Subscription
      Properties:
        TopicArn: !Ref Alerts
        Protocol: sqs
        Endpoint: !GetAtt Jobs.Arn
        RawMessageDelivery: true
  Outputs:
    X: {Value: 1}
"#;

    #[test]
    fn service_provider_and_plugins() {
        let s = svc(BASE);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        assert_eq!(s.name.as_deref(), Some("photo"));
        assert_eq!(s.framework_version.as_deref(), Some("3"));
        assert_eq!(s.provider.region, SymStr::lit("eu-west-1"));
        assert_eq!(s.provider.stage, SymStr::lit("dev"));
        assert_eq!(s.plugins.len(), 2);
    }

    #[test]
    fn function_urls_declared_on_the_function_are_entry_points() {
        let s = svc("service: u\nprovider:\n  name: aws\nfunctions:\n  open:\n    handler: h.open\n    url: true\n  iam:\n    handler: h.iam\n    url:\n      authorizer: aws_iam\n  none:\n    handler: h.none\n");
        let triggers: Vec<Vec<Trigger>> = s.functions.iter().map(|f| f.events.iter().map(|e| e.trigger).collect()).collect();
        assert_eq!(triggers, vec![vec![Trigger::FUNCTION_URL], vec![Trigger::FUNCTION_URL], vec![]]);
        assert!(!s.functions[0].events[0].http.as_ref().unwrap().authorizer);
        assert!(s.functions[1].events[0].http.as_ref().unwrap().authorizer);
    }

    /// HTTP entry points declared as resources rather than events: an HTTP
    /// API integration and its route, an ALB target group, a function URL.
    #[test]
    fn http_entry_points_declared_as_resources() {
        let s = svc("service: r\nprovider:\n  name: aws\nfunctions:\n  api:\n    handler: h.api\n  alb:\n    handler: h.alb\n  url:\n    handler: h.url\nresources:\n  Resources:\n    Integ:\n      Type: AWS::ApiGatewayV2::Integration\n      Properties:\n        ApiId: !Ref HttpApi\n        IntegrationType: AWS_PROXY\n        IntegrationUri: !GetAtt ApiLambdaFunction.Arn\n        PayloadFormatVersion: '2.0'\n    ItemsRoute:\n      Type: AWS::ApiGatewayV2::Route\n      Properties:\n        ApiId: !Ref HttpApi\n        RouteKey: POST /items\n        Target: !Join ['/', [integrations, !Ref Integ]]\n    Targets:\n      Type: AWS::ElasticLoadBalancingV2::TargetGroup\n      Properties:\n        TargetType: lambda\n        Targets:\n          - Id: !GetAtt AlbLambdaFunction.Arn\n    Url:\n      Type: AWS::Lambda::Url\n      Properties:\n        AuthType: NONE\n        TargetFunctionArn: !GetAtt UrlLambdaFunction.Arn\n");
        let triggers: Vec<Vec<Trigger>> = s.functions.iter().map(|f| f.events.iter().map(|e| e.trigger).collect()).collect();
        assert_eq!(triggers, vec![vec![Trigger::HTTP_API], vec![Trigger::ALB], vec![Trigger::FUNCTION_URL]]);
        let route = s.functions[0].events[0].http.clone().unwrap();
        assert_eq!((route.method.as_deref(), route.path.as_deref()), (Some("POST"), Some("/items")));
    }

    #[test]
    fn lambda_destinations_on_the_function_and_as_a_resource() {
        let s = svc("service: d\nprovider:\n  name: aws\nfunctions:\n  a:\n    handler: h.a\n    destinations:\n      onSuccess: b\n      onFailure:\n        type: sqs\n        arn: arn:aws:sqs:us-east-1:1:dlq\n  b:\n    handler: h.b\nresources:\n  Resources:\n    Cfg:\n      Type: AWS::Lambda::EventInvokeConfig\n      Properties:\n        FunctionName: !Ref BLambdaFunction\n        Qualifier: $LATEST\n        DestinationConfig:\n          OnSuccess:\n            Destination: arn:aws:sns:us-east-1:1:done\n");
        let d = |f: usize| s.functions[f].destinations.iter().map(|d| (d.on_success, d.target.to_string())).collect::<Vec<_>>();
        assert_eq!(d(0), [(true, "b".to_string()), (false, "arn:aws:sqs:us-east-1:1:dlq".to_string())]);
        assert_eq!(d(1), [(true, "arn:aws:sns:us-east-1:1:done".to_string())]);
    }

    #[test]
    fn limits_throttling_and_environment_lines() {
        let s = svc("service: t\nplugins:\n  - serverless-api-gateway-throttling\nprovider:\n  name: aws\n  timeout: 20\n  environment:\n    A: x\nfunctions:\n  api:\n    handler: h.api\n    timeout: 900\n    reservedConcurrency: 5\n    environment:\n      B: y\n    events:\n      - http:\n          path: a\n          method: get\n          throttling:\n            maxRequestsPerSecond: 10\n      - http: GET b\n  worker:\n    handler: h.worker\n");
        let api = &s.functions[0];
        assert_eq!((api.timeout.clone(), api.reserved_concurrency.clone()), (Some(SymStr::lit("900")), Some(SymStr::lit("5"))));
        assert_eq!((api.env_lines["A"], api.env_lines["B"]), (8, 15));
        let throttled: Vec<bool> = api.events.iter().map(|e| e.http.as_ref().unwrap().throttled).collect();
        assert_eq!(throttled, vec![true, false]);
        assert_eq!((s.functions[1].timeout.clone(), s.functions[1].reserved_concurrency.clone()), (Some(SymStr::lit("20")), None));
        let without_plugin = svc("service: t\nprovider:\n  name: aws\nfunctions:\n  api:\n    handler: h.api\n    events:\n      - http:\n          path: a\n          method: get\n          throttling:\n            maxRequestsPerSecond: 10\n");
        assert!(!without_plugin.functions[0].events[0].http.as_ref().unwrap().throttled, "the framework ignores the plugin's keys");
    }

    #[test]
    fn functions_handlers_env() {
        let s = svc(BASE);
        let up = &s.functions[0];
        assert_eq!(up.physical_name, SymStr::lit("photo-dev-upload"));
        assert_eq!(up.handler.file, "handlers/httphandler.py");
        assert_eq!(up.handler.module, "handlers.httphandler");
        assert_eq!(up.handler.function, "onPost");
        assert_eq!(up.runtime.as_deref(), Some("python3.9"));
        assert_eq!(up.environment["SHARED"], SymStr::lit("f"));
        assert_eq!(up.environment["BUCKET"], SymStr::lit("photo-dev-uploads"));
        assert_eq!(up.environment["TABLE"], SymStr::lit("items-dev"));
        assert_eq!(s.functions[1].physical_name, SymStr::lit("custom-process"));
    }

    #[test]
    fn http_events() {
        let s = svc(BASE);
        let ev = &s.functions[0].events;
        assert_eq!(ev[0].trigger, Trigger::HTTP);
        let r = ev[0].http.as_ref().unwrap();
        assert_eq!((r.method.as_deref(), r.path.as_deref(), r.authorizer), (Some("POST"), Some("/upload"), false));
        let r = ev[1].http.as_ref().unwrap();
        assert_eq!((r.method.as_deref(), r.path.as_deref(), r.authorizer), (Some("GET"), Some("items/{id}"), true));
    }

    #[test]
    fn other_events() {
        let s = svc(BASE);
        let ev = &s.functions[1].events;
        let kinds: Vec<&str> = ev.iter().map(|e| e.trigger.name()).collect();
        assert_eq!(kinds, ["s3", "sqs", "sqs", "sns", "sns", "dynamodb-stream", "schedule", "eventbridge", "http-api", "function-url", "websocket", "alb", "cloudwatch-log", "cognito-user-pool", "iot", "alexa-skill"]);
        assert_eq!(ev[0].resource, Some(SymStr::lit("photo-dev-uploads")));
        assert_eq!(ev[0].filter.s3_prefix.as_deref(), Some("uploads/"));
        assert_eq!(ev[0].filter.s3_suffix.as_deref(), Some(".jpg"));
        assert!(ev[0].filter.s3_existing);
        assert_eq!(ev[0].filter.s3_events, vec!["s3:ObjectCreated:*"]);
        assert_eq!(ev[1].resource.as_ref().unwrap().to_string(), "arn:aws:sqs:eu-west-1:${?AWS::AccountId}:jobs-dev");
        assert_eq!(ev[2].filter.patterns.len(), 1);
        assert_eq!(ev[3].resource.as_ref().unwrap().to_string(), "arn:aws:sns:eu-west-1:${?AWS::AccountId}:news");
        assert_eq!(ev[4].resource.as_ref().unwrap().to_string(), "arn:aws:sns:eu-west-1:${?AWS::AccountId}:alerts");
        assert_eq!(ev[4].filter.patterns[0], serde_json::json!({"kind": ["x"]}));
        assert!(ev[5].resource.as_ref().unwrap().to_string().contains("table/items-dev/stream/"));
        assert_eq!(ev[7].resource, Some(SymStr::lit("default")));
        assert_eq!(ev[11].http.as_ref().unwrap().path.as_deref(), Some("/alb"));
    }

    #[test]
    fn resources_and_subscriptions() {
        let s = svc(BASE);
        let items = s.resources.iter().find(|r| r.logical_id == "Items").unwrap();
        assert_eq!(items.physical_name, Some(SymStr::lit("items-dev")));
        assert!(items.has_stream);
        assert!(s.resources.iter().any(|r| r.kind == "AWS::SNS::Topic" && r.physical_name == Some(SymStr::lit("news"))));
        assert_eq!(s.subscriptions.len(), 2);
        assert!(s.subscriptions.iter().any(|x| x.protocol == "email"));
        let q = s.subscriptions.iter().find(|x| x.protocol == "sqs").unwrap();
        assert!(q.raw_message_delivery);
        assert_eq!(q.endpoint.to_string(), "arn:aws:sqs:eu-west-1:${?AWS::AccountId}:jobs-dev");
    }

    #[test]
    fn iam_roles_per_function_plugin() {
        let s = svc(BASE);
        let o = IamOptions::default();
        let up = &s.functions[0];
        let obj = crate::infra::iam::s3_object_arn(&SymStr::lit("photo-dev-uploads"), &SymStr::lit("k"));
        assert_eq!(up.allows("s3:PutObject", &obj, &o), Decision::Allowed);
        let p = &s.functions[1];
        assert_eq!(p.allows("s3:PutObject", &obj, &o), Decision::Denied);
        let t = arn_of("AWS::DynamoDB::Table", &SymStr::lit("items-dev"), &SymStr::lit("eu-west-1"));
        assert_eq!(p.allows("dynamodb:PutItem", &t, &o), Decision::Allowed);
        // Without plugin support the provider role applies.
        let s = svc_opts(BASE, &InfraOptions { plugins: false, resources: true });
        assert_eq!(s.functions[1].allows("s3:PutObject", &obj, &o), Decision::Allowed);
        assert_eq!(s.functions[1].allows("dynamodb:PutItem", &t, &o), Decision::Denied);
        // Nor when the plugin is not listed.
        let s = svc(&BASE.replace("  - serverless-iam-roles-per-function\n", ""));
        assert_eq!(s.functions[1].allows("s3:PutObject", &obj, &o), Decision::Allowed);
    }

    #[test]
    fn resources_switch() {
        let s = svc_opts(BASE, &InfraOptions { plugins: true, resources: false });
        assert!(!s.functions[0].environment["TABLE"].is_known());
    }

    #[test]
    fn iam_v3_and_managed_and_role() {
        let s = svc("service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements:\n        - Effect: Allow\n          Action: sqs:SendMessage\n          Resource: '*'\n      managedPolicies:\n        - arn:aws:iam::123:policy/Custom\nfunctions:\n  a:\n    handler: a.h\n  b:\n    handler: b.h\n    role: arn:aws:iam::1:role/x\n");
        let a = &s.functions[0];
        assert_eq!(a.iam.len(), 1);
        assert_eq!(a.managed_policies.len(), 1);
        assert!(s.functions[1].opaque_role);
        let s = svc("service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::1:role/x\nfunctions:\n  a:\n    handler: a.h\n");
        assert!(s.functions[0].opaque_role);
        let s = svc("service: s\nprovider:\n  name: aws\n  role: MyRole\nfunctions:\n  a:\n    handler: a.h\nresources:\n  Resources:\n    MyRole:\n      Type: AWS::IAM::Role\n      Properties:\n        Policies:\n          - PolicyName: p\n            PolicyDocument:\n              Statement:\n                - Effect: Allow\n                  Action: s3:GetObject\n                  Resource: '*'\n        ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]\n");
        assert!(!s.functions[0].opaque_role);
        assert_eq!(s.functions[0].iam.len(), 2);
    }

    #[test]
    fn plugins_modules_form_and_service_map() {
        let s = svc("service:\n  name: svc\nplugins:\n  modules: [serverless-step-functions]\nprovider: {name: aws}\n");
        assert_eq!(s.name.as_deref(), Some("svc"));
        assert_eq!(s.plugins, vec!["serverless-step-functions"]);
    }

    #[test]
    fn step_functions_plugin() {
        let s = svc(r#"
service: sf
plugins: [serverless-step-functions]
provider: {name: aws, region: us-east-1}
functions:
  first: {handler: h.first}
  second: {handler: h.second}
  third: {handler: h.third}
stepFunctions:
  stateMachines:
    flow:
      name: my-flow
      events:
        - http: {path: start, method: post}
      definition:
        StartAt: One
        States:
          One:
            Type: Task
            Resource: !GetAtt [first, Arn]
            Next: Two
          Two:
            Type: Task
            Resource: arn:aws:lambda:${aws:region}:${aws:accountId}:function:${self:service}-${sls:stage}-second
            Next: Three
          Three:
            Type: Task
            Resource:
              Fn::GetAtt: [ThirdLambdaFunction, Arn]
            End: true
"#);
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        let m = &s.state_machines[0];
        assert_eq!(m.physical_name, SymStr::lit("my-flow"));
        assert_eq!(m.start_at, "One");
        assert_eq!(m.events[0].trigger, Trigger::HTTP);
        let fs: Vec<Option<&str>> = m.states.iter().map(|s| s.function.as_deref()).collect();
        assert_eq!(fs, vec![Some("first"), Some("second"), Some("third")]);
        for f in &s.functions {
            let e = &f.events[0];
            assert_eq!(e.trigger, Trigger::STEP_FUNCTIONS);
            assert_eq!(e.resource, Some(SymStr::lit("my-flow")));
        }
        assert_eq!(s.functions[1].events[0].filter.state.as_deref(), Some("Two"));
    }

    #[test]
    fn module_and_subdir_handlers() {
        let raw = load_str("service: s\nprovider: {name: aws}\nfunctions:\n  a:\n    handler: app.main\n    module: api\n").unwrap();
        let f = DeploymentFile { relative: "svc1/serverless.yml".into(), path: "/nonexistent/svc1/serverless.yml".into() };
        let s = load(&f, &raw, &InfraOptions::default());
        assert_eq!(s.functions[0].handler.file, "svc1/api/app.py");
        assert_eq!(s.functions[0].handler.module, "app");
    }
}
