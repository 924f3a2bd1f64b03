//! Whole-model tests: fixtures on disk, the microbenchmark suite, and
//! property tests showing that no input makes the loader or resolver panic.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;
use crate::exclude::Exclude;
use crate::infra::model::{DeploymentFile, Trigger};
use crate::sym::Piece;

/// Unknown values that do not come from outside the deployment files
/// (SSM, CloudFormation outputs, S3 objects): those are opaque by design.
fn has_unresolved(s: &SymStr) -> bool {
    s.pieces().iter().any(|p| {
        matches!(p, Piece::Any(n) if resolve::has_unresolved(&SymStr::any(n.as_str()))
            && !["ssm:", "cf:", "s3:", "secretsmanager:"].iter().any(|x| n.starts_with(x)))
    })
}
use crate::infra::yaml::Node;
use crate::sym::SymStr;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/infra")
}

#[test]
fn loads_every_service_of_an_app() {
    let m = load(&fixtures().join("multi"), &[], &Exclude::default(), &InfraOptions::default());
    let files: Vec<&str> = m.services.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(files, vec!["api/serverless.yml", "sam/template.yaml"]);
    assert_eq!(m.diagnostics.len(), 1, "{:?}", m.diagnostics);
    assert_eq!(m.diagnostics[0].file, "broken/serverless.yml");
    assert!(m.diagnostics[0].line >= 5);
    let api = &m.services[0];
    assert!(api.diagnostics.is_empty(), "{:?}", api.diagnostics);
    assert_eq!(api.provider.region, SymStr::lit("eu-central-1"));
    let f = &api.functions[0];
    assert_eq!(f.environment["BUCKET"], SymStr::lit("api-dev-files"));
    assert_eq!(f.handler.file, "api/handlers/upload.py");
    assert_eq!(f.handler.module, "handlers.upload");
    assert_eq!(f.events[0].trigger, Trigger::HTTP);
    let sam = &m.services[1];
    assert_eq!(sam.provider.region, SymStr::lit("ap-south-1"));
    assert_eq!(sam.functions[0].handler.file, "sam/src/app.py");
    assert!(sam.functions[0].physical_name.known_prefix().starts_with("my-stack-Fn-"));
    let text = render_text(&m);
    assert!(text.contains("function upload (api-dev-upload)"), "{text}");
    assert!(serde_json::to_string(&m).unwrap().contains("\"trigger\":\"http\""));
}

#[test]
fn config_picks_one_file() {
    let m = load(&fixtures().join("multi"), &["sam/template.yaml".into()], &Exclude::default(), &InfraOptions::default());
    assert_eq!(m.services.len(), 1);
    assert_eq!(m.services[0].file, "sam/template.yaml");
    let m = load(&fixtures().join("multi"), &["nope.yml".into()], &Exclude::default(), &InfraOptions::default());
    assert_eq!(m.diagnostics.len(), 1);
}

#[test]
fn handler_paths() {
    let h = handler_from("", "handlers/http.onPost");
    assert_eq!((h.file.as_str(), h.module.as_str(), h.function.as_str()), ("handlers/http.py", "handlers.http", "onPost"));
    let h = handler_from("src/", "pkg.mod.handler");
    assert_eq!((h.file.as_str(), h.module.as_str()), ("src/pkg/mod.py", "pkg.mod"));
}

