//! One small application per propagation rule and sink family: an HTTP
//! handler whose request reaches (or, for the negative rules, does not
//! reach) a sink. Each test names the line the finding must sit on.

use std::path::Path;

use analyzer::analysis::{analyze, Options};

const SERVERLESS_YML: &str = "\
service: rules
provider:
  name: aws
  runtime: python3.11
  region: us-east-1
functions:
  main:
    handler: handler.main
    events:
      - http:
          path: run
          method: post
";

/// Findings of a one-file app, as (vulnerability, line).
fn findings_in(files: &[(&str, &str)]) -> Vec<(String, u32)> {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), files);
    let a = analyze(dir.path(), &Options::default()).unwrap();
    a.findings.iter().map(|f| (f.vulnerability.clone(), f.sink.line)).collect()
}

fn write_app(root: &Path, files: &[(&str, &str)]) {
    if !files.iter().any(|(n, _)| n.starts_with("serverless") || n.starts_with("template")) {
        std::fs::write(root.join("serverless.yml"), SERVERLESS_YML).unwrap();
    }
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn handler(src: &str) -> Vec<(String, u32)> {
    findings_in(&[("handler.py", src)])
}

fn ci(line: u32) -> Vec<(String, u32)> {
    vec![("code-injection".to_string(), line)]
}

#[test]
fn assignment_and_augmented_assignment() {
    let src = "import os\ndef main(event, context):\n    cmd = 'ls '\n    cmd += event['body']\n    os.system(cmd)\n";
    assert_eq!(handler(src), ci(5));
}

#[test]
fn tuple_unpacking_keeps_positions() {
    let src = "import os\ndef main(event, context):\n    a, b = 'safe', event['body']\n    os.system(a)\n    os.system(b)\n";
    assert_eq!(handler(src), ci(5));
}

#[test]
fn containers_subscripts_and_get() {
    let src = "import os, json\ndef main(event, context):\n    body = json.loads(event['body'])\n    d = {'k': body.get('cmd'), 'c': 'ls'}\n    items = [d['k']]\n    os.system(d['c'])\n    os.system(items[0])\n";
    assert_eq!(handler(src), ci(7));
}

/// A table read at a computed key, then written, then read again at that
/// key: the second read sees what was written (reads at unknown keys are
/// remembered per table as it was).
#[test]
fn a_table_written_after_a_read_at_a_computed_key_is_read_anew() {
    let src = "import os\nPROGRAMS = {'list': 'ls', 'disk': 'df'}\ndef main(event, context):\n    name = 'list' if len(event['body']) > 3 else 'disk'\n    os.system(PROGRAMS[name])\n    PROGRAMS['custom'] = event['body']\n    os.system(PROGRAMS[name])\n";
    assert_eq!(handler(src), ci(7));
}

#[test]
fn comprehensions_carry_their_elements() {
    let src = "import os\ndef main(event, context):\n    names = [n.strip() for n in event['names']]\n    for n in names:\n        os.system('rm ' + n)\n";
    assert_eq!(handler(src), ci(5));
}

#[test]
fn string_formatting_in_every_style() {
    let src = "import os\ndef main(event, context):\n    x = event['q']\n    os.system(f'a {x}')\n    os.system('a %s' % x)\n    os.system('a {}'.format(x))\n    os.system(' '.join(['a', x]))\n";
    let lines: Vec<u32> = handler(src).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, vec![4, 5, 6, 7]);
}

#[test]
fn json_and_base64_round_trips() {
    let src = "import os, json, base64\ndef main(event, context):\n    raw = base64.b64decode(event['body'])\n    data = json.loads(json.dumps({'v': raw.decode()}))\n    os.system(data['v'])\n";
    assert_eq!(handler(src), ci(5));
}

