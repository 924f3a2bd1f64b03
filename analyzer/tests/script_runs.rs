//! A `__main__` script runs in the first round and again only when a store
//! it read has changed: one reading what a handler stores runs twice and
//! reports the flow, one reading nothing runs once.

use analyzer::analysis::{analyze, Options};

const DEPLOYMENT: &str = r#"service: jobs
provider:
  name: aws
  runtime: python3.12
  environment:
    JOBS: jobs
  iamRoleStatements:
    - Effect: Allow
      Action: [dynamodb:PutItem, dynamodb:Scan]
      Resource: "*"
functions:
  submit:
    handler: submit.handle
    events:
      - http: {path: /jobs, method: post}
"#;

const SUBMIT: &str = r#"import json
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["JOBS"])


def handle(event, context):
    table.put_item(Item={"id": "next", "command": json.loads(event["body"])["command"]})
    return {"statusCode": 202}
"#;

/// An operator's tool that runs the queued jobs.
const RUN_JOBS: &str = r#"import os
import subprocess
import boto3

table = boto3.resource("dynamodb").Table("jobs")

if __name__ == "__main__":
    for job in table.scan()["Items"]:
        subprocess.run(job["command"], shell=True)
"#;

const CLEANUP: &str = r#"import shutil

if __name__ == "__main__":
    shutil.rmtree("/tmp/jobs", ignore_errors=True)
"#;

#[test]
fn scripts_run_again_only_when_what_they_read_changed() {
    let app = tempfile::tempdir().unwrap();
    for (file, text) in [("serverless.yml", DEPLOYMENT), ("submit.py", SUBMIT), ("run_jobs.py", RUN_JOBS), ("cleanup.py", CLEANUP)] {
        std::fs::write(app.path().join(file), text).unwrap();
    }
    let a = analyze(app.path(), &Options::default()).unwrap();
    let sinks: Vec<String> = a.findings.iter().map(|f| format!("{} {}:{}", f.vulnerability, f.sink.file, f.sink.line)).collect();
    assert!(sinks.contains(&"code-injection run_jobs.py:9".to_string()), "the script reads what the handler stored: {sinks:?}");
    assert_eq!(a.stats.script_runs, 3, "run_jobs twice (its table changed), cleanup once: {:?}", a.stats);
}
