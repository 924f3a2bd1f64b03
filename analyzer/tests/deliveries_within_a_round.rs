//! After the first round, what a handler sends reaches the handlers that
//! run after it in the same round: a request passed down a chain of
//! queues reaches the end of the chain in one round, not one round per
//! queue, and is found the same.

use analyzer::analysis::{analyze, Analysis, Options};

const STAGES: usize = 6;

/// Stage 0 takes the request, notes part of it in a table every stage
/// reads (so that all of them run again in the second round) and queues
/// the rest; each later stage passes it on, and the last one runs it.
fn chain() -> Analysis {
    let app = tempfile::tempdir().unwrap();
    let mut yml = String::from("service: chain\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n    NOTES: notes\n");
    for k in 1..STAGES {
        yml.push_str(&format!("    QUEUE_{k}: {{Ref: Queue{k}}}\n"));
    }
    yml.push_str("  iamRoleStatements:\n    - Effect: Allow\n      Action: [sqs:SendMessage, dynamodb:GetItem, dynamodb:PutItem]\n      Resource: \"*\"\nfunctions:\n");
    for k in 0..STAGES {
        let event = if k == 0 { "      - http: {path: /start, method: post}".to_string() } else { format!("      - sqs: {{arn: {{Fn::GetAtt: [Queue{k}, Arn]}}}}") };
        yml.push_str(&format!("  stage{k}:\n    handler: stage{k}.handle\n    events:\n{event}\n"));
    }
    yml.push_str("resources:\n  Resources:\n");
    for k in 1..STAGES {
        yml.push_str(&format!("    Queue{k}:\n      Type: AWS::SQS::Queue\n      Properties: {{QueueName: queue-{k}}}\n"));
    }
    std::fs::write(app.path().join("serverless.yml"), yml).unwrap();
    for k in 0..STAGES {
        let mut code = String::from(
            "import json\nimport os\n\nimport boto3\n\nsqs = boto3.client(\"sqs\")\nnotes = boto3.resource(\"dynamodb\").Table(os.environ[\"NOTES\"])\n\n\ndef handle(event, context):\n    print(notes.get_item(Key={\"id\": \"note\"})[\"Item\"])\n",
        );
        if k == 0 {
            code.push_str("    body = json.loads(event[\"body\"])\n    notes.put_item(Item={\"id\": \"note\", \"note\": body[\"note\"]})\n    sqs.send_message(QueueUrl=os.environ[\"QUEUE_1\"], MessageBody=body[\"command\"])\n");
        } else if k + 1 < STAGES {
            code.push_str(&format!("    for record in event[\"Records\"]:\n        sqs.send_message(QueueUrl=os.environ[\"QUEUE_{}\"], MessageBody=record[\"body\"])\n", k + 1));
        } else {
            code.push_str("    for record in event[\"Records\"]:\n        os.system(record[\"body\"])\n");
        }
        std::fs::write(app.path().join(format!("stage{k}.py")), code).unwrap();
    }
    analyze(app.path(), &Options::default()).unwrap()
}

#[test]
fn a_request_passed_down_a_chain_of_queues_arrives_in_one_round() {
    let a = chain();
    let found: Vec<(String, u32, Vec<usize>)> = a.findings.iter().map(|f| (f.sink.file.clone(), f.sink.line, f.flows.iter().map(|fl| fl.hops.len()).collect())).collect();
    assert_eq!(found, vec![(format!("stage{}.py", STAGES - 1), 13, vec![STAGES - 1])], "one queue per hop: {:?}", a.findings);
    // The first round runs every stage with its own event; the second
    // carries the request from stage 1 to the last; the third sees no
    // change. Delivering only between rounds took one round per queue.
    assert_eq!(a.stats.rounds, 3, "{:?}", a.stats);
}
