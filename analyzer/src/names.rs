//! Resource names: the forms a bucket, queue, topic, table, stream, bus,
//! state machine or function is named by (name, URL, ARN, stream ARN...)
//! brought to the one that identifies it and compared symbolically, and
//! the ARNs and reference values built from a name. How each service names
//! its resources is data (`catalog.rs`, `models/aws/*.toml`); this is the
//! one place that applies it, for the deployment-file readers, the cloud
//! links and the reports alike.

use crate::catalog::{catalog, NameRule, ResourceType};
use crate::sym::{Piece, SymStr, Truth};

/// The note of the unknown piece that stands for the deploying account.
pub const ACCOUNT_NOTE: &str = "AWS::AccountId";

/// The deploying account: unknown, but the same everywhere in the app.
pub fn account() -> SymStr {
    SymStr::any(ACCOUNT_NOTE)
}

/// Whether two names of a resource of some kind (bucket, queue URL or ARN,
/// topic ARN, table ARN or stream ARN...) may denote the same resource.
pub fn same_resource(kind: &str, a: &SymStr, b: &SymStr) -> Truth {
    normalize(kind, a).may_equal(&normalize(kind, b))
}

/// The name that identifies a resource of a kind (trigger or service name),
/// whatever form it was given in: bucket, queue name, topic name, table...
pub fn normalize(kind: &str, s: &SymStr) -> SymStr {
    match catalog().service(kind) {
        Some(service) => apply(&service.names, s),
        None => s.clone(),
    }
}

fn apply(rule: &NameRule, s: &SymStr) -> SymStr {
    match rule {
        NameRule::AsIs => s.clone(),
        NameRule::LastSegment => s.last_segment(),
        NameRule::Bucket => after_marker(s, "arn:aws:s3:::").unwrap_or_else(|| until(s, '/')),
        NameRule::After(marker) => after_marker(s, marker).unwrap_or_else(|| s.clone()),
        NameRule::NoLeadingSlash => match s.known_prefix().strip_prefix('/') {
            Some(_) => drop_first(s),
            None => s.clone(),
        },
        NameRule::UrlLastSegment => {
            if s.known_prefix().starts_with("https://") || s.to_string().contains('/') {
                s.last_segment()
            } else {
                s.clone()
            }
        }
    }
}

/// The ARN of a resource of a CloudFormation type from its name (or URL,
/// for a queue) and the region, with the account unknown. A name that
/// already is an ARN is kept, and so is a name of a type without an ARN
/// template.
pub fn arn_of(cfn_type: &str, name: &SymStr, region: &SymStr) -> SymStr {
    match catalog().resource_type(cfn_type) {
        Some(t) => arn_by(t, name, region).unwrap_or_else(|| name.clone()),
        None => name.clone(),
    }
}

fn arn_by(t: &ResourceType, name: &SymStr, region: &SymStr) -> Option<SymStr> {
    let template = t.arn.as_ref()?;
    if name.known_prefix().starts_with("arn:") {
        return Some(name.clone());
    }
    Some(expand(template, &|var| match var {
        "name" => Some(apply(&t.arn_name, name)),
        "region" => Some(region.clone()),
        _ => None,
    }))
}

/// What `Ref` gives for a resource of a type: its declared template, or
/// its name; `None` when the type has no model.
pub fn reference(cfn_type: &str, name: &SymStr, region: &SymStr) -> Option<SymStr> {
    let t = catalog().resource_type(cfn_type)?;
    Some(reference_by(t, name, region))
}

fn reference_by(t: &ResourceType, name: &SymStr, region: &SymStr) -> SymStr {
    match &t.reference {
        // A `ref` template naming `{ref}` would name itself: that part stays unknown.
        Some(template) => expand(template, &|var| if var == "ref" { None } else { values(t, var, name, region) }),
        None => name.clone(),
    }
}

/// What `Fn::GetAtt` gives for an attribute of a resource of a type:
/// `Name` is the name, `Arn` the ARN, others as the model declares them.
pub fn attribute(cfn_type: &str, attribute: &str, name: &SymStr, region: &SymStr) -> Option<SymStr> {
    let t = catalog().resource_type(cfn_type);
    if let Some(template) = t.and_then(|t| t.attributes.get(attribute)) {
        return Some(expand(template, &|var| values(t?, var, name, region)));
    }
    match attribute {
        "Name" => Some(name.clone()),
        "Arn" => t.and_then(|t| arn_by(t, name, region)),
        _ => None,
    }
}