/// Every deployment file of the suite resolves the values that matter.
#[test]
fn microbenchmarks_resolve_completely() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks");
    if !root.exists() {
        return;
    }
    let m = load(&root, &[], &Exclude::default(), &InfraOptions::default());
    let mut problems = vec![];
    for d in &m.diagnostics {
        problems.push(format!("{}:{}: {}", d.file, d.line, d.message));
    }
    // Cases about a trigger on a resource the file does not define hold an
    // unresolvable reference on purpose.
    let undefined_on_purpose = |file: &str| {
        let label = root.join(file).with_file_name("expected.toml");
        std::fs::read_to_string(label).is_ok_and(|t| t.contains("rule = \"undefined-trigger-resource\""))
    };
    for s in m.services.iter().filter(|s| !undefined_on_purpose(&s.file)) {
        for d in &s.diagnostics {
            problems.push(format!("{}:{}: {}", d.file, d.line, d.message));
        }
        for r in &s.resources {
            if let Some(n) = &r.physical_name {
                if has_unresolved(n) {
                    problems.push(format!("{}: resource {} name {n}", s.file, r.logical_id));
                }
            }
        }
        for f in &s.functions {
            for (k, v) in &f.environment {
                if has_unresolved(v) {
                    problems.push(format!("{}: {} env {k}={v}", s.file, f.name));
                }
            }
            for st in &f.iam {
                for r in &st.resources {
                    if has_unresolved(r) {
                        problems.push(format!("{}: {} iam resource {r}", s.file, f.name));
                    }
                }
            }
            for e in &f.events {
                if let Some(r) = &e.resource {
                    if has_unresolved(r) {
                        problems.push(format!("{}: {} event {} on {r}", s.file, f.name, e.raw_type));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn load_any(text: &str) {
    for name in ["serverless.yml", "template.yaml"] {
        let f = DeploymentFile { relative: name.into(), path: PathBuf::from("/nonexistent").join(name) };
        let s = load_text(&f, text, &InfraOptions::default());
        if let Ok(s) = s {
            let _ = render_text(&InfraModel { services: vec![s], diagnostics: vec![] });
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_yamlish_text_never_panics(text in "[a-zA-Z0-9:{}\\[\\]$,.!&*<>'\"# \\n-]{0,300}") {
        load_any(&text);
    }

    #[test]
    fn arbitrary_variables_never_panic(parts in proptest::collection::vec("(\\$\\{|\\}|self:|opt:stage|sls:stage|env:X|file\\(x\\.yml\\)|custom\\.a|, |'d'|[a-z.]{1,4})", 0..16)) {
        let v = parts.concat();
        let text = format!("service: s\ncustom:\n  a: \"{}\"\n  b: \"{}\"\nprovider:\n  name: aws\n  environment:\n    X: \"{}\"\nfunctions:\n  f:\n    handler: h.f\n", v.replace('"', ""), v.replace('"', "").replace("custom.a", "custom.b"), v.replace('"', ""));
        load_any(&text);
    }

    #[test]
    fn arbitrary_intrinsics_never_panic(parts in proptest::collection::vec("(!Ref |!GetAtt |!Sub |!Join |!Select |!Split |!If |\\[|\\]|, |A|B\\.Arn|'\\$\\{A\\}'|x)", 0..12)) {
        let v = parts.concat();
        let text = format!("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: {v}\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n      Environment:\n        Variables:\n          X: {v}\n");
        load_any(&text);
    }

    #[test]
    fn arbitrary_integration_uris_never_panic(parts in proptest::collection::vec("(arn:aws:apigateway:|:lambda:path/|/functions/|/invocations|:sqs:path/|:s3:path/|action/|\\{p\\}|/|:|'\\$\\{A\\}'|x|!Sub )", 0..12)) {
        let v = parts.concat();
        let text = format!("Resources:\n  M:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      HttpMethod: PUT\n      ResourceId: !Ref M\n      Integration:\n        Type: AWS\n        Uri: {v}\n  A:\n    Type: AWS::Serverless::Api\n    Properties:\n      DefinitionBody:\n        paths:\n          /a:\n            post:\n              x-amazon-apigateway-integration:\n                type: aws\n                uri: {v}\n");
        load_any(&text);
    }
}

#[test]
fn yaml_tree_roundtrips_to_json() {
    let n = yaml::load_str("a: [1, true, x]").unwrap();
    assert_eq!(n.to_json(), serde_json::json!({"a": [1, true, "x"]}));
    let _ = Node::null(0);
}
