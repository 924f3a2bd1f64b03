//! What a newcomer sees when the app is not what the analyzer expects: a
//! deployment file that does not parse, no deployment file, a handler whose
//! code is missing. Each is said plainly, in every format, with the line.

use std::path::Path;
use std::process::Command;

/// A folder holding these files.
fn app(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    tmp
}

fn scan(app: &Path, format: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_analyzer")).args(["scan", app.to_str().unwrap(), "--format", format]).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_broken_deployment_file_is_an_error_in_every_format() {
    let tmp = app(&[("serverless.yml", "service: x\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  f:\n    handler: h.main\n   events: [\n")]);
    let (code, text, _) = scan(tmp.path(), "text");
    assert_eq!(code, 2, "{text}");
    assert!(text.starts_with("error: serverless.yml:8: invalid YAML"), "{text}");
    let (code, sarif, err) = scan(tmp.path(), "sarif");
    assert_eq!(code, 2);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["toolExecutionNotifications"][0]["level"], "error");
    assert!(err.contains("serverless.yml:8"), "{err}");
    let (code, json, _) = scan(tmp.path(), "json");
    assert_eq!(code, 2);
    assert!(json.contains("\"errors\"") && json.contains("invalid YAML"), "{json}");
}

#[test]
fn no_deployment_file_is_said_so() {
    let tmp = app(&[("app.py", "print(1)\n")]);
    let (code, text, _) = scan(tmp.path(), "text");
    assert_eq!(code, 2);
    assert!(text.contains("error: no deployment file"), "{text}");
}

#[test]
fn a_missing_handler_points_at_its_handler_line() {
    let tmp = app(&[
        (
            "serverless.yml",
            "service: x\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  present:\n    handler: h.main\n  absent:\n    handler: gone.main\n  undefined:\n    handler: h.nothing\n",
        ),
        ("h.py", "def main(event, context):\n    return 1\n"),
    ]);
    let (code, text, _) = scan(tmp.path(), "text");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("handler not found: serverless.yml:9: absent (gone.py:main): file not found"), "{text}");
    assert!(text.contains("handler not found: serverless.yml:11: undefined (h.py:nothing): function not defined"), "{text}");
    let (_, sarif, _) = scan(tmp.path(), "sarif");
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap().clone();
    let absent = notes.iter().find(|n| n["message"]["text"].as_str().unwrap().contains("absent")).unwrap();
    assert_eq!(absent["locations"][0]["physicalLocation"]["region"]["startLine"], 9);
    assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn python_2_code_is_read_and_javascript_inline_code_is_left_to_node() {
    let tmp = app(&[
        (
            "template.yaml",
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Legacy:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python2.7\n      Handler: legacy.handle\n      Events:\n        Api:\n          Type: Api\n          Properties: {Path: /run, Method: post}\n  Hello:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: |\n        exports.handler = async (event) => ({ statusCode: 200 });\n",
        ),
        ("legacy.py", "import os\n\ndef handle(event, context):\n    print 'running', event['body']\n    os.system(event['body'])\n"),
    ]);
    let (code, text, _) = scan(tmp.path(), "text");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("code-injection at legacy.py:5 (os.system)"), "{text}");
    assert!(text.contains("read as Python 2: legacy.py"), "{text}");
    assert!(text.contains("0 file(s) not parsed"), "{text}");
}
