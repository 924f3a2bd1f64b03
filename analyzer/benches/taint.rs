//! Parse + program model + taint analysis of generated applications:
//!
//! * 10,000 lines of HTTP handlers calling helper modules that build
//!   commands, write to S3 and DynamoDB, with stream and S3 handlers
//!   downstream;
//! * a pipeline of handlers chained by queues that all read and write one
//!   table, so that every handler runs again when the table changes while
//!   the data moves down the chain (dynamoplus and cube-builder have this
//!   shape): delivered only between rounds, it took one round per queue
//!   (10 rounds, 73 handler runs), delivered within a round too it takes
//!   4 (24 runs), and the helpers' results are carried between runs;
//! * a service of 40 handlers in one module whose module code reads its
//!   settings from SSM and builds tables at import (minerva-cloud's db
//!   service has this shape): evaluated once per handler while what it
//!   recorded for the function it ran as kept it from being shared (6.8
//!   ms), it is evaluated once and its records are given to every sibling
//!   (2.4 ms).
//!
//! Target: at least 200,000 lines per second on one core.

use std::fmt::Write;
use std::path::Path;

use analyzer::analysis::{analyze, Options};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

// The allocator the analyzer binary ships with, so that the figures are
// the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MODULES: usize = 20;

fn module(i: usize) -> String {
    let mut s = String::from("import os\nimport json\nimport subprocess\nimport boto3\n\ns3 = boto3.client('s3')\ntable = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n\n");
    for j in 0..20 {
        let _ = write!(
            s,
            "\ndef build_{j}(value, flag=False):\n    parts = []\n    for p in value.split(','):\n        parts.append(p.strip())\n    name = '-'.join(parts)\n    if flag:\n        name = name.upper()\n    record = {{'id': str({j}), 'name': name, 'n': len(parts)}}\n    return record\n\n\ndef save_{j}(record):\n    key = 'uploads/' + record['name'] + '.json'\n    s3.put_object(Bucket=os.environ['BUCKET'], Key=key, Body=json.dumps(record))\n    table.put_item(Item=record)\n    return key\n\n\ndef report_{j}(record):\n    summary = 'records: %d' % record['n']\n    print(summary)\n    return summary\n"
        );
    }
    let _ = write!(s, "\n\ndef handle_{i}(event, context):\n    body = json.loads(event['body'])\n    out = []\n    for j in range(3):\n        rec = build_{}(body.get('v', ''))\n        out.append(save_{}(rec))\n        report_{}(rec)\n    return {{'statusCode': 200, 'body': json.dumps(out)}}\n", i % 20, (i + 1) % 20, (i + 2) % 20);
    s
}

fn write_app(root: &Path) -> usize {
    let mut yml = String::from("service: bench\nprovider:\n  name: aws\n  runtime: python3.11\n  region: us-east-1\n  environment:\n    BUCKET: bench-bucket\n    TABLE: bench-table\n  iamRoleStatements:\n    - Effect: Allow\n      Action: ['s3:*', 'dynamodb:*']\n      Resource: '*'\nfunctions:\n");
    let mut lines = 0;
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/__init__.py"), "").unwrap();
    for i in 0..MODULES {
        let text = module(i);
        lines += text.lines().count();
        std::fs::write(root.join(format!("app/mod{i}.py")), text).unwrap();
        let _ = write!(yml, "  h{i}:\n    handler: app/mod{i}.handle_{i}\n    events:\n      - http:\n          path: h{i}\n          method: post\n");
    }
    let stream = "import os\n\ndef on_stream(event, context):\n    for r in event['Records']:\n        os.system('echo ' + r['dynamodb']['NewImage']['name']['S'])\n\n\ndef on_upload(event, context):\n    for r in event['Records']:\n        os.system('file ' + r['s3']['object']['key'])\n";
    lines += stream.lines().count();
    std::fs::write(root.join("app/downstream.py"), stream).unwrap();
    yml.push_str("  stream:\n    handler: app/downstream.on_stream\n    events:\n      - stream:\n          type: dynamodb\n          arn: arn:aws:dynamodb:us-east-1:123456789012:table/bench-table/stream/2024\n  upload:\n    handler: app/downstream.on_upload\n    events:\n      - s3:\n          bucket: bench-bucket\n          event: s3:ObjectCreated:*\n          rules:\n            - prefix: uploads/\n          existing: true\n");
    std::fs::write(root.join("serverless.yml"), yml).unwrap();
    lines
}

