//! The import graph of a crate, read from its sources: which module names
//! which under `crate::` or `super::`. Shared by the analyzer's layer test
//! and the harness's cycle test (included with `#[path]`).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every library module of a crate's `src` with its file (tests, the
/// binary and folders' `mod.rs` that only declare submodules left out).
pub fn modules(src: &Path) -> Vec<(String, PathBuf)> {
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
pub fn named_paths(module: &str, text: &str) -> Vec<String> {
    // Comments may name a module without using it (doc links).
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or(text);
    let code: String = before_tests.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let code = code.as_str();
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

/// Which module imports which, over every module of a crate's `src`.
pub fn imports(src: &Path) -> BTreeSet<(String, String)> {
    let modules = modules(src);
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

/// The groups of modules that import each other, directly or around a
/// cycle (strongly connected components of more than one module): each as
/// one cycle through its first module, that module repeated at the end,
/// then the group's other modules, if any, in parentheses.
pub fn cycles(edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(m) = stack.pop() {
            for n in next.get(m).into_iter().flatten() {
                if seen.insert(n.to_string()) {
                    stack.push(n);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<String>> = next.keys().map(|m| (*m, reach(m))).collect();
    let mut out = Vec::new();
    let mut placed = BTreeSet::new();
    for m in next.keys() {
        if placed.contains(*m) || !reachable[m].contains(*m) {
            continue;
        }
        let group: Vec<String> = reachable[m].iter().filter(|o| reachable[o.as_str()].contains(*m)).cloned().collect();
        placed.extend(group.iter().cloned());
        let mut cycle = path_around(&next, &group);
        let off_path: Vec<&String> = group.iter().filter(|g| !cycle.contains(g)).collect();
        if !off_path.is_empty() {
            cycle.push(format!("(and {})", off_path.iter().map(|g| g.as_str()).collect::<Vec<_>>().join(", ")));
        }
        out.push(cycle);
    }
    out
}

/// One cycle through the first module of a group, for the message.
fn path_around(next: &BTreeMap<&str, Vec<&str>>, group: &[String]) -> Vec<String> {
    let start = group[0].as_str();
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(m) = queue.pop_front() {
        for n in next.get(m).into_iter().flatten() {
            if *n == start {
                let mut path = vec![start.to_string()];
                let mut at = m;
                while at != start {
                    path.push(at.to_string());
                    at = came_from[at];
                }
                path.push(start.to_string());
                let last = path.len() - 1;
                path[1..last].reverse();
                return path;
            }
            if group.iter().any(|g| g == n) && !came_from.contains_key(n) {
                came_from.insert(n, m);
                queue.push_back(n);
            }
        }
    }
    group.to_vec()
}

#[test]
fn use_groups_are_expanded() {
    let got = named_paths("taint::interp", "use crate::taint::{label::Site, value::{Key, Value}};\nuse super::models::X;\nuse crate::{sym::SymStr, analysis::Ctx};\nlet x = crate::sym::SymStr::lit(\"a\");");
    assert_eq!(got, ["taint::label::Site", "taint::value::Key", "taint::value::Value", "taint::models::X", "sym::SymStr", "analysis::Ctx", "sym::SymStr::lit"]);
}

#[test]
fn cycles_are_found_with_a_path_around_them() {
    let edges: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")].iter().map(|(x, y)| (x.to_string(), y.to_string())).collect();
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c", "a"]]);
    let two_loops: BTreeSet<(String, String)> = [("a", "b"), ("b", "a"), ("a", "c"), ("c", "a")].iter().map(|(x, y)| (x.to_string(), y.to_string())).collect();
    assert_eq!(cycles(&two_loops), vec![vec!["a", "b", "a", "(and c)"]]);
    let acyclic: BTreeSet<(String, String)> = [("a", "b"), ("a", "c"), ("b", "c")].iter().map(|(x, y)| (x.to_string(), y.to_string())).collect();
    assert!(cycles(&acyclic).is_empty());
}