#[test]
fn file_written_and_read_back_through_a_multi_item_with() {
    let src = "import subprocess\ndef main(event, context):\n    with open('/tmp/a', 'w') as f:\n        f.write(event['body'])\n    with open('/tmp/a') as src, open('/tmp/b', 'w') as dst:\n        dst.write(src.read())\n    with open('/tmp/b') as g:\n        data = g.read()\n    subprocess.check_output(data, shell=True)\n";
    assert_eq!(handler(src), ci(9));
}

#[test]
fn other_files_are_not_tainted() {
    let src = "import os\ndef main(event, context):\n    with open('/tmp/a', 'w') as f:\n        f.write(event['body'])\n    with open('/tmp/other') as g:\n        os.system(g.read())\n";
    assert!(handler(src).is_empty());
}

#[test]
fn loops_and_try_blocks() {
    let src = "import os\ndef main(event, context):\n    acc = ''\n    i = 0\n    while i < 3:\n        acc = acc + event['p']\n        i += 1\n    try:\n        v = acc\n    except Exception:\n        v = ''\n    os.system(v)\n";
    assert_eq!(handler(src), ci(12));
}

#[test]
fn returns_and_arguments_across_modules() {
    let files = [
        ("handler.py", "from lib.util import build, run\ndef main(event, context):\n    run(build(event['body']))\n"),
        ("lib/__init__.py", ""),
        ("lib/util.py", "import os\ndef build(x):\n    return 'echo ' + x\ndef run(cmd):\n    os.system(cmd)\n"),
    ];
    assert_eq!(findings_in(&files), ci(5));
}

#[test]
fn one_callers_taint_does_not_leak_into_anothers_result() {
    let src = "import os\ndef ident(x):\n    return x\ndef main(event, context):\n    a = ident(event['body'])\n    b = ident('ls')\n    os.system(b)\n";
    assert!(handler(src).is_empty());
}

#[test]
fn methods_and_self_fields() {
    let src = "import os\nclass Runner:\n    def __init__(self, prefix):\n        self.prefix = prefix\n    def run(self, arg):\n        os.system(self.prefix + arg)\ndef main(event, context):\n    Runner('ls ').run(event['body'])\n";
    assert_eq!(handler(src), ci(6));
}

#[test]
fn sanitizers_and_constants_stop_taint() {
    let src = "import os, shlex\ndef main(event, context):\n    os.system('ls ' + shlex.quote(event['a']))\n    os.system('sleep %d' % int(event['b']))\n    x = event['c']\n    x = 'pdf'\n    os.system(x)\n";
    assert!(handler(src).is_empty());
}

#[test]
fn dead_code_after_return_is_not_reported() {
    let src = "import os\ndef main(event, context):\n    return {'statusCode': 503}\n    os.system(event['body'])\n";
    assert!(handler(src).is_empty());
}

#[test]
fn subprocess_needs_a_shell_or_a_string() {
    let src = "import subprocess\ndef main(event, context):\n    subprocess.run(['ls', event['a']])\n    subprocess.run(event['b'], shell=True)\n    subprocess.call('ls ' + event['c'])\n";
    let lines: Vec<u32> = handler(src).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, vec![4, 5]);
}

#[test]
fn sql_injection_through_db_api_cursors() {
    let src = "import pymysql, sqlite3\ndef main(event, context):\n    conn = pymysql.connect(host='h')\n    with conn.cursor() as cur:\n        cur.execute(f\"SELECT * FROM t WHERE a = '{event['a']}'\")\n        cur.execute('SELECT * FROM t WHERE a = %s', (event['a'],))\n    sqlite3.connect('x.db').execute('DELETE FROM t WHERE id = ' + event['b'])\n";
    let got = handler(src);
    assert_eq!(got, vec![("sql-injection".to_string(), 5), ("sql-injection".to_string(), 7)]);
}

#[test]
fn deserialization_with_unsafe_loaders_only() {
    let src = "import pickle, yaml\ndef main(event, context):\n    pickle.loads(event['body'])\n    yaml.load(event['body'], Loader=yaml.Loader)\n    yaml.load(event['body'], Loader=yaml.SafeLoader)\n    yaml.safe_load(event['body'])\n";
    let lines: Vec<u32> = handler(src).into_iter().filter(|(v, _)| v == "deserialization").map(|(_, l)| l).collect();
    assert_eq!(lines, vec![3, 4]);
}

