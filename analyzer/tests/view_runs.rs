//! The views of a web app served by a function run in the first round and
//! again only when a store they stand on has changed: the view reading the
//! table a handler fills runs twice and reports the flow, the views after
//! it run once, since nothing they read changed.

use analyzer::analysis::{analyze, Options};

const DEPLOYMENT: &str = r#"service: jobs
plugins:
  - serverless-wsgi
custom:
  wsgi:
    app: app.app
provider:
  name: aws
  runtime: python3.12
  iamRoleStatements:
    - Effect: Allow
      Action: [dynamodb:PutItem, dynamodb:Scan]
      Resource: "*"
functions:
  api:
    handler: wsgi_handler.handler
    events:
      - http: {path: "/{proxy+}", method: ANY}
  submit:
    handler: submit.handle
    events:
      - http: {path: /jobs, method: post}
"#;

const SUBMIT: &str = r#"import json
import boto3

table = boto3.resource("dynamodb").Table("jobs")


def handle(event, context):
    table.put_item(Item={"id": "next", "command": json.loads(event["body"])["command"]})
    return {"statusCode": 202}
"#;

const APP: &str = r#"import subprocess
import boto3
from flask import Flask

app = Flask(__name__)
table = boto3.resource("dynamodb").Table("jobs")


@app.route("/run")
def run():
    for job in table.scan()["Items"]:
        subprocess.run(job["command"], shell=True)
    return "ran"


@app.route("/health")
def health():
    return "ok"


@app.route("/version")
def version():
    return "1.0"
"#;

#[test]
fn views_run_again_only_when_what_they_stand_on_changed() {
    let app = tempfile::tempdir().unwrap();
    for (file, text) in [("serverless.yml", DEPLOYMENT), ("submit.py", SUBMIT), ("app.py", APP)] {
        std::fs::write(app.path().join(file), text).unwrap();
    }
    let a = analyze(app.path(), &Options::default()).unwrap();
    let sinks: Vec<String> = a.findings.iter().map(|f| format!("{} {}:{}", f.vulnerability, f.sink.file, f.sink.line)).collect();
    assert!(sinks.contains(&"code-injection app.py:12".to_string()), "the view reads what the handler stored: {sinks:?}");
    assert_eq!(a.stats.view_runs, 4, "run twice (its table changed), health and version once: {:?}", a.stats);
}
