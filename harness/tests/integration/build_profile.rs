//! The README's two commands share one build: `cargo build --release` (the
//! main job) and `cargo test --release` (every test) must resolve the same
//! features for every crate both build, or the test command rebuilds polars
//! and everything under it. A new dev-dependency that turns a feature on in
//! such a crate fails here, naming the crate and feature to add to the
//! "Feature unification" block of harness/Cargo.toml.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

fn features(edges: &str) -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&root)
        .env("CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS", "fallback")
        .args(["tree", "--offline", "--workspace", "--target", "all", "--prefix", "none", "-e", edges, "-f", "{p}|{f}"])
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "cargo tree: {}", String::from_utf8_lossy(&out.stderr));
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let line = line.replace(" (*)", "");
        if let Some((package, feats)) = line.split_once('|') {
            map.entry(package.to_string()).or_default().extend(feats.split(',').filter(|f| !f.is_empty()).map(str::to_string));
        }
    }
    map
}

#[test]
fn build_and_test_resolve_the_same_features() {
    let build = features("normal,build");
    let test = features("normal,build,dev");
    let differ: Vec<String> = build
        .iter()
        .filter_map(|(package, feats)| {
            let extra: Vec<&String> = test.get(package)?.difference(feats).collect();
            (!extra.is_empty()).then(|| format!("{package}: {extra:?}"))
        })
        .collect();
    assert!(differ.is_empty(), "the tests turn on features the build does not; add them under \"Feature unification\" in harness/Cargo.toml:\n{}", differ.join("\n"));
}
