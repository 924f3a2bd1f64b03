//! Plain CloudFormation resources, shared by Serverless `resources:` and
//! SAM templates: the resource list with physical names, SNS subscriptions,
//! and triggers declared on the resource side rather than on the function
//! (S3 bucket notifications, event source mappings, EventBridge rules,
//! buckets and rules forwarding events into queues and topics,
//! SNS subscriptions with protocol `lambda`, API methods, OpenAPI routes,
//! function URLs and ALB target groups invoking a function), and API
//! Gateway routes integrated straight with a service.

use crate::catalog::{catalog, Streams};
use crate::infra::apigateway;
use crate::infra::model::*;
use crate::infra::function_refs::match_function;
use crate::infra::resolve::{name_property, CfnEval};
use crate::infra::yaml::{Kind, Node};
use crate::sym::SymStr;

/// `resources` is the evaluated `Resources:` map.
pub fn resources_of(resources: &Node, ev: &mut CfnEval) -> Vec<Resource> {
    let mut out = vec![];
    for (id, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::as_text).unwrap_or_default();
        let physical_name = name_property(&kind)
            .and_then(|p| r.path(&["Properties", p]))
            .filter(|n| !n.is_null())
            .map(Node::to_sym)
            .or_else(|| if name_property(&kind).is_some() { ev.physical_name(id, 0) } else { None });
        let has_stream = match catalog().resource_type(&kind).and_then(|t| t.streams.as_ref()) {
            Some(Streams::Always(always)) => *always,
            Some(Streams::When(property)) => r.path(&["Properties", property]).is_some_and(|s| !s.is_null()),
            None => false,
        };
        out.push(Resource { logical_id: id.clone(), kind, physical_name, has_stream, line: r.line });
    }
    out
}

fn function_names(service: &Service) -> Vec<(String, SymStr)> {
    service.functions.iter().map(|f| (f.name.clone(), f.physical_name.clone())).collect()
}

fn push_event(service: &mut Service, fname: &str, e: Event) {
    if let Some(f) = service.functions.iter_mut().find(|f| f.name == fname) {
        let dup = f.events.iter().any(|x| x.trigger == e.trigger && x.resource == e.resource && x.filter.s3_prefix == e.filter.s3_prefix);
        if !dup {
            f.events.push(e);
        }
    }
}

/// An SNS subscription's filter policy on message attributes (`FilterPolicy`
/// or Serverless' `filterPolicy`). One on the message body
/// (`FilterPolicyScope: MessageBody`) is not judged: the subscription counts
/// as open.
pub fn attribute_filter_policy(subscription: &Node) -> Option<&Node> {
    let body_scope = subscription.get_ci("FilterPolicyScope").and_then(Node::as_text).as_deref() == Some("MessageBody");
    subscription.get_ci("FilterPolicy").filter(|_| !body_scope)
}

/// Lambda destinations of a `DestinationConfig` (of an
/// `AWS::Lambda::EventInvokeConfig`, or SAM's `EventInvokeConfig`).
pub fn destinations_of(invoke_config: &Node) -> Vec<Destination> {
    [("OnSuccess", true), ("OnFailure", false)]
        .into_iter()
        .filter_map(|(k, on_success)| {
            let d = invoke_config.path(&["DestinationConfig", k, "Destination"])?;
            Some(Destination { on_success, target: d.to_sym(), line: d.line })
        })
        .collect()
}

/// The events and key rules of one bucket notification configuration.
fn notification_filter(c: &Node) -> EventFilter {
    let events = c.get("Event").map(|e| e.one_or_many().iter().map(|x| x.to_sym().to_string()).collect()).unwrap_or_default();
    let mut filter = EventFilter { s3_events: events, ..Default::default() };
    s3_rules(c.get("Filter"), &mut filter);
    filter
}

fn s3_rules(filter: Option<&Node>, f: &mut EventFilter) {
    let rules = filter.and_then(|x| x.path(&["S3Key", "Rules"])).map(Node::items).unwrap_or_default();
    for r in rules {
        let name = r.get_ci("Name").and_then(Node::as_text).unwrap_or_default().to_ascii_lowercase();
        let value = r.get_ci("Value").map(|v| v.to_sym().to_string());
        match name.as_str() {
            "prefix" => f.s3_prefix = value,
            "suffix" => f.s3_suffix = value,
            _ => {}
        }
    }
}

