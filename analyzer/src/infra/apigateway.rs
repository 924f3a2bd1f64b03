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

/// A symbolic string as text to cut with `str` methods: each unknown part
/// is one private-use character that indexes its note, so the pieces cut
/// out keep their unknown parts as they were.
struct Text {
    text: String,
    notes: Vec<String>,
}

const FIRST_HOLE: u32 = 0xF0000;

impl Text {
    fn of(s: &SymStr) -> Text {
        let mut t = Text { text: String::new(), notes: vec![] };
        for p in s.pieces() {
            match p {
                Piece::Lit(l) => t.text.push_str(l),
                Piece::Any(note) => {
                    let hole = t.hole(note);
                    t.text.push(hole);
                }
            }
        }
        t
    }

    /// A new unknown part, as its character.
    fn hole(&mut self, note: &str) -> char {
        self.notes.push(note.to_string());
        char::from_u32(FIRST_HOLE + self.notes.len() as u32 - 1).unwrap_or('?')
    }

    /// A piece of the text back as a symbolic string.
    fn sym(&self, part: &str) -> SymStr {
        let mut out = SymStr::default();
        let mut lit = String::new();
        for c in part.chars() {
            match (c as u32).checked_sub(FIRST_HOLE).and_then(|i| self.notes.get(i as usize)) {
                Some(note) => {
                    out.push_lit(&std::mem::take(&mut lit));
                    out.push_any(note);
                }
                None => lit.push(c),
            }
        }
        out.push_lit(&lit);
        out
    }
}

/// The integration of one REST method (`Integration` of an
/// `AWS::ApiGateway::Method`, or OpenAPI's `x-amazon-apigateway-integration`).
pub fn rest(route: String, method: &str, integration: &Node, line: u32) -> Option<ServiceIntegration> {
    let kind = integration.get_ci("Type").and_then(Node::as_text)?;
    if !kind.eq_ignore_ascii_case("aws") {
        return None;
    }
    let mut uri = Text::of(&integration.get_ci("Uri")?.to_sym());
    let text = uri.text.clone();
    let after = &text[text.find(":apigateway:")? + ":apigateway:".len()..];
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
            "sqs" => ("SendMessage".to_string(), path.rsplit('/').next().map(|q| uri.sym(q))),
            "s3" => {
                let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
                let action = match http_method.as_str() {
                    "PUT" | "POST" => "PutObject",
                    "GET" => "GetObject",
                    "DELETE" => "DeleteObject",
                    _ => "",
                };
                if !key.is_empty() {
                    let key = path_params_as_holes(key, &mut uri);
                    params.insert("Key".to_string(), uri.sym(&key));
                }
                (action.to_string(), Some(uri.sym(bucket)))
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

/// A route of an OpenAPI document (`DefinitionBody`/`Body` of an API
/// resource): integrated with a service, or invoking a function.
pub enum Route {
    Service(ServiceIntegration),
    Lambda { method: String, path: String, function: SymStr, authorizer: bool, line: u32 },
}

/// Every integrated route of an OpenAPI document.
pub fn openapi(definition: &Node) -> Vec<Route> {
    let mut out = vec![];
    let secured_api = definition.get("security").is_some_and(|s| !s.items().is_empty());
    for (path, item) in definition.get("paths").map(Node::entries).unwrap_or_default() {
        for (method, op) in item.entries() {
            let Some(integration) = op.get("x-amazon-apigateway-integration") else { continue };
            let line = integration.line;
            if let Some(function) = integration.get_ci("uri").and_then(|u| lambda_target(&u.to_sym())) {
                let authorizer = op.get("security").map_or(secured_api, |s| !s.items().is_empty());
                out.push(Route::Lambda { method: method.to_ascii_uppercase(), path: path.clone(), function, authorizer, line });
                continue;
            }
            let route = format!("{} {path}", method.to_ascii_uppercase());
            let found = rest(route.clone(), method, integration, line).or_else(|| http_api(route, integration, line));
            out.extend(found.map(Route::Service));
        }
    }
    out
}

/// The function an integration invokes: the ARN inside an invocation URI
/// (`arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations`),
/// or a function ARN given directly (HTTP API `IntegrationUri`).
pub fn lambda_target(uri: &SymStr) -> Option<SymStr> {
    let t = Text::of(uri);
    let text = &t.text;
    if let Some(i) = text.find(":lambda:path/") {
        let rest = &text[i..];
        let start = rest.find("/functions/")? + "/functions/".len();
        let arn = &rest[start..];
        let arn = arn.strip_suffix("/invocations").unwrap_or(arn);
        return Some(t.sym(arn));
    }
    (text.contains(":function:") && !text.contains(":apigateway:")).then(|| uri.clone())
}

/// The `RouteKey` (`POST /items`) of the HTTP API route whose `Target`
/// is `integrations/<integration_id>`.
pub fn http_api_route(resources: &Node, integration_id: &str) -> Option<(String, String)> {
    let wanted = format!("Ref:{integration_id}");
    resources.entries().iter().find_map(|(_, r)| {
        if r.get("Type").and_then(Node::as_text).as_deref() != Some("AWS::ApiGatewayV2::Route") {
            return None;
        }
        let target = r.path(&["Properties", "Target"])?.to_sym();
        let names_it = target.pieces().iter().any(|p| matches!(p, Piece::Any(n) if *n == wanted))
            || target.to_string().ends_with(&format!("/{integration_id}"));
        if !names_it {
            return None;
        }
        let key = r.path(&["Properties", "RouteKey"]).and_then(Node::as_text)?;
        let (method, path) = key.split_once(' ').unwrap_or(("ANY", key.as_str()));
        Some((method.to_string(), path.to_string()))
    })
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
        for (name, value) in template_fields(&Text::of(&template.to_sym())) {
            out.entry(name).or_insert(value);
        }
    }
    out
}

/// A request-parameter mapping: `'literal'` is fixed, anything else
/// (`method.request.body`, `$request.body.x`, `context.requestId`) is
/// taken from the request.
fn mapping_value(v: &SymStr) -> SymStr {
    let t = Text::of(v);
    let text = t.text.as_str();
    match text.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        Some(lit) => t.sym(lit),
        None if text.starts_with('$') || text.starts_with("method.") || text.starts_with("context.") || text.starts_with("stageVariables.") => {
            SymStr::any("request")
        }
        None => v.clone(),
    }
}

