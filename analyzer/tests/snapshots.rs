//! The reports of a few suite cases, pinned: a change in how a finding is
//! explained shows up in review as a snapshot diff.

use std::path::PathBuf;

use analyzer::analysis::{analyze, Options};
use analyzer::report;

fn case(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks").join(rel)
}

#[test]
fn motivating_example_as_text() {
    let a = analyze(&case("inter-procedural/api-put-item-boto3-client"), &Options::default()).unwrap();
    insta::assert_snapshot!(report::text::render(&a));
}

#[test]
fn motivating_example_as_sarif() {
    let a = analyze(&case("inter-procedural/api-put-item-boto3-client"), &Options::default()).unwrap();
    let log = report::sarif::to_sarif(&a);
    insta::assert_json_snapshot!(log);
}

#[test]
fn sns_fan_out_as_text() {
    let a = analyze(&case("inter-procedural/sns-sqs-fan-out"), &Options::default()).unwrap();
    insta::assert_snapshot!(report::text::render(&a));
}

#[test]
fn service_map_as_mermaid() {
    let a = analyze(&case("application/step-functions-app"), &Options::default()).unwrap();
    insta::assert_snapshot!(report::graph::render(&a, report::graph::Format::Mermaid));
}

/// The invoked function hangs off the invoke target, though no event of
/// its own names it.
#[test]
fn invoke_target_leads_to_the_invoked_function() {
    let a = analyze(&case("inter-procedural/lambda-invoke-sync"), &Options::default()).unwrap();
    insta::assert_snapshot!(report::graph::render(&a, report::graph::Format::Dot));
}

/// A route API Gateway integrates straight with SQS: the code flow starts
/// at the route in serverless.yml (a module-level location) and crosses the
/// queue into the consumer.
#[test]
fn service_integration_source_as_sarif() {
    let a = analyze(&case("inter-procedural/apigw-sqs-proxy-command"), &Options::default()).unwrap();
    insta::assert_json_snapshot!(report::sarif::to_sarif(&a));
}

/// The route appears in the service map, feeding the queue.
#[test]
fn service_integration_in_the_service_map() {
    let a = analyze(&case("inter-procedural/apigw-sqs-proxy-command"), &Options::default()).unwrap();
    insta::assert_snapshot!(report::graph::render(&a, report::graph::Format::Mermaid));
}
