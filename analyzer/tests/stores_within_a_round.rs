//! After the first round, what a handler stores is read by the handlers
//! that run after it in the same round: a request passed down a chain of
//! tables reaches the end of the chain in one round, not one round per
//! table, and is found the same.

use analyzer::analysis::{analyze, Analysis, Options};

const STAGES: usize = 6;

/// Stage 0 takes the request and stores it in table 1; each later stage
/// copies what it reads from its table to the next one, and the last one
/// runs it.
fn chain() -> Analysis {
    let app = tempfile::tempdir().unwrap();
    let mut yml = String::from("service: chain\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n");
    for k in 1..STAGES {
        yml.push_str(&format!("    TABLE_{k}: table-{k}\n"));
    }
    yml.push_str("  iamRoleStatements:\n    - Effect: Allow\n      Action: [dynamodb:GetItem, dynamodb:PutItem]\n      Resource: \"*\"\nfunctions:\n");
    for k in 0..STAGES {
        let events = if k == 0 { "    events:\n      - http: {path: /start, method: post}\n" } else { "" };
        yml.push_str(&format!("  stage{k}:\n    handler: stage{k}.handle\n{events}"));
    }
    std::fs::write(app.path().join("serverless.yml"), yml).unwrap();
    for k in 0..STAGES {
        let mut code = String::from(
            "import json\nimport os\n\nimport boto3\n\ndb = boto3.resource(\"dynamodb\")\n\n\ndef handle(event, context):\n",
        );
        if k == 0 {
            code.push_str("    body = json.loads(event[\"body\"])\n    db.Table(os.environ[\"TABLE_1\"]).put_item(Item={\"id\": \"job\", \"command\": body[\"command\"]})\n");
        } else {
            code.push_str(&format!("    job = db.Table(os.environ[\"TABLE_{k}\"]).get_item(Key={{\"id\": \"job\"}})[\"Item\"]\n"));
            if k + 1 < STAGES {
                code.push_str(&format!("    db.Table(os.environ[\"TABLE_{}\"]).put_item(Item={{\"id\": \"job\", \"command\": job[\"command\"]}})\n", k + 1));
            } else {
                code.push_str("    os.system(job[\"command\"])\n");
            }
        }
        std::fs::write(app.path().join(format!("stage{k}.py")), code).unwrap();
    }
    analyze(app.path(), &Options::default()).unwrap()
}

#[test]
fn a_request_passed_down_a_chain_of_tables_arrives_in_one_round() {
    let a = chain();
    let found: Vec<(String, u32, Vec<usize>)> = a.findings.iter().map(|f| (f.sink.file.clone(), f.sink.line, f.flows.iter().map(|fl| fl.hops.len()).collect())).collect();
    assert_eq!(found, vec![(format!("stage{}.py", STAGES - 1), 11, vec![STAGES - 1])], "one table per hop: {:?}", a.findings);
    // The first round runs every stage; the second carries the request
    // from table 1 to the last stage, each stage becoming due when the one
    // before it has stored; the third sees no change. Reading only what
    // earlier rounds stored took one round per table (and a chain longer
    // than the round limit would have been cut), for as many runs.
    assert_eq!(a.stats.rounds, 3, "{:?}", a.stats);
    assert_eq!(a.stats.handler_runs, 2 * STAGES - 1, "{:?}", a.stats);
}
