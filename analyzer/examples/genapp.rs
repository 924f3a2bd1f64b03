use std::fmt::Write;
use std::path::Path;
/// One service module: a class, a constant table, a chain of helpers with
/// loops, and a handler that loops over its records and calls the shared
/// dispatcher.
fn service_module(i: usize) -> String {
    let mut s = String::new();
    let _ = write!(s, "import json\nimport os\nimport subprocess\n\nimport boto3\n\nfrom app import shared\n\ntable = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n\n");
    let _ = write!(s, "REGIONS_{i} = {{\n");
    for k in 0..60 {
        let _ = writeln!(s, "    'key-{k}': {{'name': 'region-{k}', 'zone': {k}, 'enabled': {}}},", if k % 2 == 0 { "True" } else { "False" });
    }
    s.push_str("}\n\n");
    let _ = write!(
        s,
        "\nclass Repository{i}:\n    def __init__(self, name):\n        self.name = name\n        self.items = []\n\n    def add(self, item):\n        self.items.append(item)\n        return len(self.items)\n\n    def find(self, key):\n        for item in self.items:\n            if item.get('id') == key:\n                return item\n        return None\n\n    def save(self, item):\n        table.put_item(Item=item)\n        return item\n"
    );
    for d in 0..12 {
        let next = if d + 1 < 12 { format!("step_{i}_{}(acc, depth + 1)", d + 1) } else { "shared.dispatch(acc)".to_string() };
        let _ = write!(
            s,
            "\n\ndef step_{i}_{d}(values, depth):\n    acc = []\n    for v in values:\n        parts = str(v).split(',')\n        for p in parts:\n            cleaned = p.strip().lower()\n            if cleaned in REGIONS_{i}:\n                acc.append(REGIONS_{i}[cleaned]['name'])\n            else:\n                acc.append(cleaned)\n    total = 0\n    while total < len(acc):\n        total += 1\n    return {next}\n"
        );
    }
    let _ = write!(
        s,
        "\n\ndef handle_{i}(event, context):\n    repo = Repository{i}('r{i}')\n    results = []\n    for record in event.get('Records', []):\n        body = json.loads(record['body'])\n        repo.add({{'id': body.get('id'), 'value': body.get('value')}})\n        results.append(step_{i}_0([body.get('value')], 0))\n    item = repo.find('x')\n    if item:\n        repo.save(item)\n    return {{'statusCode': 200, 'body': json.dumps(results)}}\n"
    );
    // Filler with the same shapes, so that a module is about 1,000 lines.
    for f in 0..24 {
        let _ = write!(
            s,
            "\n\ndef format_{i}_{f}(record, options=None):\n    options = options or {{}}\n    lines = []\n    for key, value in sorted(record.items()):\n        if key.startswith('_'):\n            continue\n        text = '%s=%s' % (key, value)\n        if options.get('upper'):\n            text = text.upper()\n        lines.append(text)\n    header = 'record {i}/{f}'\n    return '\\n'.join([header] + lines)\n\n\ndef check_{i}_{f}(value):\n    if not value:\n        return False\n    if len(value) > 64:\n        return False\n    return value.isalnum()\n"
        );
    }
    s
}

/// The dispatcher every handler reaches: nested loops and the sinks.
const SHARED: &str = "import os\nimport subprocess\n\n\ndef normalise(items):\n    out = []\n    for item in items:\n        for part in str(item).split('/'):\n            if part:\n                out.append(part)\n    return out\n\n\ndef dispatch(items):\n    names = normalise(items)\n    for name in names:\n        if name.startswith('job-'):\n            subprocess.run(['echo', name])\n        else:\n            os.system('echo ' + name)\n    return names\n";

/// Writes an app of `services` modules; returns its Python lines.
fn write_app(root: &Path, services: usize) -> usize {
    let mut yml = String::from("service: scaling\nprovider:\n  name: aws\n  runtime: python3.11\n  region: us-east-1\n  environment:\n    TABLE: scaling-table\n  iamRoleStatements:\n    - Effect: Allow\n      Action: ['dynamodb:*']\n      Resource: '*'\nfunctions:\n");
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/__init__.py"), "").unwrap();
    std::fs::write(root.join("app/shared.py"), SHARED).unwrap();
    let mut lines = SHARED.lines().count();
    for i in 0..services {
        let text = service_module(i);
        lines += text.lines().count();
        std::fs::write(root.join(format!("app/service{i}.py")), text).unwrap();
        let _ = write!(yml, "  s{i}:\n    handler: app/service{i}.handle_{i}\n    events:\n      - http:\n          path: s{i}\n          method: post\n");
    }
    std::fs::write(root.join("serverless.yml"), yml).unwrap();
    lines
}


fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args[2].parse().unwrap();
    let root = Path::new(&args[1]);
    let lines = write_app(root, n);
    println!("{lines}");
}
