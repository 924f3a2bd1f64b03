//! The `events:` of a Serverless function (or state machine): HTTP, HTTP
//! API, ALB, WebSocket and function-URL routes; S3 notifications with
//! their rules (and the buckets they create); SQS, SNS, streams and
//! EventBridge rules with their filters; and every trigger a model file
//! declares by its event key (`models/aws/*.toml`, `serverless`).

use crate::catalog::catalog;
use crate::infra::cfn;
use crate::infra::function_refs::normalize_name;
use crate::infra::model::*;
use crate::infra::yaml::{Kind, Node};
use crate::names::arn_of;
use crate::sym::SymStr;

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
