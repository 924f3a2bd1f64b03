//! Artifact URIs as other tools write them (`file://` URIs, absolute paths,
//! `uriBaseId`-relative paths, backslashes, `./`), made paths relative to
//! the analysed folder where possible: what scoring compares.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::{ArtifactLocation, Location, Log};

impl Log {
    /// Rewrites every artifact URI to a `/`-separated path relative to
    /// `root` (the analysed folder) where possible; see [`normalize_uri`].
    pub fn normalize_uris(&mut self, root: &Path) {
        for run in &mut self.runs {
            let bases = run.original_uri_base_ids.clone().unwrap_or_default();
            let mut fix = |loc: &mut Location| {
                if let Some(al) = loc.physical_location.as_mut().and_then(|p| p.artifact_location.as_mut()) {
                    if let Some(uri) = al.uri.as_deref() {
                        al.uri = Some(normalize_uri(uri, al.uri_base_id.as_deref(), &bases, root));
                        al.uri_base_id = None;
                    }
                }
            };
            for result in &mut run.results {
                result.locations.iter_mut().for_each(&mut fix);
                for cf in &mut result.code_flows {
                    for tf in &mut cf.thread_flows {
                        tf.locations.iter_mut().filter_map(|l| l.location.as_mut()).for_each(&mut fix);
                    }
                }
            }
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Strips a `file:` scheme (`file:///abs`, `file://host/abs`, `file:/abs`,
/// `file:rel`) and percent-decoding; other strings are returned as they are.
fn strip_file_scheme(uri: &str) -> String {
    let rest = if let Some(r) = uri.strip_prefix("file://") {
        // `file:///abs` -> `/abs`; `file://localhost/abs` -> `/abs`
        match r.find('/') {
            Some(0) => r.to_string(),
            Some(i) => r[i..].to_string(),
            None => r.to_string(),
        }
    } else if let Some(r) = uri.strip_prefix("file:") {
        r.to_string()
    } else {
        uri.to_string()
    };
    let mut p = percent_decode(&rest);
    // `/C:/x` (Windows drive in a file URI) -> `C:/x`
    if p.len() > 3 && p.as_bytes()[0] == b'/' && p.as_bytes()[2] == b':' && p.as_bytes()[1].is_ascii_alphabetic() {
        p.remove(0);
    }
    p
}

/// Whether two paths relative to one folder name the same file.
pub fn same_file(a: &str, b: &str) -> bool {
    clean_path(a) == clean_path(b)
}

/// Lexically cleans a `/`-separated path: drops `.` parts, resolves `..`
/// against earlier parts, turns backslashes into `/`.
pub fn clean_path(p: &str) -> String {
    let p = p.replace('\\', "/");
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(l) if *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

fn lexical_absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    }
}

fn path_str(p: &Path) -> String {
    clean_path(&p.to_string_lossy())
}

/// Normalises one artifact URI to a `/`-separated path relative to `root`
/// (the analysed folder) where possible:
///
/// * a `uriBaseId` is resolved through `originalUriBaseIds` when the run
///   defines it; an undefined base (`%SRCROOT%`, `SRCROOT`, `PROJECTROOT`)
///   is taken to be the analysed folder;
/// * `file:` URIs are turned into paths and percent-decoded; backslashes
///   become `/`; `.` parts are dropped;
/// * an absolute path under `root` (compared as given and canonicalised) and
///   a relative path that starts with `root` as given are made relative to it;
/// * otherwise, a path that contains the root folder's name as a component
///   keeps what follows its last occurrence (tools run from another folder);
/// * anything else is returned cleaned but otherwise unchanged.
pub fn normalize_uri(
    uri: &str,
    uri_base_id: Option<&str>,
    bases: &BTreeMap<String, ArtifactLocation>,
    root: &Path,
) -> String {
    let mut path = strip_file_scheme(uri);
    if let Some(base_id) = uri_base_id {
        if !(path.starts_with('/') || uri.starts_with("file:")) {
            if let Some(base) = resolve_base(base_id, bases, 0) {
                path = format!("{}/{}", base.trim_end_matches('/'), path);
            }
        }
    }
    let path = clean_path(&path);

    let mut roots = vec![path_str(root), path_str(&lexical_absolute(root))];
    if let Ok(c) = root.canonicalize() {
        roots.push(path_str(&c));
    }
    for r in roots.iter().filter(|r| !r.is_empty() && r.as_str() != "/") {
        if let Some(rest) = path.strip_prefix(r.as_str()) {
            if let Some(rest) = rest.strip_prefix('/') {
                return rest.to_string();
            }
        }
    }
    if path.starts_with('/') {
        // absolute but not under root as given: try canonicalising it
        if let Ok(c) = Path::new(&path).canonicalize() {
            let cs = path_str(&c);
            for r in &roots {
                if let Some(rest) = cs.strip_prefix(r.as_str()).and_then(|x| x.strip_prefix('/')) {
                    return rest.to_string();
                }
            }
        }
    }
    if let Some(name) = root.components().rev().find_map(|c| match c {
        Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
        _ => None,
    }) {
        let parts: Vec<&str> = path.split('/').collect();
        if let Some(i) = parts.iter().rposition(|p| *p == name) {
            if i + 1 < parts.len() {
                return parts[i + 1..].join("/");
            }
        }
    }
    path
}

/// Resolves a `uriBaseId` to a path; `None` when it resolves to the analysed folder.
fn resolve_base(id: &str, bases: &BTreeMap<String, ArtifactLocation>, depth: u32) -> Option<String> {
    let base = bases.get(id)?;
    let uri = strip_file_scheme(base.uri.as_deref()?);
    match (&base.uri_base_id, depth < 8) {
        (Some(parent), true) if !uri.starts_with('/') => match resolve_base(parent, bases, depth + 1) {
            Some(p) => Some(format!("{}/{}", p.trim_end_matches('/'), uri)),
            None => Some(uri),
        },
        _ => Some(uri),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sarif::tests::root;

    #[test]
    fn normalises_uris() {
        let none = BTreeMap::new();
        let n = |u: &str| normalize_uri(u, None, &none, root());
        assert_eq!(n("handlers/a.py"), "handlers/a.py");
        assert_eq!(n("./handlers/a.py"), "handlers/a.py");
        assert_eq!(n("handlers\\a.py"), "handlers/a.py");
        assert_eq!(n("file:///suite/inter-procedural/case-a/handlers/a.py"), "handlers/a.py");
        assert_eq!(n("/suite/inter-procedural/case-a/handlers/a.py"), "handlers/a.py");
        assert_eq!(n("file:///elsewhere/case-a/handlers/my%20file.py"), "handlers/my file.py");
        assert_eq!(n("microbenchmarks/inter-procedural/case-a/handlers/a.py"), "handlers/a.py");
        assert_eq!(n("/other/place/x.py"), "/other/place/x.py");
        assert_eq!(normalize_uri("handlers/a.py", None, &none, Path::new("case-a")), "handlers/a.py");
        assert_eq!(normalize_uri("case-a/handlers/a.py", None, &none, Path::new("./case-a")), "handlers/a.py");
    }

    #[test]
    fn resolves_uri_base_ids() {
        let mut bases = BTreeMap::new();
        bases.insert(
            "SRCROOT".to_string(),
            ArtifactLocation { uri: Some("file:///suite/inter-procedural/case-a/".into()), ..Default::default() },
        );
        assert_eq!(normalize_uri("handlers/a.py", Some("SRCROOT"), &bases, root()), "handlers/a.py");
        // an undefined base id is the analysed folder
        assert_eq!(normalize_uri("handlers/a.py", Some("%SRCROOT%"), &BTreeMap::new(), root()), "handlers/a.py");
    }

    #[test]
    fn clean_path_resolves_dots() {
        assert_eq!(clean_path("a/./b/../c.py"), "a/c.py");
        assert_eq!(clean_path("../x.py"), "../x.py");
        assert_eq!(clean_path("/a/../../b"), "/b");
    }
}
