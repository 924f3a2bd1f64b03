//! The pre-commit hook of `.pre-commit-hooks.yaml`, run by `pre-commit`
//! itself (from PyPI; `.ci/run` installs it) on a throw-away repository: a
//! clean app passes, a change that adds a flow fails.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::git;

fn try_repo(consumer: &Path, ours: &Path, home: &Path) -> (i32, String) {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_analyzer"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("pre-commit")
        .args(["try-repo", ours.to_str().unwrap(), "serverless-flows", "--all-files"])
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .current_dir(consumer)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_hook_passes_a_clean_app_and_fails_a_new_flow() {
    if Command::new("pre-commit").arg("--version").output().is_err() {
        // CI installs pre-commit: there a missing one is a failure, not a skip.
        assert!(std::env::var_os("CI").is_none(), "pre-commit is not installed (pip install pre-commit)");
        println!("skipped: pre-commit is not installed (pip install pre-commit)");
        return;
    }
    let ours = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let consumer = tmp.path().join("consumer");
    std::fs::create_dir_all(consumer.join("handlers")).unwrap();
    std::fs::write(
        consumer.join("serverless.yml"),
        "service: hook\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  run:\n    handler: handlers/run.handler\n    events:\n      - httpApi: POST /run\n",
    )
    .unwrap();
    let handler = consumer.join("handlers/run.py");
    std::fs::write(&handler, "import json\n\n\ndef handler(event, context):\n    body = json.loads(event[\"body\"])\n    return {\"statusCode\": 200, \"body\": json.dumps(body)}\n").unwrap();
    git(&consumer, &["init", "-q"]);
    git(&consumer, &["add", "."]);
    git(&consumer, &["commit", "-q", "-m", "clean app"]);
    let home = tmp.path().join("pre-commit-home");

    let (code, out) = try_repo(&consumer, &ours, &home);
    assert_eq!(code, 0, "a clean app passes:\n{out}");

    let flow = "import json\nimport os\n\n\ndef handler(event, context):\n    body = json.loads(event[\"body\"])\n    os.system(\"echo \" + body[\"name\"])\n    return {\"statusCode\": 200}\n";
    std::fs::write(&handler, flow).unwrap();
    git(&consumer, &["add", "."]);
    let (code, out) = try_repo(&consumer, &ours, &home);
    assert_ne!(code, 0, "a new flow fails the hook:\n{out}");
    assert!(out.contains("code-injection at handlers/run.py:7 (os.system)"), "{out}");
}
