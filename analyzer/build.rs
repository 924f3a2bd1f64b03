//! Builds the list of cloud API model files into the binary: every
//! `models/aws/*.toml`, so that adding a service is adding a file.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read when the script runs, not when it was compiled: a target
    // directory shared by two checkouts keeps one compiled build script.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("models/aws");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("analyzer/models/aws")
        .map(|e| e.expect("analyzer/models/aws entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().and_then(|n| n.to_str()).expect("UTF-8 model file name");
        writeln!(out, "    (\"aws/{name}\", include_str!({:?})),", f.display().to_string()).unwrap();
    }
    out.push(']');
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("aws_models.rs");
    std::fs::write(target, out).expect("write aws_models.rs");
}