/// `"Name": "value"` pairs of a JSON template and `Name=value` pairs of a
/// form-encoded one; a value built from the request (`$input...`) is
/// symbolic.
fn template_fields(t: &Text) -> Vec<(String, SymStr)> {
    let mut out = vec![];
    let text = t.text.as_str();
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
                out.push((name.to_string(), template_value(t, &v[..end])));
            }
        }
    }
    for pair in text.split(['&', '\n']) {
        let Some((name, value)) = pair.trim().split_once('=') else { continue };
        if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') && !name.is_empty() {
            out.push((name.to_string(), template_value(t, value)));
        }
    }
    out
}

fn template_value(t: &Text, v: &str) -> SymStr {
    let v = v.trim();
    if let Some(inner) = v.strip_prefix("$util.urlEncode(").and_then(|x| x.strip_suffix(')')) {
        if let Some(lit) = inner.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
            return t.sym(lit);
        }
    }
    if v.contains('$') {
        SymStr::any("request")
    } else {
        t.sym(v)
    }
}

/// `{name}` path parameters of an integration URI are the request's.
fn path_params_as_holes(s: &str, t: &mut Text) -> String {
    let mut out = String::new();
    let mut param: Option<String> = None;
    for c in s.chars() {
        match (c, &mut param) {
            ('{', None) => param = Some(String::new()),
            ('}', Some(name)) => {
                let name = std::mem::take(name);
                out.push(t.hole(&name));
                param = None;
            }
            (c, Some(name)) => name.push(c),
            (c, None) => out.push(c),
        }
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
    fn lambda_targets_of_invocation_uris_and_function_arns() {
        let uri = SymStr::lit("arn:aws:apigateway:").concat(&SymStr::any("region")).concat(&SymStr::lit(":lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:hello/invocations"));
        assert_eq!(lambda_target(&uri).unwrap().to_string(), "arn:aws:lambda:us-east-1:1:function:hello");
        let arn = SymStr::lit("arn:aws:lambda:us-east-1:1:function:hello");
        assert_eq!(lambda_target(&arn), Some(arn.clone()));
        assert!(lambda_target(&SymStr::lit("arn:aws:apigateway:us-east-1:sqs:path/1/jobs")).is_none());
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
        assert_eq!(found.len(), 2);
        assert!(matches!(&found[0], Route::Service(s) if s.route == "POST /enqueue"));
        assert!(matches!(&found[1], Route::Lambda { method, path, function, .. } if method == "GET" && path == "/hello" && function.as_lit() == Some("f")));
    }
}
