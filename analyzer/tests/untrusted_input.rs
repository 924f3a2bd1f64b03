//! An application folder is hostile input: what its deployment files name
//! must never make the analyzer read, and print, files outside its
//! repository.

use std::path::Path;
use std::process::Command;

const SECRET: &str = "TOPSECRET-4242";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn infra_json(app: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_analyzer")).args(["infra", app.to_str().unwrap(), "--format", "json"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn names_in_deployment_files_never_leave_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("secret.txt");
    write(&secret, SECRET);
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let app = repo.join("esc");
    write(&repo.join("shared.yml"), "region: eu-west-1\n");
    std::fs::create_dir_all(&app).unwrap();
    std::os::unix::fs::symlink(&secret, app.join("linked.txt")).unwrap();
    write(
        &app.join("serverless.yml"),
        &format!(
            "service: esc\nprovider:\n  name: aws\n  runtime: python3.12\n  region: ${{file(../shared.yml):region}}\n  environment:\n    ABS: ${{file({abs})}}\n    DOTS: ${{file(../../../../../../../..{abs})}}\n    UP: ${{file(../../secret.txt)}}\n    LINK: ${{file(linked.txt)}}\nfunctions:\n  f:\n    handler: h.main\n",
            abs = secret.display()
        ),
    );
    write(&app.join("h.py"), "def main(event, context):\n    return 1\n");
    let out = infra_json(&app);
    assert!(!out.contains(SECRET), "a file outside the repository was read:\n{out}");
    assert!(out.matches("outside the repository").count() >= 4, "each refusal is diagnosed:\n{out}");
    assert!(out.contains("eu-west-1"), "a file of the same repository is read:\n{out}");

    // SAM: an included document and a state machine definition outside.
    let sam = repo.join("sam");
    write(
        &sam.join("template.yaml"),
        &format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n        Fn::Transform:\n          Name: AWS::Include\n          Parameters:\n            Location: ../../secret.txt\n  Machine:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: ../../secret.txt\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: h.main\n      Runtime: python3.12\n      Environment:\n        Variables:\n          X: {abs}\n",
            abs = "plain"
        ),
    );
    let out = infra_json(&sam);
    assert!(!out.contains(SECRET), "{out}");
    assert!(out.matches("outside the repository").count() >= 2, "{out}");
}

#[test]
fn secrets_in_the_environment_are_shown_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n    DB_PASSWORD: hunter2-plain\n    KEY: AKIAIOSFODNN7EXAMPLE\n    TABLE: orders\nfunctions:\n  f:\n    handler: h.main\n",
    );
    write(&tmp.path().join("secrets.yml"), "db: plain-db-host.internal\n");
    let yml = std::fs::read_to_string(tmp.path().join("serverless.yml")).unwrap().replace("    TABLE: orders\n", "    TABLE: orders\n    DB: ${file(./secrets.yml):db}\n");
    write(&tmp.path().join("serverless.yml"), &yml);
    let out = infra_json(tmp.path());
    assert!(!out.contains("hunter2-plain") && !out.contains("AKIAIOSFODNN7EXAMPLE") && out.contains("orders"), "{out}");
    assert!(!out.contains("plain-db-host") && out.contains("\"DB\""), "a value from another file is redacted:\n{out}");
    let shown = Command::new(env!("CARGO_BIN_EXE_analyzer")).args(["infra", tmp.path().to_str().unwrap(), "--show-values"]).output().unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("hunter2-plain"));
}

#[test]
fn an_environment_taken_from_a_file_through_custom_is_redacted_too() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("serverless.yml"),
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  environment: ${self:custom.variables}\ncustom:\n  variables: ${file(./variables.yml)}\nfunctions:\n  f:\n    handler: h.main\n",
    );
    write(&tmp.path().join("variables.yml"), "DB_HOST: db-host-from-file.internal\nREGION: eu-west-1\n");
    let out = infra_json(tmp.path());
    assert!(!out.contains("db-host-from-file") && out.contains("\"DB_HOST\""), "{out}");
}