#[test]
fn path_traversal_and_ssrf() {
    let src = "import os, requests\ndef main(event, context):\n    p = os.path.join('/tmp', event['name'])\n    open(p).read()\n    requests.get(event['url'])\n    requests.get('https://example.org', params={'q': event['q']})\n";
    let got = handler(src);
    assert_eq!(got, vec![("path-traversal".to_string(), 4), ("ssrf".to_string(), 5)]);
}

#[test]
fn traceback_in_the_response_is_a_leak_and_in_a_log_is_not() {
    let src = "import traceback, logging\ndef main(event, context):\n    try:\n        1 / 0\n    except Exception:\n        logging.error(traceback.format_exc())\n        return {'statusCode': 500, 'body': traceback.format_exc()}\n";
    assert_eq!(handler(src), vec![("traceback-leakage".to_string(), 7)]);
}

#[test]
fn a_model_file_adds_a_sink_without_rust_changes() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), &[("handler.py", "import fabric\ndef main(event, context):\n    fabric.Connection('h').run(event['body'])\n")]);
    assert!(analyze(dir.path(), &Options::default()).unwrap().findings.is_empty());
    let model = dir.path().join("extra.toml");
    std::fs::write(&model, "[[sink]]\nvulnerability = \"code-injection\"\ncallees = [\"fabric.Connection().run\"]\nargs = [0]\n").unwrap();
    let opts = Options { models: vec![model], ..Options::default() };
    let a = analyze(dir.path(), &opts).unwrap();
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].sink.line, 3);
}

#[test]
fn cli_input_counts_only_in_scripts_run_as_main() {
    let files = [
        ("handler.py", "def main(event, context):\n    return 1\n"),
        ("scripts/tool.py", "import sys, os\ndef helper():\n    os.system(sys.argv[1])\nif __name__ == '__main__':\n    helper()\n"),
        ("lib.py", "import sys, os\ndef never():\n    os.system(sys.argv[1])\n"),
    ];
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), &files);
    let a = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].sink.file, "scripts/tool.py");
    assert_eq!(a.findings[0].flows[0].source.kind.name(), "cli");
}

#[test]
fn hostile_input_yields_diagnostics_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("x = {}1\n", "-".repeat(50_000));
    let nested = format!("x = {}1{}\n", "[".repeat(5_000), "]".repeat(5_000));
    let big = "y = 1\n".repeat(2_000_000);
    write_app(
        dir.path(),
        &[
            ("handler.py", "import os\ndef main(event, context):\n    os.system(event['body'])\n"),
            ("deep.py", &deep),
            ("nested.py", &nested),
            ("big.py", &big),
        ],
    );
    std::fs::write(dir.path().join("binary.py"), [0xff, 0xfe, 0x00, 0x12, b'\n', 0x80]).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let a = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!(a.findings.len(), 1, "the handler is still analysed");
    let failed: Vec<&str> = a.parse_failures.iter().map(|f| f.file.as_str()).collect();
    assert!(failed.contains(&"binary.py"), "{failed:?}");
    assert!(failed.contains(&"big.py"), "{failed:?}");
}

