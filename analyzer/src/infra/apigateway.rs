//! API Gateway routes integrated straight with AWS services, as
//! CloudFormation and OpenAPI write them: a REST method whose integration
//! type is `AWS` (`AWS::ApiGateway::Method`, `x-amazon-apigateway-integration`
//! with `type: aws`) calls the service action its URI names with the
//! request; an HTTP API integration with a subtype (`SQS-SendMessage`,
//! `EventBridge-PutEvents`...) does the same with its request parameters.

use std::collections::BTreeMap;

use crate::infra::model::ServiceIntegration;
use crate::infra::yaml::Node;
use crate::sym::{Piece, SymStr};

/// Stands for an unknown part of a string while it is cut into pieces.
const HOLE: char = '\u{1}';

/// The integration of one REST method (`Integration` of an
/// `AWS::ApiGateway::Method`, or OpenAPI's `x-amazon-apigateway-integration`).
pub fn rest(route: String, method: &str, integration: &Node, line: u32) -> Option<ServiceIntegration> {
    let kind = integration.get_ci("Type").and_then(Node::as_text)?;
    if !kind.eq_ignore_ascii_case("aws") {
        return None;
    }
    let uri = holes(&integration.get_ci("Uri")?.to_sym());
    let after = &uri[uri.find(":apigateway:")? + ":apigateway:".len()..];
    let mut parts = after.splitn(3, ':');
    let (_region, service, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let mut params = request_params(integration);
    let http_method = integration.get_ci("IntegrationHttpMethod").or_else(|| integration.get_ci("httpMethod")).and_then(Node::as_text);
    let http_method = http_method.unwrap_or_else(|| method.to_string()).to_ascii_uppercase();
    let (action, resource) = if let Some(action) = rest.strip_prefix("action/") {
        (action.split(['&', '?']).next().unwrap_or(action).to_string(), None)
    } else {
        let path = rest.strip_prefix("path/")?;
        match service {
            // `path/{account}/{queue}`: the request template carries the
            // action, SendMessage in every use of this form.
            "sqs" => ("SendMessage".to_string(), path.rsplit('/').next().map(unhole)),
            "s3" => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                let action = match http_method.as_str() {
                    "PUT" | "POST" => "PutObject",
                    "GET" => "GetObject",
                    "DELETE" => "DeleteObject",
                    _ => "",
                };
                if !key.is_empty() {
                    params.insert("Key".to_string(), unhole(&path_params_as_holes(key)));
                }
                (action.to_string(), Some(unhole(bucket)))
            }
            _ => return None,
        }
    };
    if action.is_empty() {
        return None;
    }
    Some(ServiceIntegration { route, service: service.to_string(), action, resource, params, line })
}

/// An HTTP API integration with a subtype (`AWS::ApiGatewayV2::Integration`
/// properties, or OpenAPI's `x-amazon-apigateway-integration`).
pub fn http_api(route: String, integration: &Node, line: u32) -> Option<ServiceIntegration> {
    let subtype = integration.get_ci("IntegrationSubtype").and_then(Node::as_text)?;
    let (service, action) = subtype.split_once('-')?;
    let service = match service {
        "EventBridge" => "events".to_string(),
        "StepFunctions" => "states".to_string(),
        other => other.to_ascii_lowercase(),
    };
    let mut params = BTreeMap::new();
    for (k, v) in integration.get_ci("RequestParameters").map(Node::entries).unwrap_or_default() {
        params.insert(k.clone(), mapping_value(&v.to_sym()));
    }
    Some(ServiceIntegration { route, service, action: action.to_string(), resource: None, params, line })
}

/// The path of a REST method's `ResourceId`: `AWS::ApiGateway::Resource`
/// `PathPart`s up to the API's root.
pub fn rest_path(resources: &Node, resource_id: &SymStr) -> Option<String> {
    let mut parts = vec![];
    let mut current = resource_id.clone();
    for _ in 0..16 {
        let [Piece::Any(note)] = current.pieces() else { break };
        let Some(id) = note.strip_prefix("Ref:") else { break };
        let r = resources.get(id)?;
        parts.push(r.path(&["Properties", "PathPart"]).and_then(Node::as_text)?);
        current = r.path(&["Properties", "ParentId"]).map(Node::to_sym).unwrap_or_default();
    }
    parts.reverse();
    (!parts.is_empty()).then(|| format!("/{}", parts.join("/")))
}

