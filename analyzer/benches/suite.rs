//! The analyzer on each category of the bundled suite (microbenchmarks/):
//! one iteration analyses every case of the category.

use analyzer::analysis::{analyze, Options};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::{Path, PathBuf};

// The allocator the analyzer binary ships with, so that the figures are
// the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cases(category: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(category)
        .map(|r| r.flatten().map(|e| e.path()).filter(|p| p.join("expected.toml").is_file()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn bench(c: &mut Criterion) {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks");
    let mut group = c.benchmark_group("suite");
    group.sample_size(10);
    for category in ["intra-procedural", "inter-procedural", "application"] {
        let dirs = cases(&suite.join(category));
        if dirs.is_empty() {
            continue;
        }
        group.throughput(Throughput::Elements(dirs.len() as u64));
        group.bench_function(format!("{category} ({} cases)", dirs.len()), |b| {
            b.iter(|| dirs.iter().map(|d| analyze(d, &Options::default()).unwrap().findings.len()).sum::<usize>())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
