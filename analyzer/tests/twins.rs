//! Twin handlers (one handler deployed as several functions, each on its
//! own queue) run once for all: the findings, flows and per-function
//! privileges are those of separate runs, which a variant of the same app
//! forces by giving one twin a configuration of its own.

use analyzer::analysis::{analyze, Analysis, Options};
use analyzer::privilege::privileges;

const API: &str = r#"import json
import os
import boto3

sqs = boto3.client("sqs")


def handle(event, context):
    job = json.loads(event["body"])
    sqs.send_message(QueueUrl=os.environ["FIRST_QUEUE"], MessageBody=job["command"])
    sqs.send_message(QueueUrl=os.environ["SECOND_QUEUE"], MessageBody=job["script"])
    return {"statusCode": 202}
"#;

const WORKER: &str = r#"import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["RESULTS"])
ec2 = boto3.client("ec2")


def handle(event, context):
    for record in event["Records"]:
        command = record["body"]
        os.system(command)
        table.put_item(Item={"command": command, "host": ec2.describe_instances()})
"#;

const REPORT: &str = r#"import os
import subprocess
import boto3

table = boto3.resource("dynamodb").Table(os.environ["RESULTS"])


def handle(event, context):
    for item in table.scan()["Items"]:
        subprocess.run(item["command"], shell=True)
"#;

fn deployment(second_environment: &str) -> String {
    format!(
        r#"service: jobs
provider:
  name: aws
  runtime: python3.12
  environment:
    FIRST_QUEUE: {{Ref: FirstQueue}}
    SECOND_QUEUE: {{Ref: SecondQueue}}
    RESULTS: results
  iamRoleStatements:
    - Effect: Allow
      Action: [sqs:SendMessage, dynamodb:PutItem, dynamodb:Scan]
      Resource: "*"
functions:
  api:
    handler: api.handle
    events:
      - http: {{path: /jobs, method: post}}
  first:
    handler: worker.handle
    events:
      - sqs: {{arn: {{Fn::GetAtt: [FirstQueue, Arn]}}}}
  second:
    handler: worker.handle
{second_environment}    events:
      - sqs: {{arn: {{Fn::GetAtt: [SecondQueue, Arn]}}}}
  report:
    handler: report.handle
    events:
      - schedule: rate(1 hour)
resources:
  Resources:
    FirstQueue:
      Type: AWS::SQS::Queue
      Properties: {{QueueName: first}}
    SecondQueue:
      Type: AWS::SQS::Queue
      Properties: {{QueueName: second}}
"#
    )
}

fn analysed(second_environment: &str) -> Analysis {
    let app = tempfile::tempdir().unwrap();
    std::fs::write(app.path().join("serverless.yml"), deployment(second_environment)).unwrap();
    std::fs::write(app.path().join("api.py"), API).unwrap();
    std::fs::write(app.path().join("worker.py"), WORKER).unwrap();
    std::fs::write(app.path().join("report.py"), REPORT).unwrap();
    analyze(app.path(), &Options::default()).unwrap()
}

/// Findings with their flows, and each function's IAM needs and
/// unmodelled calls, in a form that compares across two analyses.
fn outcome(a: &Analysis) -> (String, String) {
    let findings = a
        .findings
        .iter()
        .map(|f| format!("{} {}:{} {:?}", f.vulnerability, f.sink.file, f.sink.line, f.flows.iter().map(|fl| (&fl.source.what, fl.hops.iter().map(|h| &h.resource).collect::<Vec<_>>())).collect::<Vec<_>>()))
        .collect::<Vec<_>>()
        .join("\n");
    let needs = privileges(a)
        .iter()
        .map(|f| format!("{} needs {:?} unmodelled {:?}", f.function, f.needs.iter().map(|n| (&n.action, &n.resource, &n.calls)).collect::<Vec<_>>(), f.unmodelled_calls))
        .collect::<Vec<_>>()
        .join("\n");
    (findings, needs)
}

#[test]
fn twin_handlers_run_once_and_report_what_separate_runs_report() {
    let twins = analysed("");
    let separate = analysed("    environment:\n      MODE: second\n");
    assert!(
        twins.stats.handler_runs < separate.stats.handler_runs,
        "the twins share their runs ({} runs against {})",
        twins.stats.handler_runs,
        separate.stats.handler_runs
    );
    assert_eq!(outcome(&twins), outcome(&separate));
    let (findings, needs) = outcome(&twins);
    assert!(findings.contains("code-injection worker.py:11"), "{findings}");
    assert!(findings.contains("report.py:10"), "the twins' writes reach the report through the table: {findings}");
    for twin in ["first", "second"] {
        assert!(needs.lines().any(|l| l.starts_with(&format!("{twin} needs")) && l.contains("dynamodb:PutItem") && l.contains("ec2")), "{twin}'s own needs: {needs}");
    }
}