/// Every integrated route of an OpenAPI document (`DefinitionBody`/`Body`
/// of an API resource).
pub fn openapi(definition: &Node) -> Vec<ServiceIntegration> {
    let mut out = vec![];
    for (path, item) in definition.get("paths").map(Node::entries).unwrap_or_default() {
        for (method, op) in item.entries() {
            let Some(integration) = op.get("x-amazon-apigateway-integration") else { continue };
            let route = format!("{} {path}", method.to_ascii_uppercase());
            let found = rest(route.clone(), method, integration, integration.line).or_else(|| http_api(route, integration, integration.line));
            out.extend(found);
        }
    }
    out
}

/// Parameters the integration request sets: `RequestParameters`
/// (`integration.request.querystring.QueueUrl: "'https://...'"`) and the
/// literal fields of its request templates (`"TableName": "orders"`,
/// `TopicArn=$util.urlEncode('arn:...')`).
fn request_params(integration: &Node) -> BTreeMap<String, SymStr> {
    let mut out = BTreeMap::new();
    for (k, v) in integration.get_ci("RequestParameters").map(Node::entries).unwrap_or_default() {
        let name = k.rsplit('.').next().unwrap_or(k);
        out.insert(name.to_string(), mapping_value(&v.to_sym()));
    }
    for (_, template) in integration.get_ci("RequestTemplates").map(Node::entries).unwrap_or_default() {
        let text = holes(&template.to_sym());
        for (name, value) in template_fields(&text) {
            out.entry(name).or_insert(value);
        }
    }
    out
}

/// A request-parameter mapping: `'literal'` is fixed, anything else
/// (`method.request.body`, `$request.body.x`, `context.requestId`) is
/// taken from the request.
fn mapping_value(v: &SymStr) -> SymStr {
    let text = holes(v);
    match text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        Some(lit) => unhole(lit),
        None if text.starts_with('$') || text.starts_with("method.") || text.starts_with("context.") || text.starts_with("stageVariables.") => {
            SymStr::any("request")
        }
        None => unhole(&text),
    }
}

/// `"Name": "value"` pairs of a JSON template and `Name=value` pairs of a
/// form-encoded one; a value built from the request (`$input...`) is
/// symbolic.
fn template_fields(text: &str) -> Vec<(String, SymStr)> {
    let mut out = vec![];
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('"') else { break };
        let name = &after[..close];
        let tail = after[close + 1..].trim_start();
        rest = &after[close + 1..];
        let Some(value) = tail.strip_prefix(':').map(str::trim_start) else { continue };
        if let Some(v) = value.strip_prefix('"') {
            if let Some(end) = v.find('"') {
                out.push((name.to_string(), template_value(&v[..end])));
            }
        }
    }
    for pair in text.split(['&', '\n']) {
        let Some((name, value)) = pair.trim().split_once('=') else { continue };
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') && !name.is_empty() {
            out.push((name.to_string(), template_value(value)));
        }
    }
    out
}

fn template_value(v: &str) -> SymStr {
    let v = v.trim();
    if let Some(inner) = v.strip_prefix("$util.urlEncode(").and_then(|x| x.strip_suffix(')')) {
        if let Some(lit) = inner.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
            return unhole(lit);
        }
    }
    if v.contains('$') {
        SymStr::any("request")
    } else {
        unhole(v)
    }
}

/// `{name}` path parameters of an integration URI are the request's.
fn path_params_as_holes(s: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in s.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push(HOLE);
            }
            '}' => in_param = false,
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

fn holes(s: &SymStr) -> String {
    s.pieces()
        .iter()
        .map(|p| match p {
            Piece::Lit(l) => l.clone(),
            Piece::Any(_) => HOLE.to_string(),
        })
        .collect()
}