const STAGES: usize = 8;

/// One stage of the pipeline: reads its queue and the shared table, runs
/// the shared helpers on constant settings and on the record, and passes
/// the record on.
fn stage(k: usize) -> String {
    let mut s = format!("import json\nimport os\n\nimport boto3\n\nfrom pipeline import common\n\nsqs = boto3.client('sqs')\nstate = boto3.resource('dynamodb').Table(os.environ['STATE'])\n\n");
    let _ = write!(
        s,
        "\ndef handle_{k}(event, context):\n    settings = common.settings('stage-{k}')\n    zones = common.zones(settings['region'])\n    seen = state.get_item(Key={{'id': 'last'}}).get('Item', {{}})\n    for record in event['Records']:\n        body = json.loads(record['body'])\n        body['zones'] = zones\n        body['seen_{k}'] = seen.get('note')\n        state.put_item(Item={{'id': 'last', 'note': body.get('note')}})\n        out = common.render(body, settings)\n"
    );
    if k + 1 < STAGES {
        let _ = write!(s, "        sqs.send_message(QueueUrl=os.environ['QUEUE_{}'], MessageBody=json.dumps(out))\n", k + 1);
    } else {
        s.push_str("        os.system('notify ' + out['note'])\n");
    }
    s
}

/// Helpers every stage calls: a settings table, a zone table built in a
/// loop, and a renderer.
fn common() -> String {
    let mut s = String::from("REGIONS = {\n");
    for r in 0..40 {
        let _ = writeln!(s, "    'region-{r}': {{'zones': ['{r}a', '{r}b', '{r}c'], 'tier': {}}},", r % 3);
    }
    s.push_str("}\n\n\ndef settings(name):\n    out = {'name': name, 'region': 'region-7', 'retries': 3}\n    for key in sorted(REGIONS):\n        if REGIONS[key]['tier'] == 0:\n            out.setdefault('tier0', []).append(key)\n    return out\n\n\ndef zones(region):\n    found = []\n    for key, value in REGIONS.items():\n        if key == region:\n            for z in value['zones']:\n                found.append(z.upper())\n    return found\n\n\ndef render(body, settings):\n    out = dict(body)\n    out['stage'] = settings['name']\n    out['note'] = '%s/%s' % (body.get('note', ''), settings['name'])\n    return out\n");
    s
}

fn write_pipeline(root: &Path) -> usize {
    let mut yml = String::from("service: pipeline\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n    STATE: state\n");
    for k in 1..STAGES {
        let _ = write!(yml, "    QUEUE_{k}: {{Ref: Queue{k}}}\n");
    }
    yml.push_str("  iamRoleStatements:\n    - Effect: Allow\n      Action: ['sqs:*', 'dynamodb:*']\n      Resource: '*'\nfunctions:\n");
    std::fs::create_dir_all(root.join("pipeline")).unwrap();
    std::fs::write(root.join("pipeline/__init__.py"), "").unwrap();
    let text = common();
    let mut lines = text.lines().count();
    std::fs::write(root.join("pipeline/common.py"), text).unwrap();
    for k in 0..STAGES {
        let text = stage(k);
        lines += text.lines().count();
        std::fs::write(root.join(format!("pipeline/stage{k}.py")), text).unwrap();
        let event = if k == 0 { "      - http: {path: /start, method: post}".to_string() } else { format!("      - sqs: {{arn: {{Fn::GetAtt: [Queue{k}, Arn]}}}}") };
        let _ = write!(yml, "  stage{k}:\n    handler: pipeline/stage{k}.handle_{k}\n    events:\n{event}\n");
    }
    yml.push_str("resources:\n  Resources:\n");
    for k in 1..STAGES {
        let _ = write!(yml, "    Queue{k}:\n      Type: AWS::SQS::Queue\n      Properties: {{QueueName: queue-{k}}}\n");
    }
    std::fs::write(root.join("serverless.yml"), yml).unwrap();
    lines
}

