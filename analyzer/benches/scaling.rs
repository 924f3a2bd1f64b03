//! How analysis time and memory grow with application size: generated apps
//! of about 1k, 10k, 100k and 1M lines with the shapes real apps have and
//! the taint stage once found slow (issue 16): many handlers sharing one
//! dispatcher, deep call chains with loops in each frame, classes with
//! methods, big constant dict literals, loops over event records, helper
//! modules imported by every handler.
//!
//! Each size is analysed once, then timed once more with its peak resident
//! set (Linux `VmHWM`, reset between sizes), then measured by Criterion;
//! the timed runs are printed as the curve and written to
//! `results/performance/scaling.{csv,md}`. Growth should stay linear within
//! a factor of 2 (seconds per line at 1M over seconds per line at 1k).
//! `SCALING_MAX_LINES` caps the sizes (e.g. 100000 for a quick run).

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

use analyzer::analysis::{analyze, Options};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

// The allocator the analyzer binary ships with, so that the figures are
// the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

fn sizes() -> Vec<usize> {
    let max: usize = std::env::var("SCALING_MAX_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    [1, 10, 100, 1000].into_iter().filter(|s| s * 1000 <= max).collect()
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    let mut curve = Vec::new();
    for services in sizes() {
        let dir = tempfile::tempdir().unwrap();
        let lines = write_app(dir.path(), services);
        let first = analyze(dir.path(), &Options::default()).unwrap();
        assert_eq!(first.findings.len(), 1, "the dispatcher's os.system is reached from every handler");
        assert_eq!(first.stats.handlers, services);
        // Timed after a first run, so that the smallest app, whose time
        // per line the others are compared with, does not also pay for
        // reading the models and warming the allocator.
        reset_peak();
        let t = Instant::now();
        analyze(dir.path(), &Options::default()).unwrap();
        let seconds = t.elapsed().as_secs_f64();
        curve.push((lines, seconds, peak_mb()));
        group.throughput(Throughput::Elements(lines as u64));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{lines} lines")), &dir, |b, dir| {
            b.iter(|| analyze(dir.path(), &Options::default()).unwrap())
        });
    }
    group.finish();
    report(&curve);
}

/// Prints the curve and writes it under results/performance/.
fn report(curve: &[(usize, f64, f64)]) {
    let Some(&(base_lines, base_s, _)) = curve.first() else { return };
    let base = base_s / base_lines as f64;
    let mut csv = String::from("lines,seconds,lines_per_second,peak_rss_mb,time_per_line_vs_smallest\n");
    let mut md = String::from("| lines | seconds | lines/s | peak RSS (MB) | time per line vs smallest |\n|---:|---:|---:|---:|---:|\n");
    for &(lines, s, mb) in curve {
        let ratio = (s / lines as f64) / base;
        let _ = writeln!(csv, "{lines},{s:.4},{:.0},{mb:.1},{ratio:.2}", lines as f64 / s);
        let _ = writeln!(md, "| {lines} | {s:.3} | {:.0} | {mb:.1} | {ratio:.2} |", lines as f64 / s);
    }
    println!("\nscaling curve (one timed run per size, release build):\n{md}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../results/performance");
    if std::fs::create_dir_all(&out).is_ok() {
        let _ = std::fs::write(out.join("scaling.csv"), csv);
        let _ = std::fs::write(
            out.join("scaling.md"),
            format!("# Scaling of the analysis (generated apps)\n\nWritten by `cargo bench -p analyzer --bench scaling` (release build, {cores} core(s): an app with many files has them parsed and loaded on every core, the rest runs on one); the shapes are described in `analyzer/benches/scaling.rs`.\n\n{md}", cores = std::thread::available_parallelism().map_or(1, |n| n.get())),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