fn unhole(s: &str) -> SymStr {
    let mut out = SymStr::default();
    for (i, part) in s.split(HOLE).enumerate() {
        if i > 0 {
            out.push_any("value");
        }
        out.push_lit(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::yaml::load_str;

    fn node(text: &str) -> Node {
        load_str(text).unwrap()
    }

    #[test]
    fn sqs_path_uri_names_the_queue() {
        let i = node("Type: AWS\nIntegrationHttpMethod: POST\nUri: arn:aws:apigateway:us-east-1:sqs:path/123456789012/jobs\nRequestTemplates:\n  application/json: Action=SendMessage&MessageBody=$input.body\n");
        let s = rest("POST /enqueue".into(), "post", &i, 1).unwrap();
        assert_eq!((s.service.as_str(), s.action.as_str()), ("sqs", "SendMessage"));
        assert_eq!(s.resource.unwrap().as_lit(), Some("jobs"));
        assert!(!s.params["MessageBody"].is_known());
    }

    #[test]
    fn action_uris_take_the_resource_from_templates_and_parameters() {
        let i = node("type: aws\nhttpMethod: POST\nuri: arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem\nrequestTemplates:\n  application/json: '{\"TableName\": \"orders\", \"Item\": {\"id\": {\"S\": \"$input.path(''$.id'')\"}}}'\n");
        let s = rest("POST /orders".into(), "post", &i, 1).unwrap();
        assert_eq!((s.service.as_str(), s.action.as_str()), ("dynamodb", "PutItem"));
        assert_eq!(s.params["TableName"].as_lit(), Some("orders"));
        let i = node("Type: AWS\nUri: arn:aws:apigateway:us-east-1:sns:action/Publish\nRequestParameters:\n  integration.request.querystring.TopicArn: \"'arn:aws:sns:us-east-1:1:news'\"\n  integration.request.querystring.Message: method.request.body\n");
        let s = rest("POST /news".into(), "post", &i, 1).unwrap();
        assert_eq!(s.params["TopicArn"].as_lit(), Some("arn:aws:sns:us-east-1:1:news"));
        assert!(!s.params["Message"].is_known());
    }

    #[test]
    fn s3_path_uris_map_the_method_and_key() {
        let i = node("Type: AWS\nIntegrationHttpMethod: PUT\nUri: arn:aws:apigateway:us-east-1:s3:path/uploads/incoming/{name}\n");
        let s = rest("PUT /files/{name}".into(), "put", &i, 1).unwrap();
        assert_eq!(s.action, "PutObject");
        assert_eq!(s.resource.unwrap().as_lit(), Some("uploads"));
        assert_eq!(s.params["Key"].known_prefix(), "incoming/");
    }

    #[test]
    fn lambda_proxies_and_http_integrations_are_not_service_integrations() {
        let i = node("Type: AWS_PROXY\nUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations\n");
        assert!(rest("POST /x".into(), "post", &i, 1).is_none());
        let i = node("Type: HTTP\nUri: https://example.com/\n");
        assert!(rest("POST /x".into(), "post", &i, 1).is_none());
    }

    #[test]
    fn http_api_subtypes() {
        let i = node("IntegrationType: AWS_PROXY\nIntegrationSubtype: SQS-SendMessage\nRequestParameters:\n  QueueUrl: https://sqs.us-east-1.amazonaws.com/1/jobs\n  MessageBody: $request.body\n");
        let s = http_api("POST /q".into(), &i, 1).unwrap();
        assert!(s.resource.is_none());
        assert_eq!((s.service.as_str(), s.action.as_str()), ("sqs", "SendMessage"));
        assert_eq!(s.params["QueueUrl"].as_lit(), Some("https://sqs.us-east-1.amazonaws.com/1/jobs"));
        assert!(!s.params["MessageBody"].is_known());
    }

    #[test]
    fn openapi_paths() {
        let d = node("openapi: 3.0.1\npaths:\n  /enqueue:\n    post:\n      x-amazon-apigateway-integration:\n        type: aws\n        httpMethod: POST\n        uri: arn:aws:apigateway:us-east-1:sqs:path/1/jobs\n  /hello:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations\n");
        let found = openapi(&d);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].route, "POST /enqueue");
    }
}