fn values(t: &ResourceType, var: &str, name: &SymStr, region: &SymStr) -> Option<SymStr> {
    match var {
        "name" => Some(name.clone()),
        "region" => Some(region.clone()),
        "arn" => Some(arn_by(t, name, region).unwrap_or_else(|| name.clone())),
        "ref" => Some(reference_by(t, name, region)),
        _ => None,
    }
}

/// A model template: literal text with `{account}` (the deploying
/// account), `{?note}` (an unknown part) and the variables `var` gives.
fn expand(template: &str, var: &dyn Fn(&str) -> Option<SymStr>) -> SymStr {
    let mut out = SymStr::default();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_lit(&rest[..open]);
        let Some(close) = rest[open..].find('}') else { break };
        let name = &rest[open + 1..open + close];
        if name == "account" {
            out.push(&account());
        } else if let Some(note) = name.strip_prefix('?') {
            out.push_any(note);
        } else {
            out.push(&var(name).unwrap_or_else(|| SymStr::any(name)));
        }
        rest = &rest[open + close + 1..];
    }
    out.push_lit(rest);
    out
}

/// The part of `s` after the literal `marker`, up to the next `/` or `:`.
fn after_marker(s: &SymStr, marker: &str) -> Option<SymStr> {
    let mut out: Option<SymStr> = None;
    for p in s.pieces() {
        match (&mut out, p) {
            (None, Piece::Lit(l)) => {
                if let Some(i) = l.find(marker) {
                    let rest = &l[i + marker.len()..];
                    let end = rest.find(['/', ':']).unwrap_or(rest.len());
                    let mut o = SymStr::lit(&rest[..end]);
                    if end < rest.len() {
                        return Some(o);
                    }
                    o.push_lit("");
                    out = Some(o);
                }
            }
            (None, Piece::Any(_)) => {}
            (Some(o), Piece::Lit(l)) => {
                let end = l.find(['/', ':']).unwrap_or(l.len());
                o.push_lit(&l[..end]);
                if end < l.len() {
                    return out;
                }
            }
            (Some(o), Piece::Any(n)) => o.push_any(n),
        }
    }
    out
}

fn until(s: &SymStr, sep: char) -> SymStr {
    let mut out = SymStr::default();
    for p in s.pieces() {
        match p {
            Piece::Lit(l) => match l.find(sep) {
                Some(i) => {
                    out.push_lit(&l[..i]);
                    return out;
                }
                None => out.push_lit(l),
            },
            Piece::Any(n) => out.push_any(n),
        }
    }
    out
}

