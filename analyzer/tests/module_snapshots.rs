//! A function whose handler runs again in a later round starts from what
//! its modules left the last time they were evaluated (kept from its
//! second run on), unless the stores its module code read have changed
//! since: then the modules are evaluated again and see what the other
//! functions wrote.

use analyzer::analysis::{analyze, Analysis, Options};

const DEPLOYMENT: &str = r#"service: settings
provider:
  name: aws
  runtime: python3.12
  environment:
    SETTINGS: settings
    LOG: log
    RELAY_QUEUE: {Ref: RelayQueue}
  iamRoleStatements:
    - Effect: Allow
      Action: [dynamodb:PutItem, dynamodb:GetItem, dynamodb:Scan, sqs:SendMessage]
      Resource: "*"
functions:
  api:
    handler: api.handle
    events:
      - http: {path: /settings, method: put}
  relay:
    handler: relay.handle
    events:
      - sqs: {arn: {Fn::GetAtt: [RelayQueue, Arn]}}
  worker:
    handler: worker.handle
    events:
      - schedule: rate(1 hour)
  audit:
    handler: audit.handle
    events:
      - schedule: rate(1 day)
resources:
  Resources:
    RelayQueue:
      Type: AWS::SQS::Queue
      Properties: {QueueName: relay}
"#;

/// Logs the request and queues the new command for the relay.
const API: &str = r#"import json
import os
import boto3

log = boto3.resource("dynamodb").Table(os.environ["LOG"])
sqs = boto3.client("sqs")


def handle(event, context):
    body = json.loads(event["body"])
    log.put_item(Item={"id": "last", "at": body["time"]})
    sqs.send_message(QueueUrl=os.environ["RELAY_QUEUE"], MessageBody=body["command"])
    return {"statusCode": 204}
"#;

/// Stores the command: the settings hold it one round after the log
/// holds the request.
const RELAY: &str = r#"import os
import boto3

settings = boto3.resource("dynamodb").Table(os.environ["SETTINGS"])


def handle(event, context):
    for record in event["Records"]:
        settings.put_item(Item={"id": "main", "command": record["body"]})
"#;

/// Reads the settings once per container, at module level, and the log in
/// its handler: its second run (the log changed) still sees no settings,
/// its third (the settings changed) must evaluate its module again.
const WORKER: &str = r#"import os
import subprocess
import boto3

settings = boto3.resource("dynamodb").Table(os.environ["SETTINGS"])
log = boto3.resource("dynamodb").Table(os.environ["LOG"])
SETTINGS = settings.get_item(Key={"id": "main"})["Item"]


def handle(event, context):
    for entry in log.scan()["Items"]:
        print(entry["at"])
    subprocess.run(SETTINGS["command"], shell=True)
"#;

/// Reads the table in its handler, and writes back to it what it read:
/// it runs in three rounds (the table is empty, then holds the API's item,
/// then its own copy too), while its module code reads no store.
const AUDIT: &str = r#"import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["SETTINGS"])


def handle(event, context):
    for item in table.scan()["Items"]:
        os.system("echo " + item["command"])
        table.put_item(Item={"id": "audited", "command": item["command"]})
"#;

fn analysed() -> Analysis {
    let app = tempfile::tempdir().unwrap();
    for (file, text) in [("serverless.yml", DEPLOYMENT), ("api.py", API), ("relay.py", RELAY), ("worker.py", WORKER), ("audit.py", AUDIT)] {
        std::fs::write(app.path().join(file), text).unwrap();
    }
    analyze(app.path(), &Options::default()).unwrap()
}

#[test]
fn module_code_that_read_a_changed_store_runs_again_and_other_modules_are_reused() {
    let a = analysed();
    let sinks: Vec<String> = a.findings.iter().map(|f| format!("{} {}:{}", f.vulnerability, f.sink.file, f.sink.line)).collect();
    assert!(sinks.contains(&"code-injection worker.py:13".to_string()), "the worker's module read the settings the relay stored: {sinks:?}");
    assert!(sinks.contains(&"code-injection audit.py:9".to_string()), "{sinks:?}");
    assert!(a.stats.modules_reused >= 1, "the audit's third run reuses its modules: {:?}", a.stats);
}

/// Two functions deployed from one handler module with one configuration:
/// the second starts from what the first one's module code left, and what
/// that code recorded for the function it ran as (here a call to SSM,
/// whose permission each function needs) is recorded for the second too.
fn siblings(module_call: &str) -> Analysis {
    let app = tempfile::tempdir().unwrap();
    let deployment = r#"service: reports
provider:
  name: aws
  runtime: python3.12
  iamRoleStatements:
    - Effect: Allow
      Action: [ssm:GetParameter]
      Resource: "*"
functions:
  daily:
    handler: reports.daily
    events:
      - http: {path: /daily, method: post}
  weekly:
    handler: reports.weekly
    events:
      - http: {path: /weekly, method: post}
"#;
    let code = format!(
        r#"import os
import boto3

ssm = boto3.client("ssm")
FORMATS = {{"csv": "text/csv", "json": "application/json"}}
{module_call}

def daily(event, context):
    os.system("report --daily " + event["body"])


def weekly(event, context):
    os.system("report --weekly " + event["body"])
"#
    );
    std::fs::write(app.path().join("serverless.yml"), deployment).unwrap();
    std::fs::write(app.path().join("reports.py"), code).unwrap();
    analyze(app.path(), &Options::default()).unwrap()
}

#[test]
fn functions_of_one_module_share_its_evaluation_and_each_keeps_what_it_recorded() {
    let quiet = siblings("");
    assert_eq!(quiet.stats.modules_reused, 1, "{:?}", quiet.stats);
    assert_eq!(quiet.findings.len(), 2);
    let calling = siblings(r#"PREFIX = ssm.get_parameter(Name="/reports/prefix")["Parameter"]["Value"]"#);
    assert_eq!(calling.stats.modules_reused, 1, "{:?}", calling.stats);
    assert_eq!(calling.findings.len(), 2);
    let needs = analyzer::privilege::privileges(&calling);
    for function in ["daily", "weekly"] {
        let own = needs.iter().find(|f| f.function == function).unwrap();
        assert!(own.needs.iter().any(|n| n.action == "ssm:GetParameter"), "{function} calls SSM in its module code: {:?}", own.needs);
        let call = calling.calls.iter().find(|c| c.caller.as_deref() == Some(function) && c.api == "get_parameter");
        assert!(call.is_some_and(|c| c.line == 6), "{function}'s module code calls SSM: {:?}", calling.calls);
    }
}
