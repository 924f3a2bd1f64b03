//! The `Events` of a SAM function: API and HTTP API routes with their
//! authorizers, S3 notifications with their rules, SQS and SNS with their
//! filters, EventBridge rules, and every trigger a model file declares by
//! its event type (`models/aws/*.toml`, `sam`).

use crate::catalog::catalog;
use crate::infra::cfn;
use crate::infra::model::*;
use crate::infra::yaml::Node;
use crate::names::arn_of;
use crate::sym::SymStr;

pub(super) fn parse_event(e: &Node, region: &SymStr, api_default_auth: bool) -> Event {
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
            ev.filter.patterns = cfn::filter_patterns(p.get("FilterCriteria"));
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
                    ev.filter.patterns = cfn::filter_patterns(p.get(f));
                }
            }
        }
    }
    ev
}
