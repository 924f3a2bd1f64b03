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
use crate::catalog::catalog;
use crate::names::arn_of;
use crate::sym::SymStr;

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

fn parse_event(e: &Node, region: &SymStr, api_default_auth: bool) -> Event {
    let ty = e.get("Type").and_then(Node::as_text).unwrap_or_default();
    let p = e.get("Properties").cloned().unwrap_or(Node::null(e.line));
    let mut ev = Event { trigger: Trigger::OTHER, raw_type: ty.clone(), resource: None, filter: EventFilter::default(), http: None, line: e.line };
    let sym = |k: &str| p.get(k).map(Node::to_sym);
    match ty.as_str() {
        "Api" | "HttpApi" => {
            ev.trigger = if ty == "Api" { Trigger::HTTP } else { Trigger::HTTP_API };
            let auth = match p.path(&["Auth", "Authorizer"]).and_then(Node::as_text) {
                Some(a) => a != "NONE",
                None => api_default_auth || p.path(&["Auth", "ApiKeyRequired"]).is_some_and(Node::truthy),
            };
            ev.http = Some(HttpRoute {
                method: p.get("Method").and_then(Node::as_text).map(|m| m.to_ascii_uppercase()),
                path: p.get("Path").and_then(Node::as_text),
                authorizer: auth,
                throttled: false,
            });
        }
        "S3" => {
            ev.trigger = Trigger::S3;
            ev.resource = sym("Bucket");
            ev.filter.s3_events = p.get("Events").map(|x| x.one_or_many().iter().map(|y| y.to_sym().to_string()).collect()).unwrap_or_default();
            let rules = p.path(&["Filter", "S3Key", "Rules"]).map(Node::items).unwrap_or_default();
            for r in rules {
                let name = r.get("Name").and_then(Node::as_text).unwrap_or_default().to_ascii_lowercase();
                let v = r.get("Value").map(|x| x.to_sym().to_string());
                if name == "prefix" {
                    ev.filter.s3_prefix = v;
                } else if name == "suffix" {
                    ev.filter.s3_suffix = v;
                }
            }
        }
        "SQS" => {
            ev.trigger = Trigger::SQS;
            ev.resource = sym("Queue").map(|q| arn_of("AWS::SQS::Queue", &q, region));
            ev.filter.patterns = criteria(p.get("FilterCriteria"));
        }
        "SNS" => {
            ev.trigger = Trigger::SNS;
            ev.resource = sym("Topic").map(|t| arn_of("AWS::SNS::Topic", &t, region));
            ev.filter.patterns = cfn::attribute_filter_policy(&p).map(|x| vec![x.to_json()]).unwrap_or_default();
        }
        "EventBridgeRule" | "CloudWatchEvent" => {
            ev.trigger = Trigger::EVENTBRIDGE;
            ev.resource = Some(sym("EventBusName").unwrap_or(SymStr::lit("default")));
            ev.filter.patterns = p.get("Pattern").map(|x| vec![x.to_json()]).unwrap_or_default();
        }
        key => {
            if let Some((trigger, syntax)) = catalog().trigger_for_event(true, key) {
                ev.trigger = trigger;
                ev.resource = syntax.resource.iter().find_map(|k| sym(k));
                if let Some(f) = &syntax.filter {
                    ev.filter.patterns = criteria(p.get(f));
                }
            }
        }
    }
    ev
}

fn criteria(fc: Option<&Node>) -> Vec<serde_json::Value> {
    fc.and_then(|f| f.get("Filters"))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.get("Pattern"))
        .map(|p| match &p.kind {
            Kind::Str(s) => serde_json::from_str(&s.to_string()).unwrap_or(serde_json::Value::String(s.to_string())),
            _ => p.to_json(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::iam::IamOptions;
    use crate::infra::yaml::load_str;

    fn sam(text: &str) -> Service {
        let raw = load_str(text).unwrap();
        let f = DeploymentFile { relative: "template.yaml".into(), path: "/nonexistent/template.yaml".into() };
        load(&f, &raw, &InfraOptions::default())
    }

    const T: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: prod}
Globals:
  Function:
    Runtime: python3.11
    CodeUri: src/
    Environment:
      Variables:
        G: g
        TABLE: overridden
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.lambda_handler
      FunctionName: !Sub '${Stage}-api'
      Environment:
        Variables:
          TABLE: !Ref Table
          BUCKET: !Ref Bucket
      Policies:
        - S3CrudPolicy: {BucketName: !Ref Bucket}
        - DynamoDBReadPolicy: {TableName: !Ref Table}
        - SQSSendMessagePolicy: {QueueName: !GetAtt Queue.QueueName}
        - AWSLambdaBasicExecutionRole
        - arn:aws:iam::123:policy/Custom
        - Statement:
            - Effect: Deny
              Action: s3:DeleteObject
              Resource: '*'
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Get:
          Type: Api
          Properties: {Path: /items, Method: get}
        Http:
          Type: HttpApi
          Properties: {Path: /x, Method: post, Auth: {Authorizer: Jwt}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./worker
      Handler: pkg/handler.main
      Role: arn:aws:iam::1:role/r
      Events:
        Up:
          Type: S3
          Properties:
            Bucket: !Ref Bucket
            Events: s3:ObjectCreated:*
            Filter:
              S3Key:
                Rules:
                  - {Name: prefix, Value: in/}
                  - {Name: suffix, Value: .csv}
        Q:
          Type: SQS
          Properties: {Queue: !GetAtt Queue.Arn}
        N:
          Type: SNS
          Properties: {Topic: !Ref Topic, FilterPolicy: {a: [b]}}
        S:
          Type: DynamoDB
          Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}
        K:
          Type: Kinesis
          Properties: {Stream: !GetAtt Stream.Arn}
        C:
          Type: Schedule
          Properties: {Schedule: rate(1 day)}
        E:
          Type: EventBridgeRule
          Properties: {Pattern: {source: [x]}, EventBusName: bus}
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: python3.12
      Role: !GetAtt PlainRole.Arn
  PlainRole:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [sns:Publish]
                Resource: !Ref Topic
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${Stage}-files'
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectRemoved:*
            Function: !GetAtt Plain.Arn
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: t}
  Stream:
    Type: AWS::Kinesis::Stream
    Properties: {Name: ks}
  Sub:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Protocol: lambda, Endpoint: !GetAtt Plain.Arn}
  Esm:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Queue.Arn, FunctionName: !Ref Plain}
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: flow
      DefinitionSubstitutions:
        WorkerArn: !GetAtt Worker.Arn
      Definition:
        StartAt: W
        States:
          W: {Type: Task, Resource: '${WorkerArn}', End: true}
  Machine2:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Api.Arn}", "End": true}}}'
