//! Serverless Framework files read end to end: functions, events,
//! resources, IAM, plugins.

use super::*;
use crate::infra::iam::IamOptions;
use crate::infra::yaml::load_str;
use crate::names::arn_of;

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
