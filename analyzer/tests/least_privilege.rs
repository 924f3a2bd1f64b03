//! `analyzer policy` against the IAM model, on every app of the suite: the
//! statements it prints allow every call the analysis saw and grant nothing
//! no call needs. Then the over- and under-privilege it reports on cases
//! whose roles are known to be too wide or too narrow.

use std::path::{Path, PathBuf};

use analyzer::analysis::{analyze, Options};
use analyzer::infra::iam::{decide, statement_matches, IamOptions};
use analyzer::infra::model::{Decision, Effect, Statement};
use analyzer::privilege::{privileges, statements, FunctionPrivileges};
use analyzer::sym::{SymStr, Truth};

fn suite() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks")
}

fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(suite())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "expected.toml")
        .map(|e| e.path().parent().unwrap().to_path_buf())
        .collect();
    out.sort();
    out
}

fn as_statements(f: &FunctionPrivileges) -> Vec<Statement> {
    statements(f)
        .into_iter()
        .map(|(actions, resources)| Statement {
            effect: Effect::Allow,
            actions: actions.iter().map(|a| SymStr::lit(a)).collect(),
            not_action: false,
            resources: resources.iter().map(|(r, _)| SymStr::lit(r)).collect(),
            not_resource: false,
            origin: "analyzer policy".into(),
            line: 0,
        })
        .collect()
}

fn policy_of(case: &Path) -> Vec<FunctionPrivileges> {
    privileges(&analyze(case, &Options::default()).unwrap())
}

/// The least-privilege report of a one-file SAM app written here.
fn policy_of_sam_app(template: &str, app: &str) -> Vec<FunctionPrivileges> {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("template.yaml"), template).unwrap();
    std::fs::write(t.path().join("app.py"), app).unwrap();
    policy_of(t.path())
}

#[test]
fn generated_statements_allow_exactly_what_the_code_needs() {
    let opts = IamOptions { unknown_as_denied: false };
    let mut needs = 0;
    for case in cases() {
        for f in policy_of(&case) {
            let generated = as_statements(&f);
            for n in &f.needs {
                assert_eq!(decide(&generated, false, &n.action, n.arn(), &opts), Decision::Allowed, "{}: {} needs {} on {}", case.display(), f.function, n.action, n.resource);
                needs += 1;
            }
            for st in &generated {
                for action in &st.actions {
                    for resource in &st.resources {
                        let single = Statement { actions: vec![action.clone()], resources: vec![resource.clone()], ..st.clone() };
                        let used = f.needs.iter().any(|n| statement_matches(&single, &n.action, n.arn()) == Truth::Yes);
                        assert!(used, "{}: {} is granted {action} on {resource}, which no call needs", case.display(), f.function);
                    }
                }
            }
        }
    }
    assert!(needs > 100, "the suite's calls are covered ({needs} needs)");
}

#[test]
fn a_denied_call_is_under_privilege() {
    let fs = policy_of(&suite().join("intra-procedural/api-scan-no-permission"));
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].denied.len(), 1, "{:#?}", fs[0]);
    assert!(fs[0].denied[0].starts_with("dynamodb:Scan on arn:aws:dynamodb:us-east-1:*:table/api-scan-records-dev"), "{}", fs[0].denied[0]);
}

#[test]
fn a_shared_role_gives_each_function_the_others_grants() {
    let fs = policy_of(&suite().join("inter-procedural/api-put-object-two-handlers"));
    let consume = fs.iter().find(|f| f.function == "consume").unwrap();
    assert!(consume.needs.iter().all(|n| n.by == "runtime"), "consume makes no call: {:#?}", consume.needs);
    assert!(consume.excess.iter().any(|e| e.kind == "shared-role" && e.detail.contains("s3:PutObject") && e.detail.contains("needed only by produce")), "{:#?}", consume.excess);
    let produce = fs.iter().find(|f| f.function == "produce").unwrap();
    assert!(produce.excess.iter().all(|e| e.kind != "shared-role"), "{:#?}", produce.excess);
}

#[test]
fn a_full_access_managed_policy_is_excess() {
    let fs = policy_of_sam_app(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Reader:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Policies:\n        - AmazonS3FullAccess\n",
        "import boto3\n\ndef handler(event, context):\n    return boto3.client('s3').get_object(Bucket='reports', Key='daily.csv')\n",
    );
    assert_eq!(fs.len(), 1);
    assert!(fs[0].excess.iter().any(|e| e.kind == "managed-policy" && e.detail.contains("AmazonS3FullAccess")), "{:#?}", fs[0]);
    assert!(fs[0].needs.iter().any(|n| n.action == "s3:GetObject" && n.resource == "arn:aws:s3:::reports/daily.csv"), "{:#?}", fs[0].needs);
}

#[test]
fn calls_signed_with_the_codes_own_keys_are_not_the_roles_needs() {
    let fs = policy_of_sam_app(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Reader:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n",
        "import os\nimport boto3\n\nkeys = boto3.Session(aws_access_key_id=os.environ['KEY_ID'], aws_secret_access_key=os.environ['SECRET'])\n\ndef handler(event, context):\n    boto3.client('s3').get_object(Bucket='reports', Key='daily.csv')\n    return keys.client('s3').get_object(Bucket='archive', Key='old.csv')\n",
    );
    assert_eq!(fs.len(), 1);
    assert!(fs[0].needs.iter().any(|n| n.resource == "arn:aws:s3:::reports/daily.csv"), "{:#?}", fs[0].needs);
    assert!(fs[0].needs.iter().all(|n| !n.resource.contains("archive")), "the role signs no call on the archive: {:#?}", fs[0].needs);
}

#[test]
fn calls_made_by_callbacks_and_resource_actions_of_unmodelled_services_are_seen() {
    let fs = policy_of_sam_app(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Scaler:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Policies:\n        - Statement:\n            - Effect: Allow\n              Action: ec2:RunInstances\n              Resource: '*'\n",
        "from concurrent.futures import ThreadPoolExecutor\nimport boto3\n\nec2 = boto3.resource('ec2')\n\ndef launch(count):\n    return ec2.create_instances(MinCount=count, MaxCount=count, ImageId='ami-1')\n\ndef handler(event, context):\n    with ThreadPoolExecutor() as pool:\n        pool.submit(launch, 2)\n",
    );
    assert_eq!(fs.len(), 1);
    assert!(fs[0].unmodelled_calls.iter().any(|c| c.starts_with("ec2.create_instances")), "{:#?}", fs[0]);
    assert!(fs[0].excess.iter().all(|e| !e.detail.contains("ec2:RunInstances on *: no call needs it")), "{:#?}", fs[0].excess);
}

#[test]
fn a_call_signed_with_the_codes_own_keys_is_undecided_like_any_unknown_permission() {
    let case = suite().join("application/own-credentials-session");
    let flows = |unknown_permissions_denied| analyze(&case, &Options { unknown_permissions_denied, ..Options::default() }).unwrap().findings.len();
    assert_eq!(flows(false), 1, "the keys' permissions are unknown, and unknown counts as allowed");
    assert_eq!(flows(true), 0, "--unknown-permissions-denied denies what the keys may do too");
}
