//! Parsing and resolving a large serverless.yml must stay well under the
//! 10 ms budget of the issue: the model is rebuilt on every analysis run.

use std::hint::black_box;

use analyzer::infra::load_text;
use analyzer::infra::model::{DeploymentFile, InfraOptions};
use criterion::{criterion_group, criterion_main, Criterion};

// The allocator the analyzer binary ships with, so that the figures are
// the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A service of about `lines` lines: custom variables, provider IAM, many
/// functions with events, and resources referring to each other.
pub fn generated_serverless(lines: usize) -> String {
    let mut s = String::from(
        "service: bench\nframeworkVersion: '3'\nplugins:\n  - serverless-iam-roles-per-function\ncustom:\n  stage: ${opt:stage, 'dev'}\n  prefix: ${self:service}-${self:custom.stage}\n  bucket: ${self:custom.prefix}-uploads\nprovider:\n  name: aws\n  runtime: python3.11\n  region: ${opt:region, 'eu-west-1'}\n  environment:\n    BUCKET: ${self:custom.bucket}\n  iamRoleStatements:\n    - Effect: Allow\n      Action: [s3:GetObject, s3:PutObject]\n      Resource: arn:aws:s3:::${self:custom.bucket}/*\nfunctions:\n",
    );
    let mut i = 0;
    let mut res = String::from("resources:\n  Resources:\n");
    while s.lines().count() + res.lines().count() < lines {
        s.push_str(&format!(
            "  fn{i}:\n    handler: handlers/h{i}.handler\n    environment:\n      TABLE: ${{self:custom.prefix}}-t{i}\n      QUEUE: !Ref Queue{i}\n    iamRoleStatements:\n      - Effect: Allow\n        Action: dynamodb:PutItem\n        Resource: !GetAtt Table{i}.Arn\n    events:\n      - http: POST /items/{i}\n      - sqs: !GetAtt Queue{i}.Arn\n      - s3:\n          bucket: ${{self:custom.bucket}}\n          event: s3:ObjectCreated:*\n          rules:\n            - prefix: in{i}/\n          existing: true\n"
        ));
        res.push_str(&format!(
            "    Table{i}:\n      Type: AWS::DynamoDB::Table\n      Properties:\n        TableName: ${{self:custom.prefix}}-t{i}\n        StreamSpecification: {{StreamViewType: NEW_IMAGE}}\n    Queue{i}:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: !Sub '${{AWS::StackName}}-q{i}'\n"
        ));
        i += 1;
    }
    s.push_str(&res);
    s
}

fn bench(c: &mut Criterion) {
    let text = generated_serverless(2000);
    assert!(text.lines().count() >= 2000);
    let f = DeploymentFile { relative: "serverless.yml".into(), path: "/nonexistent/serverless.yml".into() };
    let opts = InfraOptions::default();
    let s = load_text(&f, &text, &opts).unwrap();
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
    assert!(s.functions.len() > 50);
    c.bench_function("infra_yaml_only_2000_lines", |b| b.iter(|| analyzer::infra::yaml::load_str(black_box(&text)).unwrap()));
    c.bench_function("infra_serverless_2000_lines", |b| {
        b.iter(|| load_text(black_box(&f), black_box(&text), &opts).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