/// The patterns of an event source mapping's `FilterCriteria` (SAM's
/// `FilterCriteria` has the same shape), JSON text or YAML.
pub fn filter_patterns(fc: Option<&Node>) -> Vec<serde_json::Value> {
    let filters = fc.and_then(|f| f.get("Filters")).map(Node::items).unwrap_or_default();
    filters
        .iter()
        .filter_map(|f| f.get("Pattern"))
        .map(|p| match &p.kind {
            Kind::Str(s) => serde_json::from_str(&s.to_string()).unwrap_or(serde_json::Value::String(s.to_string())),
            _ => p.to_json(),
        })
        .collect()
}

/// Subscriptions and resource-side triggers. `resources` is evaluated.
pub fn link_resources(resources: &Node, ev: &mut CfnEval, service: &mut Service, _dir_prefix: &str) {
    let names = function_names(service);
    for (id, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::as_text).unwrap_or_default();
        let props = r.get("Properties").cloned().unwrap_or(Node::null(r.line));
        match kind.as_str() {
            "AWS::SNS::Subscription" => {
                let topic = props.get("TopicArn").map(Node::to_sym).unwrap_or_default();
                let protocol = props.get("Protocol").and_then(Node::as_text).unwrap_or_default().to_ascii_lowercase();
                let endpoint = props.get("Endpoint").map(Node::to_sym).unwrap_or_default();
                let policy = attribute_filter_policy(&props);
                link_sns(service, &names, &topic, &protocol, &endpoint, policy, r.line);
                service.subscriptions.push(Subscription {
                    topic,
                    protocol,
                    endpoint,
                    raw_message_delivery: props.get("RawMessageDelivery").is_some_and(Node::truthy),
                    filter_policy: policy.map(Node::to_json),
                    line: r.line,
                });
            }
            "AWS::SNS::Topic" => {
                let topic = ev.reference(id, r.line, 0);
                for s in props.get("Subscription").map(Node::items).unwrap_or_default() {
                    let protocol = s.get("Protocol").and_then(Node::as_text).unwrap_or_default().to_ascii_lowercase();
                    let endpoint = s.get("Endpoint").map(Node::to_sym).unwrap_or_default();
                    link_sns(service, &names, &topic, &protocol, &endpoint, None, s.line);
                    service.subscriptions.push(Subscription {
                        topic: topic.clone(),
                        protocol,
                        endpoint,
                        raw_message_delivery: false,
                        filter_policy: None,
                        line: s.line,
                    });
                }
            }
            "AWS::S3::Bucket" => {
                let bucket = ev.physical_name(id, 0).unwrap_or_default();
                let to_eventbridge = props.path(&["NotificationConfiguration", "EventBridgeConfiguration", "EventBridgeEnabled"]);
                if let Some(enabled) = to_eventbridge.filter(|n| n.truthy()) {
                    let (filter, target) = (EventFilter { s3_events: vec!["s3:*".into()], ..Default::default() }, SymStr::lit("default"));
                    service.forwards.push(Forward { from: Trigger::S3, resource: bucket.clone(), filter, to: Trigger::EVENTBRIDGE, target, constant: false, line: enabled.line });
                }
                for (list, key, to) in [("QueueConfigurations", "Queue", Trigger::SQS), ("TopicConfigurations", "Topic", Trigger::SNS)] {
                    for c in props.path(&["NotificationConfiguration", list]).map(Node::items).unwrap_or_default() {
                        let Some(target) = c.get(key).map(Node::to_sym) else { continue };
                        let filter = notification_filter(c);
                        service.forwards.push(Forward { from: Trigger::S3, resource: bucket.clone(), filter, to, target, constant: false, line: c.line });
                    }
                }
                let configs = props.path(&["NotificationConfiguration", "LambdaConfigurations"]).map(Node::items).unwrap_or_default();
                for c in configs {
                    let Some(target) = c.get("Function").map(Node::to_sym) else { continue };
                    let Some(fname) = match_function(&names, &target) else { continue };
                    let filter = notification_filter(c);
                    push_event(service, &fname, Event {
                        trigger: Trigger::S3,
                        raw_type: "AWS::S3::Bucket.NotificationConfiguration".into(),
                        resource: Some(bucket.clone()),
                        filter,
                        http: None,
                        line: c.line,
                    });
                }
            }
            "AWS::Lambda::EventSourceMapping" => {
                let Some(target) = props.get("FunctionName").map(Node::to_sym) else { continue };
                let Some(fname) = match_function(&names, &target) else { continue };
                let arn = props.get("EventSourceArn").map(Node::to_sym).unwrap_or_default();
                push_event(service, &fname, Event {
                    trigger: Trigger::of_event_source(&arn),
                    raw_type: "AWS::Lambda::EventSourceMapping".into(),
                    resource: Some(arn),
                    filter: EventFilter { patterns: filter_patterns(props.get("FilterCriteria")), ..Default::default() },
                    http: None,
                    line: r.line,
                });
            }
            "AWS::Events::Rule" => {
                for t in props.get("Targets").map(Node::items).unwrap_or_default() {
                    let Some(target) = t.get("Arn").map(Node::to_sym) else { continue };
                    let Some(fname) = match_function(&names, &target) else {
                        let Some(to) = Trigger::of_message_target(&target).filter(|t| matches!(*t, Trigger::SQS | Trigger::SNS)) else { continue };
                        if props.get("ScheduleExpression").is_some() {
                            continue;
                        }
                        service.forwards.push(Forward {
                            from: Trigger::EVENTBRIDGE,
                            resource: props.get("EventBusName").map(Node::to_sym).unwrap_or(SymStr::lit("default")),
                            filter: EventFilter { patterns: props.get("EventPattern").map(|p| vec![p.to_json()]).unwrap_or_default(), ..Default::default() },
                            to,
                            target,
                            constant: t.get("Input").is_some(),
                            line: t.line,
                        });
                        continue;
                    };
                    let scheduled = props.get("ScheduleExpression").is_some();
                    push_event(service, &fname, Event {
                        trigger: if scheduled { Trigger::SCHEDULE } else { Trigger::EVENTBRIDGE },
                        raw_type: "AWS::Events::Rule".into(),
                        resource: if scheduled { None } else { Some(props.get("EventBusName").map(Node::to_sym).unwrap_or(SymStr::lit("default"))) },
                        filter: EventFilter { patterns: props.get("EventPattern").map(|p| vec![p.to_json()]).unwrap_or_default(), ..Default::default() },
                        http: None,
                        line: t.line,
                    });
                }
            }
            "AWS::ApiGateway::Method" => {
                let method = props.get("HttpMethod").and_then(Node::as_text).unwrap_or_else(|| "ANY".into()).to_ascii_uppercase();
                let path = props.get("ResourceId").and_then(|rid| apigateway::rest_path(resources, &rid.to_sym()));
                let Some(integration) = props.get("Integration") else { continue };
                match integration.get_ci("Uri").and_then(|u| apigateway::lambda_target(&u.to_sym())) {
                    Some(target) => {
                        let auth = props.get("AuthorizationType").and_then(Node::as_text).is_some_and(|a| !a.eq_ignore_ascii_case("NONE"));
                        let route = HttpRoute { method: Some(method), path, authorizer: auth, throttled: false };
                        link_http(service, &names, &target, Trigger::HTTP, "AWS::ApiGateway::Method", route, r.line);
                    }
                    None => {
                        let route = format!("{method} {}", path.unwrap_or_else(|| id.clone()));
                        service.integrations.extend(apigateway::rest(route, &method, integration, r.line));
                    }
                }
            }
            "AWS::ApiGatewayV2::Integration" => match props.get("IntegrationUri").and_then(|u| apigateway::lambda_target(&u.to_sym())) {
                Some(target) => {
                    let (method, path) = apigateway::http_api_route(resources, id).unzip();
                    let route = HttpRoute { method, path, authorizer: false, throttled: false };
                    link_http(service, &names, &target, Trigger::HTTP_API, "AWS::ApiGatewayV2::Integration", route, r.line);
                }
                None => service.integrations.extend(apigateway::http_api(id.clone(), &props, r.line)),
            },
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" | "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => {
                let Some(definition) = props.get("DefinitionBody").or_else(|| props.get("Body")) else { continue };
                let trigger = if kind.ends_with("HttpApi") || kind.starts_with("AWS::ApiGatewayV2") { Trigger::HTTP_API } else { Trigger::HTTP };
                for route in apigateway::openapi(definition) {
                    match route {
                        apigateway::Route::Service(i) => service.integrations.push(i),
                        apigateway::Route::Lambda { method, path, function, authorizer, line } => {
                            let route = HttpRoute { method: Some(method), path: Some(path), authorizer, throttled: false };
                            link_http(service, &names, &function, trigger, "x-amazon-apigateway-integration", route, line);
                        }
                    }
                }
            }
            "AWS::Lambda::EventInvokeConfig" => {
                let Some(fname) = props.get("FunctionName").and_then(|t| match_function(&names, &t.to_sym())) else { continue };
                let Some(f) = service.functions.iter_mut().find(|f| f.name == fname) else { continue };
                f.destinations.extend(destinations_of(&props));
            }
            "AWS::Lambda::Url" => {
                let target = props.get("TargetFunctionArn").map(Node::to_sym).unwrap_or_default();
                let auth = props.get("AuthType").and_then(Node::as_text).is_some_and(|a| a == "AWS_IAM");
                let route = HttpRoute { method: None, path: None, authorizer: auth, throttled: false };
                link_http(service, &names, &target, Trigger::FUNCTION_URL, "AWS::Lambda::Url", route, r.line);
            }
            "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                if !props.get("TargetType").and_then(Node::as_text).is_some_and(|t| t.eq_ignore_ascii_case("lambda")) {
                    continue;
                }
                for t in props.get("Targets").map(Node::items).unwrap_or_default() {
                    let target = t.get("Id").map(Node::to_sym).unwrap_or_default();
                    link_http(service, &names, &target, Trigger::ALB, "AWS::ElasticLoadBalancingV2::TargetGroup", HttpRoute::default(), t.line);
                }
            }
            other => {
                for (trigger, declaration) in catalog().declared_by(other) {
                    let source = ev.physical_name(id, 0);
                    for path in &declaration.functions_under {
                        let keys: Vec<&str> = path.split('.').collect();
                        for (target, line) in props.path(&keys).map(function_arns).unwrap_or_default() {
                            let Some(fname) = match_function(&names, &target) else { continue };
                            push_event(service, &fname, Event {
                                trigger,
                                raw_type: format!("{other}.{path}"),
                                resource: source.clone(),
                                filter: EventFilter::default(),
                                http: None,
                                line,
                            });
                        }
                    }
                }
            }
        }
    }
}

