//! The analyzer's layers (ARCHITECTURE.md, "Layers"): a module may use
//! modules of its own layer or of lower ones, never of a higher one. The
//! imports that still go up are listed in `KNOWN_UPWARD` with the move that
//! removes them; the test fails on any other, and on a listed one that is
//! gone, so that the list only shrinks.

use std::collections::BTreeSet;
use std::path::Path;

#[path = "support/imports.rs"]
mod imports;

use imports::{cycles, imports, modules};

/// Layers, bottom-up, by module path prefix (the longest prefix decides).
const LAYERS: &[(&str, &[&str])] = &[
    ("foundation", &["sym", "catalog", "names", "parallel", "confine", "secrets", "sarif", "rule_doc"]),
    ("inputs", &["infra", "program", "exclude", "redact"]),
    ("vocabulary", &["taint::label", "taint::value", "taint::models", "taint::loops", "cloud::api", "cloud::libraries"]),
    ("engine", &["engine"]),
    ("interpreter", &["taint::interp", "taint::calls", "taint::builtins", "taint::sinks", "taint::signed", "taint::web", "cloud::objects"]),
    ("links", &["cloud::links", "cloud::destinations", "cloud::integrations", "cloud::step_tasks"]),
    ("driver", &["analysis", "carried_calls", "function_records", "module_snapshots", "twins", "web_views", "outcome", "privilege", "risks", "baseline", "suppress", "fingerprint"]),
    ("reports", &["report", "config"]),
];

/// Imports that go up today, each with what removes it.
const KNOWN_UPWARD: &[(&str, &str, &str)] = &[
];

fn layer_of(module: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, prefixes)) in LAYERS.iter().enumerate() {
        for p in *prefixes {
            let covers = module == *p || module.starts_with(&format!("{p}::"));
            if covers && best.is_none_or(|(len, _)| p.len() > len) {
                best = Some((p.len(), i));
            }
        }
    }
    best.map(|(_, i)| i)
}

#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let missing: Vec<String> = modules(&src).into_iter().map(|(m, _)| m).filter(|m| layer_of(m).is_none()).collect();
    assert!(missing.is_empty(), "modules without a layer in tests/layers.rs (and ARCHITECTURE.md): {missing:?}");
}

#[test]
fn no_module_imports_a_higher_layer() {
    let edges = imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(edges.len() > 100, "the import scan found only {} imports: it no longer reads the sources", edges.len());
    let upward: BTreeSet<(String, String)> = edges
        .iter()
        .filter(|(from, to)| matches!((layer_of(from), layer_of(to)), (Some(a), Some(b)) if a < b))
        .cloned()
        .collect();
    let known: BTreeSet<(String, String)> = KNOWN_UPWARD.iter().map(|(a, b, _)| (a.to_string(), b.to_string())).collect();
    let new: Vec<String> = upward
        .difference(&known)
        .map(|(a, b)| format!("{a} ({}) -> {b} ({})", LAYERS[layer_of(a).unwrap()].0, LAYERS[layer_of(b).unwrap()].0))
        .collect();
    assert!(new.is_empty(), "imports from a lower layer into a higher one:\n{}", new.join("\n"));
    let gone: Vec<String> = known.difference(&upward).map(|(a, b)| format!("{a} -> {b}")).collect();
    assert!(gone.is_empty(), "listed in KNOWN_UPWARD but no longer imported (remove them from the list):\n{}", gone.join("\n"));
}

#[test]
fn no_modules_import_each_other() {
    let edges = imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let found = cycles(&edges);
    assert!(found.is_empty(), "modules that import each other, directly or around a cycle (move what they share into one of them or a lower module):\n{}", found.iter().map(|c| c.join(" -> ")).collect::<Vec<_>>().join("\n"));
}

/// Files longer than this hold more than one concept, unless listed in
/// `ONE_CONCEPT` and said so in ARCHITECTURE.md.
const MAX_LINES: usize = 600;

/// Longer files that are one concept, as ARCHITECTURE.md says.
const ONE_CONCEPT: &[&str] = &["analyzer/src/sarif/mod.rs", "analyzer/src/sym.rs", "analyzer/src/infra/resolve/variables.rs"];

#[test]
fn source_files_hold_one_concept() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut long = Vec::new();
    let mut files = 0;
    for krate in ["analyzer", "harness"] {
        for (_, path) in modules(&root.join(krate).join("src")) {
            files += 1;
            let lines = std::fs::read_to_string(&path).expect("readable source file").lines().count();
            let rel = path.strip_prefix(root).expect("inside the workspace").to_string_lossy().replace('\\', "/");
            if lines > MAX_LINES && !ONE_CONCEPT.contains(&rel.as_str()) {
                long.push(format!("{rel}: {lines} lines"));
            }
        }
    }
    assert!(files > 100, "found only {files} source files");
    assert!(long.is_empty(), "files over {MAX_LINES} lines (split them by concept, or list them in ONE_CONCEPT and ARCHITECTURE.md):\n{}", long.join("\n"));
    for listed in ONE_CONCEPT {
        let short = listed.split_once("/src/").map_or(*listed, |(_, p)| p);
        let tail = short.rsplit_once('/').map_or(short, |(dir, file)| if file == "mod.rs" { dir } else { file });
        assert!(architecture.contains(tail), "{listed} is listed as one concept but ARCHITECTURE.md does not mention it");
    }
}