fn drop_first(s: &SymStr) -> SymStr {
    let mut out = SymStr::default();
    for (i, p) in s.pieces().iter().enumerate() {
        match p {
            Piece::Lit(l) if i == 0 => out.push_lit(&l[1..]),
            Piece::Lit(l) => out.push_lit(l),
            Piece::Any(n) => out.push_any(n),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_normalize_across_forms() {
        let url = SymStr::lit("https://sqs.us-east-1.amazonaws.com/").concat(&SymStr::any("acct")).concat(&SymStr::lit("/jobs"));
        let arn = SymStr::lit("arn:aws:sqs:us-east-1:").concat(&SymStr::any("acct")).concat(&SymStr::lit(":jobs"));
        assert_eq!(same_resource("sqs", &url, &arn), Truth::Yes);
        let stream = SymStr::lit("arn:aws:dynamodb:us-east-1:").concat(&SymStr::any("acct")).concat(&SymStr::lit(":table/Orders/stream/")).concat(&SymStr::any("label"));
        assert_eq!(same_resource("dynamodb-stream", &stream, &SymStr::lit("Orders")), Truth::Yes);
        assert_eq!(same_resource("dynamodb-stream", &stream, &SymStr::lit("Audit")), Truth::No);
        assert_eq!(same_resource("s3", &SymStr::lit("arn:aws:s3:::b"), &SymStr::lit("b")), Truth::Yes);
        assert_eq!(same_resource("ssm", &SymStr::lit("/app/cmd"), &SymStr::lit("app/cmd")), Truth::Yes);
    }

    #[test]
    fn arns_of_common_resources() {
        let r = SymStr::lit("eu-west-1");
        assert_eq!(arn_of("AWS::SSM::Parameter", &SymStr::lit("/app/key"), &r).to_string(), "arn:aws:ssm:eu-west-1:${?AWS::AccountId}:parameter/app/key");
        assert_eq!(arn_of("AWS::Lambda::Function", &SymStr::lit("s-dev-f"), &r).to_string(), "arn:aws:lambda:eu-west-1:${?AWS::AccountId}:function:s-dev-f");
        assert_eq!(arn_of("AWS::StepFunctions::StateMachine", &SymStr::lit("m"), &r).to_string(), "arn:aws:states:eu-west-1:${?AWS::AccountId}:stateMachine:m");
        assert_eq!(arn_of("AWS::Events::EventBus", &SymStr::lit("bus"), &r).to_string(), "arn:aws:events:eu-west-1:${?AWS::AccountId}:event-bus/bus");
        assert_eq!(arn_of("AWS::Kinesis::Stream", &SymStr::lit("k"), &r).to_string(), "arn:aws:kinesis:eu-west-1:${?AWS::AccountId}:stream/k");
        assert_eq!(arn_of("AWS::SNS::Topic", &SymStr::lit("arn:aws:sns:x:1:t"), &r).to_string(), "arn:aws:sns:x:1:t");
        assert_eq!(arn_of("AWS::IAM::Role", &SymStr::lit("r"), &r).to_string(), "arn:aws:iam::${?AWS::AccountId}:role/r");
        assert_eq!(arn_of("AWS::SQS::Queue", &SymStr::lit("https://sqs.eu-west-1.amazonaws.com/1/jobs"), &r).to_string(), "arn:aws:sqs:eu-west-1:${?AWS::AccountId}:jobs");
        let prefixed = SymStr::any("service").concat(&SymStr::lit("-jobs"));
        assert_eq!(arn_of("AWS::SQS::Queue", &prefixed, &r).to_string(), "arn:aws:sqs:eu-west-1:${?AWS::AccountId}:${?service}-jobs");
        assert_eq!(arn_of("AWS::Cognito::UserPool", &SymStr::lit("pool"), &r).to_string(), "pool");
    }

    #[test]
    fn references_and_attributes_follow_the_models() {
        let r = SymStr::lit("eu-west-1");
        let q = SymStr::lit("jobs");
        assert_eq!(reference("AWS::SQS::Queue", &q, &r).unwrap().to_string(), "https://sqs.eu-west-1.amazonaws.com/${?AWS::AccountId}/jobs");
        assert_eq!(attribute("AWS::SQS::Queue", "QueueUrl", &q, &r).unwrap().to_string(), "https://sqs.eu-west-1.amazonaws.com/${?AWS::AccountId}/jobs");
        assert_eq!(attribute("AWS::SQS::Queue", "Arn", &q, &r).unwrap().to_string(), "arn:aws:sqs:eu-west-1:${?AWS::AccountId}:jobs");
        assert_eq!(reference("AWS::S3::Bucket", &SymStr::lit("b"), &r).unwrap().to_string(), "b");
        assert_eq!(attribute("AWS::S3::Bucket", "RegionalDomainName", &SymStr::lit("b"), &r).unwrap().to_string(), "b.s3.eu-west-1.amazonaws.com");
        assert_eq!(attribute("AWS::DynamoDB::Table", "StreamArn", &SymStr::lit("T"), &r).unwrap().to_string(), "arn:aws:dynamodb:eu-west-1:${?AWS::AccountId}:table/T/stream/${?stream-label}");
        assert_eq!(reference("AWS::SecretsManager::Secret", &SymStr::lit("s"), &r).unwrap().to_string(), "arn:aws:secretsmanager:eu-west-1:${?AWS::AccountId}:secret:s${?secret-suffix}");
        assert_eq!(attribute("AWS::Custom::Thing", "Name", &q, &r), Some(q.clone()));
        assert_eq!(attribute("AWS::Custom::Thing", "Arn", &q, &r), None);
        assert_eq!(reference("AWS::Custom::Thing", &q, &r), None);
    }
}
