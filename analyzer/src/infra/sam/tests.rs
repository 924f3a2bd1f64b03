//! SAM templates read end to end: globals, functions, events, APIs,
//! state machines, policies.

use super::*;
use crate::infra::iam::IamOptions;
use crate::infra::yaml::load_str;
use crate::names::arn_of;

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