"#;

    #[test]
    fn functions_globals_handlers() {
        let s = sam(T);
        assert_eq!(s.framework, Framework::Sam);
        let api = &s.functions[0];
        assert_eq!(api.physical_name, SymStr::lit("prod-api"));
        assert_eq!(api.handler.file, "src/app.py");
        assert_eq!(api.handler.module, "app");
        assert_eq!(api.runtime.as_deref(), Some("python3.11"));
        assert_eq!(api.environment["G"], SymStr::lit("g"));
        assert_eq!(api.environment["BUCKET"], SymStr::lit("prod-files"));
        assert!(api.environment["TABLE"].to_string().contains("-Table-"));
        let w = &s.functions[1];
        assert_eq!(w.handler.file, "worker/pkg/handler.py");
        assert_eq!(w.handler.module, "pkg.handler");
        assert!(w.opaque_role);
        assert_eq!(s.functions[2].handler.file, "index.py");
    }

    #[test]
    fn events() {
        let s = sam(T);
        let api = &s.functions[0];
        let t: Vec<Trigger> = api.events.iter().map(|e| e.trigger).collect();
        assert_eq!(t, vec![Trigger::HTTP, Trigger::HTTP_API, Trigger::FUNCTION_URL, Trigger::STEP_FUNCTIONS]);
        assert!(!api.events[0].http.as_ref().unwrap().authorizer);
        assert!(api.events[1].http.as_ref().unwrap().authorizer);
        let w = &s.functions[1];
        let t: Vec<&str> = w.events.iter().map(|e| e.trigger.name()).collect();
        assert_eq!(t, ["s3", "sqs", "sns", "dynamodb-stream", "kinesis-stream", "schedule", "eventbridge", "stepfunctions"]);
        assert_eq!(w.events[0].resource, Some(SymStr::lit("prod-files")));
        assert_eq!(w.events[0].filter.s3_prefix.as_deref(), Some("in/"));
        assert_eq!(w.events[0].filter.s3_suffix.as_deref(), Some(".csv"));
        assert_eq!(w.events[2].resource.as_ref().unwrap().to_string(), "arn:aws:sns:us-east-1:${?AWS::AccountId}:t");
        assert_eq!(w.events[6].resource, Some(SymStr::lit("bus")));
        assert_eq!(w.events[7].resource, Some(SymStr::lit("flow")));
        let plain = &s.functions[2];
        let t: Vec<Trigger> = plain.events.iter().map(|e| e.trigger).collect();
        assert!(t.contains(&Trigger::S3) && t.contains(&Trigger::SNS) && t.contains(&Trigger::SQS), "{t:?}");
        assert_eq!(s.functions[0].events.len(), 4);
        assert_eq!(s.state_machines.len(), 2);
        assert_eq!(s.state_machines[1].states[0].function.as_deref(), Some("Api"));
    }

    #[test]
    fn policies() {
        let s = sam(T);
        let api = &s.functions[0];
        let o = IamOptions::default();
        let obj = crate::infra::iam::s3_object_arn(&SymStr::lit("prod-files"), &SymStr::lit("k"));
        assert_eq!(api.managed_policies.len(), 1);
        let strict = IamOptions { unknown_as_denied: true };
        assert_eq!(api.allows("s3:PutObject", &obj, &strict), Decision::Allowed);
        assert_eq!(api.allows("s3:DeleteObject", &obj, &o), Decision::Denied);
        let q = s.resources.iter().find(|r| r.logical_id == "Queue").unwrap().physical_name.clone().unwrap();
        let qarn = arn_of("AWS::SQS::Queue", &q, &SymStr::lit("us-east-1"));
        assert_eq!(api.allows("sqs:SendMessage", &qarn, &strict), Decision::Allowed);
        assert_eq!(api.allows("dynamodb:PutItem", &SymStr::lit("arn:aws:dynamodb:us-east-1:1:table/x"), &o), Decision::Unknown);
        let plain = &s.functions[2];
        assert!(!plain.opaque_role);
        let topic = arn_of("AWS::SNS::Topic", &SymStr::lit("t"), &SymStr::lit("us-east-1"));
        assert_eq!(plain.allows("sns:Publish", &topic, &strict), Decision::Allowed);
    }

    #[test]
    fn resources_and_subscriptions() {
        let s = sam(T);
        let t = s.resources.iter().find(|r| r.logical_id == "Table").unwrap();
        assert!(t.has_stream);
        assert!(s.subscriptions.iter().any(|x| x.protocol == "lambda"));
    }
}
