//! A function whose handler runs again in a later round starts from what
//! its modules left the first time, unless the stores its module code
//! read have changed since: then the modules are evaluated again and see
//! what the other functions wrote.

use analyzer::analysis::{analyze, Analysis, Options};

const DEPLOYMENT: &str = r#"service: settings
provider:
  name: aws
  runtime: python3.12
  environment:
    SETTINGS: settings
  iamRoleStatements:
    - Effect: Allow
      Action: [dynamodb:PutItem, dynamodb:GetItem, dynamodb:Scan]
      Resource: "*"
functions:
  api:
    handler: api.handle
    events:
      - http: {path: /settings, method: put}
  worker:
    handler: worker.handle
    events:
      - schedule: rate(1 hour)
  audit:
    handler: audit.handle
    events:
      - schedule: rate(1 day)
"#;

const API: &str = r#"import json
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["SETTINGS"])


def handle(event, context):
    table.put_item(Item={"id": "main", "command": json.loads(event["body"])["command"]})
    return {"statusCode": 204}
"#;

/// Reads the settings once per container, at module level.
const WORKER: &str = r#"import os
import subprocess
import boto3

table = boto3.resource("dynamodb").Table(os.environ["SETTINGS"])
SETTINGS = table.get_item(Key={"id": "main"})["Item"]


def handle(event, context):
    subprocess.run(SETTINGS["command"], shell=True)
"#;

/// Reads the table in its handler: its module code reads no store.
const AUDIT: &str = r#"import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["SETTINGS"])


def handle(event, context):
    for item in table.scan()["Items"]:
        os.system("echo " + item["command"])
"#;

fn analysed() -> Analysis {
    let app = tempfile::tempdir().unwrap();
    for (file, text) in [("serverless.yml", DEPLOYMENT), ("api.py", API), ("worker.py", WORKER), ("audit.py", AUDIT)] {
        std::fs::write(app.path().join(file), text).unwrap();
    }
    analyze(app.path(), &Options::default()).unwrap()
}

#[test]
fn module_code_that_read_a_changed_store_runs_again_and_other_modules_are_reused() {
    let a = analysed();
    let sinks: Vec<String> = a.findings.iter().map(|f| format!("{} {}:{}", f.vulnerability, f.sink.file, f.sink.line)).collect();
    assert!(sinks.contains(&"code-injection worker.py:10".to_string()), "the worker's module read the settings the API stored: {sinks:?}");
    assert!(sinks.contains(&"code-injection audit.py:9".to_string()), "{sinks:?}");
    assert!(a.stats.modules_reused >= 1, "the audit's second run reuses its modules: {:?}", a.stats);
}
