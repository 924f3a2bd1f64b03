//! No two modules of the harness import each other, directly or around a
//! cycle (issue 13). The import graph is read the same way as the
//! analyzer's layer test reads it.

#[path = "../../../analyzer/tests/support/imports.rs"]
mod imports;

use std::path::Path;

#[test]
fn no_harness_modules_import_each_other() {
    let edges = imports::imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(edges.len() > 50, "the import scan found only {} imports: it no longer reads the sources", edges.len());
    let found = imports::cycles(&edges);
    assert!(found.is_empty(), "harness modules that import each other:\n{}", found.iter().map(|c| c.join(" -> ")).collect::<Vec<_>>().join("\n"));
}
