//! A handler that runs again takes the results of calls its last run made
//! with the same arguments, while their store reads give what they gave
//! and nothing the run keeps of its own (globals, files...) has changed;
//! otherwise the call runs again and sees what the other functions wrote.

use analyzer::analysis::{analyze, Analysis, Options};

const DEPLOYMENT: &str = r#"service: jobs
provider:
  name: aws
  runtime: python3.12
  environment:
    LOG: log
    JOBS: jobs
    CONFIG: config
    RELAY_QUEUE: {Ref: RelayQueue}
  iamRoleStatements:
    - Effect: Allow
      Action: [dynamodb:PutItem, dynamodb:GetItem, dynamodb:Scan, s3:PutObject, s3:GetObject, sqs:SendMessage]
      Resource: "*"
functions:
  submit:
    handler: submit.handle
    events:
      - http: {path: /jobs, method: post}
  runner:
    handler: runner.handle
    events:
      - schedule: rate(5 minutes)
  relay:
    handler: relay.handle
    events:
      - sqs: {arn: {Fn::GetAtt: [RelayQueue, Arn]}}
resources:
  Resources:
    RelayQueue:
      Type: AWS::SQS::Queue
      Properties: {QueueName: relay}
"#;

/// Logs the request and queues the job for the relay.
const SUBMIT: &str = r#"import json
import os
import boto3

log = boto3.resource("dynamodb").Table(os.environ["LOG"])
sqs = boto3.client("sqs")


def handle(event, context):
    body = json.loads(event["body"])
    log.put_item(Item={"id": "last", "at": body["time"]})
    sqs.send_message(QueueUrl=os.environ["RELAY_QUEUE"], MessageBody=body["command"])
    return {"statusCode": 202}
"#;

/// Stores the job and its configuration: they hold it one round after the
/// log holds the request.
const RELAY: &str = r#"import os
import boto3

jobs = boto3.resource("dynamodb").Table(os.environ["JOBS"])
s3 = boto3.client("s3")


def handle(event, context):
    for record in event["Records"]:
        jobs.put_item(Item={"id": "next", "command": record["body"]})
        s3.put_object(Bucket=os.environ["CONFIG"], Key="config.json", Body=record["body"])
"#;

/// The runner reads the log, which changes in the second round, and the
/// jobs, which change in the third (the relay, which fills them, runs
/// after the runner in a round): its second run carries its calls, and
/// its third takes those that still hold.
fn runner(handler: &str) -> Analysis {
    let app = tempfile::tempdir().unwrap();
    let code = format!(
        r#"import os
import boto3

log = boto3.resource("dynamodb").Table(os.environ["LOG"])
jobs = boto3.resource("dynamodb").Table(os.environ["JOBS"])
s3 = boto3.client("s3")
SETTINGS = {{"shell": "/bin/sh"}}


def shell():
    return SETTINGS["shell"]


def next_job():
    print(log.scan()["Items"])
    return jobs.get_item(Key={{"id": "next"}})["Item"]["command"]


{handler}
"#
    );
    for (file, text) in [("serverless.yml", DEPLOYMENT), ("submit.py", SUBMIT), ("relay.py", RELAY), ("runner.py", code.as_str())] {
        std::fs::write(app.path().join(file), text).unwrap();
    }
    analyze(app.path(), &Options::default()).unwrap()
}

fn injected(a: &Analysis) -> Vec<u32> {
    a.findings.iter().filter(|f| f.vulnerability == "code-injection" && f.sink.file == "runner.py").map(|f| f.sink.line).collect()
}

#[test]
fn a_call_whose_store_read_changed_runs_again() {
    // `shell()` reads no store and is carried into the second run;
    // `next_job()` read the table, which the submit handler filled.
    let a = runner(
        r#"def handle(event, context):
    shell()
    os.system(next_job())
"#,
    );
    assert_eq!(injected(&a), vec![21], "{:?}", a.findings);
    assert!(a.stats.calls_carried >= 1, "{:?}", a.stats);
}

#[test]
fn no_call_is_carried_once_the_run_wrote_a_global() {
    // Round one stores an empty job in the global before `run_job()`;
    // round two stores the submitted one, which `run_job()` must see
    // though its arguments and store reads are what they were.
    let a = runner(
        r#"JOB = None


def keep(job):
    global JOB
    JOB = job


def run_job():
    os.system(JOB)


def handle(event, context):
    shell()
    keep(next_job())
    run_job()
"#,
    );
    assert_eq!(injected(&a), vec![28], "{:?}", a.findings);
}

#[test]
fn calls_are_not_carried_across_module_code_that_read_a_changed_store() {
    // The module reads the configuration object when it is imported:
    // once the submit handler wrote it, `configured()` returns what the
    // new module code left in the global, not what it carried.
    let a = runner(
        r#"CONFIG = s3.get_object(Bucket=os.environ["CONFIG"], Key="config.json")["Body"].read()


def configured():
    return CONFIG


def handle(event, context):
    next_job()
    os.system(configured())
"#,
    );
    assert_eq!(injected(&a), vec![28], "{:?}", a.findings);
}