/// Four S3-triggered handlers, each writing twice to the bucket that
/// triggers all of them: the paths through the cycle are countless, the
/// analysis must still converge and report the shortest one.
#[test]
fn handlers_triggering_each_other_converge_on_the_shortest_path() {
    let mut yml = String::from(
        "service: cycle\nprovider:\n  name: aws\n  runtime: python3.11\n  iamRoleStatements:\n    - Effect: Allow\n      Action: s3:PutObject\n      Resource: arn:aws:s3:::media/*\nfunctions:\n  entry:\n    handler: entry.main\n    events:\n      - http: POST /upload\n",
    );
    let mut files = vec![(
        "entry.py".to_string(),
        "import boto3\ns3 = boto3.client('s3')\ndef main(event, context):\n    s3.put_object(Bucket='media', Key='in/' + event['body'], Body=b'')\n".to_string(),
    )];
    for i in 0..4 {
        yml.push_str(&format!("  step{i}:\n    handler: step{i}.main\n    events:\n      - s3:\n          bucket: media\n          event: s3:ObjectCreated:*\n"));
        let sink = if i == 3 { "    os.system('probe ' + key)\n" } else { "" };
        files.push((
            format!("step{i}.py"),
            format!("import os\nimport boto3\ns3 = boto3.client('s3')\ndef main(event, context):\n    key = event['Records'][0]['s3']['object']['key']\n    s3.put_object(Bucket='media', Key=key + '.a{i}', Body=b'')\n    s3.copy_object(Bucket='media', Key=key + '.b{i}', CopySource='media/' + key)\n{sink}"),
        ));
    }
    files.push(("serverless.yml".to_string(), yml));
    let dir = tempfile::tempdir().unwrap();
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    write_app(dir.path(), &refs);
    let a = analyze(dir.path(), &Options::default()).unwrap();
    let f = a.findings.iter().find(|f| f.sink.file == "step3.py").expect("the flow into step3's os.system");
    assert_eq!(f.vulnerability, "code-injection");
    assert_eq!(f.flows.len(), 1);
    assert_eq!(f.flows[0].source.site.file, "entry.py");
    assert_eq!(f.flows[0].hops.len(), 1, "{:?}", f.flows[0].hops);
}

#[test]
fn functions_of_other_runtimes_are_not_missing_handlers() {
    let yml = "service: mixed\nprovider:\n  name: aws\n  runtime: python3.11\nfunctions:\n  auth:\n    handler: auth.handler\n    runtime: nodejs18.x\n  main:\n    handler: handler.main\n    events:\n      - http: POST /run\n";
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), &[("serverless.yml", yml), ("handler.py", "import os\ndef main(event, context):\n    os.system(event['body'])\n"), ("auth.js", "exports.handler = async () => ({});\n")]);
    let a = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!((a.stats.handlers, a.stats.handlers_missing.len()), (1, 0));
    assert_eq!(a.stats.other_runtimes.iter().map(|o| o.to_string()).collect::<Vec<_>>(), ["auth (nodejs18.x)"]);
    assert_eq!(a.findings.len(), 1);
}

#[test]
fn container_images_and_javascript_handlers_are_not_python() {
    let yml = "service: mixed\nprovider:\n  name: aws\nfunctions:\n  img:\n    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest\n  js:\n    handler: web.handler\n  py:\n    handler: handler.main\n";
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), &[("serverless.yml", yml), ("handler.py", "def main(event, context):\n    return 1\n"), ("web.js", "exports.handler = async () => ({});\n")]);
    let a = analyze(dir.path(), &Options::default()).unwrap();
    assert_eq!((a.stats.handlers, a.stats.handlers_missing.len()), (1, 0), "{:?}", a.stats.handlers_missing);
    let other: Vec<String> = a.stats.other_runtimes.iter().map(|o| o.to_string()).collect();
    assert_eq!(other, ["img (container image)", "js (Node.js: no runtime given, the handler is web.js)"]);
}

#[test]
fn ssrf_needs_a_host_the_code_does_not_fix() {
    let src = "import requests\ndef main(event, context):\n    requests.get('https://api.example.org/councils/' + event['body'] + '.json')\n    requests.get('https://' + event['body'] + '/x')\n    requests.get('https://api.example.org' + event['body'])\n    requests.get(url=f\"https://api.example.org/{event['body']}\")\n    requests.get(event['body'])\n";
    let lines: Vec<u32> = handler(src).into_iter().filter(|(v, _)| v == "ssrf").map(|(_, l)| l).collect();
    assert_eq!(lines, [4, 5, 7]);
}
