//! serverless-apigateway-service-proxy (its forks, and its built-in
//! successor of Serverless Framework v4): routes under
//! `custom.apiGatewayServiceProxies` that API Gateway integrates straight
//! with Kinesis, SQS, SNS, S3, DynamoDB or EventBridge. No handler sees the
//! request, but the queue, topic, stream, bucket or table it lands in may
//! trigger one.

use std::collections::BTreeMap;

use crate::infra::model::ServiceIntegration;
use crate::infra::yaml::{Kind, Node};
use crate::sym::SymStr;

/// Every proxy route of the service's `custom:` section.
pub fn integrations(custom: Option<&Node>) -> Vec<ServiceIntegration> {
    let entries = custom.and_then(|c| c.get("apiGatewayServiceProxies")).map(Node::items).unwrap_or_default();
    let mut out = vec![];
    for entry in entries {
        for (kind, cfg) in entry.entries() {
            if let Some(i) = integration(kind, cfg) {
                out.push(i);
            }
        }
    }
    out
}

fn integration(kind: &str, cfg: &Node) -> Option<ServiceIntegration> {
    let text = |k: &str| cfg.get(k).and_then(Node::as_text);
    let sym = |k: &str| cfg.get(k).filter(|n| !n.is_null()).map(Node::to_sym);
    let mut params = BTreeMap::new();
    let (service, action, resource) = match kind {
        "kinesis" => {
            if let Some(k) = cfg.get("partitionKey") {
                params.insert("PartitionKey".to_string(), request_value(k, "partitionKey"));
            }
            ("kinesis", text("action").unwrap_or_else(|| "PutRecord".into()), sym("streamName"))
        }
        "sqs" => ("sqs", "SendMessage".to_string(), sym("queueName")),
        "sns" => ("sns", "Publish".to_string(), sym("topicName")),
        "s3" => {
            let prefix = text("objectPrefix").map(|p| format!("{}/", p.trim_end_matches('/'))).unwrap_or_default();
            let overridden = cfg.get("requestParameters").and_then(|r| r.get("integration.request.path.object")).is_some();
            let key = match cfg.get("key") {
                Some(k) if !overridden => request_value(k, "key"),
                _ => SymStr::any("key"),
            };
            params.insert("Key".to_string(), SymStr::lit(prefix).concat(&key));
            ("s3", text("action").unwrap_or_else(|| "PutObject".into()), sym("bucket"))
        }
        "dynamodb" => ("dynamodb", text("action").unwrap_or_else(|| "PutItem".into()), sym("tableName")),
        "eventbridge" => {
            if let Some(s) = cfg.get("source") {
                params.insert("Source".to_string(), request_value(s, "source"));
            }
            if let Some(d) = cfg.get("detailType") {
                params.insert("DetailType".to_string(), request_value(d, "detailType"));
            }
            ("events", "PutEvents".to_string(), sym("eventBusName").or_else(|| Some(SymStr::lit("default"))))
        }
        _ => return None,
    };
    let method = text("method").unwrap_or_else(|| "post".into()).to_ascii_uppercase();
    let path = text("path").unwrap_or_default();
    let path = if path.starts_with('/') { path } else { format!("/{path}") };
    Some(ServiceIntegration {
        route: format!("{method} {path}"),
        service: service.to_string(),
        action,
        resource: Some(resource.unwrap_or_else(|| SymStr::any(kind))),
        params,
        line: cfg.line,
    })
}

/// A value the route sets: a literal (`key: static.json`), or one taken
/// from the request (`pathParam`, `queryStringParam`, `bodyParam`).
fn request_value(n: &Node, what: &str) -> SymStr {
    match &n.kind {
        Kind::Map(_) => SymStr::any(what),
        _ => n.to_sym(),
    }
}

#[cfg(test)]
mod tests {
    use crate::infra::serverless::tests::svc;

    #[test]
    fn proxy_routes_with_their_resources_and_keys() {
        let s = svc(
            "service: p\nprovider:\n  name: aws\nplugins:\n  - serverless-apigateway-service-proxy\ncustom:\n  apiGatewayServiceProxies:\n    - sqs:\n        path: /enqueue\n        method: post\n        queueName: { 'Fn::GetAtt': [Jobs, QueueName] }\n    - s3:\n        path: /upload/{name}\n        method: put\n        action: PutObject\n        bucket: { Ref: Uploads }\n        objectPrefix: incoming\n        key:\n          pathParam: name\n    - s3:\n        path: /report\n        method: post\n        action: PutObject\n        bucket: { Ref: Uploads }\n        key: report.json\n    - eventbridge:\n        path: /events\n        method: post\n        source: app.orders\n        eventBusName: { 'Fn::GetAtt': [Bus, Name] }\nresources:\n  Resources:\n    Jobs:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: jobs\n    Uploads:\n      Type: AWS::S3::Bucket\n      Properties:\n        BucketName: uploads\n    Bus:\n      Type: AWS::Events::EventBus\n      Properties:\n        Name: orders\n",
        );
        let routes: Vec<(String, String, String, String)> =
            s.integrations.iter().map(|i| (i.route.clone(), i.service.clone(), i.action.clone(), i.resource.clone().unwrap().to_string())).collect();
        assert_eq!(routes, [
            ("POST /enqueue".into(), "sqs".into(), "SendMessage".into(), "jobs".into()),
            ("PUT /upload/{name}".into(), "s3".into(), "PutObject".into(), "uploads".into()),
            ("POST /report".into(), "s3".into(), "PutObject".into(), "uploads".into()),
            ("POST /events".into(), "events".into(), "PutEvents".into(), "orders".into()),
        ]);
        let upload_key = &s.integrations[1].params["Key"];
        assert_eq!(upload_key.known_prefix(), "incoming/");
        assert!(!upload_key.is_known());
        assert_eq!(s.integrations[2].params["Key"].as_lit(), Some("report.json"));
        assert_eq!(s.integrations[3].params["Source"].as_lit(), Some("app.orders"));
    }

    #[test]
    fn proxies_need_the_plugin_or_framework_v4() {
        let body = "provider:\n  name: aws\ncustom:\n  apiGatewayServiceProxies:\n    - sqs:\n        path: /q\n        queueName: jobs\n";
        assert!(svc(&format!("service: p\nframeworkVersion: '3'\n{body}")).integrations.is_empty());
        let v4 = svc(&format!("service: p\nframeworkVersion: '^4.1.0'\n{body}"));
        assert_eq!(v4.integrations.len(), 1);
        assert_eq!(v4.integrations[0].route, "POST /q");
    }
}