const SIBLINGS: usize = 40;

fn write_siblings(root: &Path) -> usize {
    let mut s = String::from("import json\nimport subprocess\n\nimport boto3\n\nssm = boto3.client('ssm')\nPREFIX = ssm.get_parameter(Name='/service/prefix')['Parameter']['Value']\nTABLES = {}\nfor i in range(50):\n    TABLES['table-%d' % i] = {'name': PREFIX + '-table-%d' % i, 'columns': ['id', 'name', 'owner']}\n");
    for r in 0..100 {
        let _ = writeln!(s, "ROUTE_{r} = {{'path': '/items/{r}', 'table': 'table-{}', 'methods': ['GET', 'PUT']}}", r % 50);
    }
    let mut yml = String::from("service: siblings\nprovider:\n  name: aws\n  runtime: python3.12\n  iamRoleStatements:\n    - Effect: Allow\n      Action: [ssm:GetParameter]\n      Resource: '*'\nfunctions:\n");
    for h in 0..SIBLINGS {
        let _ = write!(
            s,
            "\n\ndef handle_{h}(event, context):\n    item = json.loads(event['body'])\n    table = TABLES['table-{}']\n    subprocess.run('load ' + table['name'] + ' ' + item['id'], shell=True)\n    return {{'statusCode': 200, 'body': json.dumps(ROUTE_{h})}}\n",
            h % 50
        );
        let _ = write!(yml, "  h{h}:\n    handler: service.handle_{h}\n    events:\n      - http: {{path: /h{h}, method: post}}\n");
    }
    std::fs::write(root.join("service.py"), &s).unwrap();
    std::fs::write(root.join("serverless.yml"), yml).unwrap();
    s.lines().count()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_app(dir.path());
    let first = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!(first.findings.len(), 2, "both downstream sinks are reached");
    time_analysis(c, format!("generated app, {lines} lines"), dir.path(), lines);

    let dir = tempfile::tempdir().unwrap();
    let lines = write_pipeline(dir.path());
    let first = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!(first.findings.len(), 1, "the request reaches the last stage's sink: {:?}", first.findings);
    assert!(first.stats.rounds < STAGES, "a round carries the data down the chain: {:?}", first.stats);
    assert!(first.stats.calls_carried > 0, "reruns take the helpers' results: {:?}", first.stats);
    time_analysis(c, format!("pipeline of {STAGES} chained handlers, {lines} lines"), dir.path(), lines);

    let dir = tempfile::tempdir().unwrap();
    let lines = write_siblings(dir.path());
    let first = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!(first.findings.len(), SIBLINGS, "each handler's sink: {:?}", first.findings);
    assert_eq!(first.stats.modules_reused, SIBLINGS - 1, "the module is evaluated once: {:?}", first.stats);
    time_analysis(c, format!("{SIBLINGS} handlers of one module that reads SSM at import, {lines} lines"), dir.path(), lines);
}

/// Times the analysis of the app in `dir`, counted in its lines.
fn time_analysis(c: &mut Criterion, name: String, dir: &Path, lines: usize) {
    let mut group = c.benchmark_group("taint");
    group.throughput(Throughput::Elements(lines as u64));
    group.sample_size(20);
    group.bench_function(name, |b| b.iter(|| analyze(dir, &Options::default()).unwrap()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
