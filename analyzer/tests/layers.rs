//! The analyzer's layers (ARCHITECTURE.md, "Layers"): a module may use
//! modules of its own layer or of lower ones, never of a higher one. The
//! imports that still go up are listed in `KNOWN_UPWARD` with the move that
//! removes them; the test fails on any other, and on a listed one that is
//! gone, so that the list only shrinks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Layers, bottom-up, by module path prefix (the longest prefix decides).
const LAYERS: &[(&str, &[&str])] = &[
    ("foundation", &["sym", "catalog", "names", "confine", "secrets", "sarif", "rule_doc"]),
    ("inputs", &["infra", "program", "exclude", "redact"]),
    ("vocabulary", &["taint::label", "taint::value", "taint::models", "taint::loops", "cloud::api", "cloud::libraries"]),
    ("engine", &["engine"]),
    ("interpreter", &["taint::interp", "taint::calls", "taint::signed", "taint::web", "cloud::objects"]),
    ("links", &["cloud::links", "cloud::destinations", "cloud::integrations", "cloud::step_tasks"]),
    ("driver", &["analysis", "privilege", "risks", "baseline", "suppress", "fingerprint"]),
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

/// Every library module of `analyzer/src` with its file (tests, the
/// binary and folders' `mod.rs` that only declare submodules left out).
fn modules(src: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable source folder") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "bin") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.file_name().is_some_and(|n| n == "lib.rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("inside src").with_extension("");
            let mut parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
                let text = std::fs::read_to_string(&path).expect("readable source file");
                let only_declarations = text.lines().map(str::trim).all(|l| l.is_empty() || l.starts_with("//") || l.starts_with("pub mod ") || l.starts_with("mod "));
                if only_declarations {
                    continue;
                }
            }
            out.push((parts.join("::"), path));
        }
    }
    out
}

/// The paths a file names under `crate::` or `super::`, with `use`
/// groups (`crate::taint::{label::Site, value::Value}`) expanded. Test
/// modules are cut off: tests may reach anywhere.
fn named_paths(module: &str, text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let parent: Vec<&str> = module.split("::").collect();
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let (base, skip) = if rest.starts_with("crate::") && (i == 0 || !is_ident(bytes[i - 1])) {
            (Vec::new(), "crate::".len())
        } else if rest.starts_with("super::") && (i == 0 || !is_ident(bytes[i - 1])) {
            (parent[..parent.len().saturating_sub(1)].iter().map(|s| s.to_string()).collect(), "super::".len())
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let (paths, used) = expand(&code[i + skip..]);
        for p in paths {
            let mut full = base.clone();
            full.extend(p);
            out.push(full.join("::"));
        }
        i += skip + used.max(1);
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads `a::b::{c, d::e}` from the start of `s`: the paths it names and
/// how many bytes it took.
fn expand(s: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut i = 0;
    let b = s.as_bytes();
    loop {
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        if i > start {
            prefix.push(s[start..i].to_string());
        }
        let group = if s[i..].starts_with("::{") {
            Some(3)
        } else if prefix.is_empty() && s[i..].starts_with('{') {
            Some(1)
        } else {
            None
        };
        if let Some(open) = group {
            i += open;
            let mut all = Vec::new();
            loop {
                while i < b.len() && (b[i] == b' ' || b[i] == b'\n' || b[i] == b',') {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'}' {
                    i += 1;
                    break;
                }
                let (inner, used) = expand(&s[i..]);
                for p in inner {
                    let mut full = prefix.clone();
                    full.extend(p);
                    all.push(full);
                }
                i += used.max(1);
                while i < b.len() && b[i] != b',' && b[i] != b'}' {
                    i += 1;
                }
            }
            return (all, i);
        }
        if s[i..].starts_with("::") {
            i += 2;
            continue;
        }
        return (vec![prefix], i);
    }
}

/// The module a path lands in: its longest prefix that is a module.
fn module_of(path: &str, known: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len()).rev().map(|n| parts[..n].join("::")).find(|m| known.contains(m))
}

fn imports() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    let mut edges = BTreeSet::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("readable source file");
        for path in named_paths(module, &text) {
            if let Some(target) = module_of(&path, &known) {
                if &target != module {
                    edges.insert((module.clone(), target));
                }
            }
        }
    }
    edges
}

#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let missing: Vec<String> = modules(&src).into_iter().map(|(m, _)| m).filter(|m| layer_of(m).is_none()).collect();
    assert!(missing.is_empty(), "modules without a layer in tests/layers.rs (and ARCHITECTURE.md): {missing:?}");
}

#[test]
fn no_module_imports_a_higher_layer() {
    let edges = imports();
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
fn use_groups_are_expanded() {
    let got = named_paths("taint::interp", "use crate::taint::{label::Site, value::{Key, Value}};\nuse super::models::X;\nuse crate::{sym::SymStr, analysis::Ctx};\nlet x = crate::sym::SymStr::lit(\"a\");");
    assert_eq!(got, ["taint::label::Site", "taint::value::Key", "taint::value::Value", "taint::models::X", "sym::SymStr", "analysis::Ctx", "sym::SymStr::lit"]);
}