/// Every Lambda function ARN written anywhere under a node, with its line.
fn function_arns(node: &Node) -> Vec<(SymStr, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            Kind::Map(m) => stack.extend(m.iter().rev().map(|(_, v)| v)),
            Kind::Seq(items) => stack.extend(items.iter().rev()),
            _ => {
                let value = n.to_sym();
                if value.to_string().contains(":function:") {
                    out.push((value, n.line));
                }
            }
        }
    }
    out
}

/// An HTTP-facing trigger declared on the resource side: an API method,
/// HTTP API integration, OpenAPI route, function URL or ALB target naming
/// the function.
fn link_http(service: &mut Service, names: &[(String, SymStr)], target: &SymStr, trigger: Trigger, raw_type: &str, route: HttpRoute, line: u32) {
    if let Some(fname) = match_function(names, target) {
        push_event(service, &fname, Event {
            trigger,
            raw_type: raw_type.into(),
            resource: None,
            filter: EventFilter::default(),
            http: Some(route),
            line,
        });
    }
}

fn link_sns(service: &mut Service, names: &[(String, SymStr)], topic: &SymStr, protocol: &str, endpoint: &SymStr, policy: Option<&Node>, line: u32) {
    if protocol != "lambda" {
        return;
    }
    if let Some(fname) = match_function(names, endpoint) {
        push_event(service, &fname, Event {
            trigger: Trigger::SNS,
            raw_type: "AWS::SNS::Subscription".into(),
            resource: Some(topic.clone()),
            filter: EventFilter { patterns: policy.map(|p| vec![p.to_json()]).unwrap_or_default(), ..Default::default() },
            http: None,
            line,
        });
    }
}
