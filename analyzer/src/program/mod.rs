//! The Python side of an application: every `.py` file parsed once, with an
//! index of modules, functions and classes that the taint interpreter walks.
//!
//! Files that cannot be read or parsed are recorded, never fatal: a Python 2
//! helper in a corner of a repository must not hide the handlers next to it.

pub mod clients;
pub mod handler;
mod index;
mod parse;
mod python2;
pub mod suppressions;
pub mod vendored;

pub use index::{ClassId, ClassInfo, FuncId, FuncInfo, Index};
pub use parse::{is_main_guard_stmt, parse_embedded, parse_source, LineIndex, ParseFailure, PyFile};

use std::collections::HashMap;
use std::path::Path;

use crate::exclude::Exclude;

/// All Python files of an application, parsed.
pub struct Program {
    pub files: Vec<PyFile>,
    pub failures: Vec<ParseFailure>,
    /// Third-party packages installed into the tree; their files are
    /// marked [`PyFile::vendored`].
    pub vendored: Vec<vendored::VendoredPackage>,
    by_module: HashMap<String, usize>,
    /// Module names by their last dotted part: the candidates of the
    /// suffix search in [`Program::resolve_module`], which runs for every
    /// import of a library too and must not scan thousands of modules.
    by_last: HashMap<String, Vec<String>>,
    by_path: HashMap<String, usize>,
}

/// Limits that keep hostile input from exhausting the machine.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
const MAX_FILES: usize = 20_000;

impl Program {
    /// Parses every `.py` file under `root` that `exclude` keeps, skipping
    /// dependency and build folders that are not application code.
    pub fn load(root: &Path, exclude: &Exclude) -> Program {
        // One large-stack thread for all files: deeply nested hostile code
        // must not overflow the caller's stack.
        parse::guard_stack(|| Program::load_here(root, exclude)).unwrap_or_else(|| {
            let failure = ParseFailure { file: String::new(), line: 0, reason: "the parser thread failed".into() };
            Program::from_files(Vec::new(), vec![failure])
        })
    }

    fn load_here(root: &Path, exclude: &Exclude) -> Program {
        // Walk first, in order; parse the files found on every core; keep
        // files and failures in walk order.
        let mut found: Vec<Result<(std::path::PathBuf, String), ParseFailure>> = Vec::new();
        let mut packages = Vec::new();
        let mut count = 0;
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !(is_skipped_dir(e) || exclude.excludes(&rel_string(e.path().strip_prefix(root).unwrap_or(e.path())))));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    found.push(Err(ParseFailure {
                        file: err
                            .path()
                            .and_then(|p| p.strip_prefix(root).ok())
                            .map(rel_string)
                            .unwrap_or_default(),
                        line: 0,
                        reason: format!("cannot walk: {err}"),
                    }));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                let rel = rel_string(entry.path().strip_prefix(root).unwrap_or(entry.path()));
                packages.extend(vendored::read_metadata(entry.path(), &rel));
                continue;
            }
            if !entry.file_type().is_file()
                || entry.path().extension().and_then(|e| e.to_str()) != Some("py")
            {
                continue;
            }
            if count >= MAX_FILES {
                found.push(Err(ParseFailure {
                    file: rel_string(entry.path().strip_prefix(root).unwrap_or(entry.path())),
                    line: 0,
                    reason: format!("more than {MAX_FILES} Python files; the rest are skipped"),
                }));
                break;
            }
            count += 1;
            let rel = rel_string(entry.path().strip_prefix(root).unwrap_or(entry.path()));
            found.push(Ok((entry.path().to_path_buf(), rel)));
        }
        let (mut files, mut failures) = (Vec::new(), Vec::new());
        for parsed in parse::parse_files(found) {
            match parsed {
                Ok(file) => files.push(file),
                Err(failure) => failures.push(failure),
            }
        }
        for f in &mut files {
            if let Some(p) = packages.iter_mut().find(|p| p.owns(&f.rel)) {
                f.vendored = true;
                p.files += 1;
            }
        }
        packages.retain(|p| p.files > 0);
        let mut program = Program::from_files(files, failures);
        program.vendored = packages;
        program
    }

    /// Adds code written inside a deployment file for one function; the
    /// handler of that function is looked up there ([`Program::embedded`]).
    pub fn add_embedded(&mut self, deployment_file: &str, function: &str, text: &str, first_line: u32) {
        let module = format!("{deployment_file}#{function}");
        match parse_embedded(text, deployment_file, &module, first_line) {
            Ok(file) => {
                if self.by_module.insert(module.clone(), self.files.len()).is_none() {
                    self.by_last.entry(last_part(&module).to_string()).or_default().push(module);
                }
                self.files.push(file);
            }
            Err(failure) => self.failures.push(failure),
        }
    }

    /// The code a function of `deployment_file` carries inline, if any.
    pub fn embedded(&self, deployment_file: &str, function: &str) -> Option<usize> {
        self.by_module.get(&format!("{deployment_file}#{function}")).copied()
    }

    /// Builds a program from already parsed files (tests, benchmarks).
    pub fn from_files(files: Vec<PyFile>, failures: Vec<ParseFailure>) -> Program {
        let mut by_module = HashMap::new();
        let mut by_last: HashMap<String, Vec<String>> = HashMap::new();
        let mut by_path = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(v) = by_module.entry(f.module.clone()) {
                v.insert(i);
                by_last.entry(last_part(&f.module).to_string()).or_default().push(f.module.clone());
            }
            by_path.insert(f.rel.clone(), i);
        }
        Program { files, failures, vendored: Vec::new(), by_module, by_last, by_path }
    }

    pub fn file_by_path(&self, rel: &str) -> Option<usize> {
        self.by_path.get(rel.trim_start_matches("./")).copied()
    }

    /// Resolves a dotted module name as Python would with the application
    /// folder on `sys.path`, also trying the folders Lambda adds for the
    /// importing file (its own folder, a `src/` layout).
    pub fn resolve_module(&self, name: &str, from_file: Option<usize>) -> Option<usize> {
        if let Some(&i) = self.by_module.get(name) {
            return Some(i);
        }
        // Every other module it may name ends with its last part: a
        // library import (most of them) is answered without building any.
        let candidates = self.by_last.get(last_part(name))?;
        if let Some(from) = from_file {
            // Lambda puts the handler's folder on sys.path when the code is
            // packaged from there (CodeUri, `package` folders, flat layouts).
            let mut dir = self.files[from].module.clone();
            while let Some(cut) = dir.rfind('.') {
                dir.truncate(cut);
                if let Some(&i) = self.by_module.get(&format!("{dir}.{name}")) {
                    return Some(i);
                }
            }
        }
        let suffix = format!(".{name}");
        let mut found = candidates.iter().filter(|m| m.ends_with(&suffix));
        match (found.next(), found.next()) {
            (Some(m), None) => self.by_module.get(m).copied(),
            _ => None,
        }
    }

    /// Resolves `from .x import y` relative to a file.
    pub fn resolve_relative(&self, from_file: usize, level: u32, module: Option<&str>) -> Option<usize> {
        let file = &self.files[from_file];
        let mut package: Vec<&str> = file.module.split('.').collect();
        if !file.is_package_init {
            package.pop();
        }
        for _ in 1..level {
            package.pop();
        }
        let mut name = package.join(".");
        if let Some(m) = module {
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(m);
        }
        self.by_module.get(&name).copied()
    }
}

fn last_part(module: &str) -> &str {
    module.rsplit('.').next().unwrap_or(module)
}

fn is_skipped_dir(e: &walkdir::DirEntry) -> bool {
    if !e.file_type().is_dir() {
        return false;
    }
    let name = e.file_name().to_string_lossy();
    name.starts_with('.')
        || matches!(
            name.as_ref(),
            "node_modules" | "__pycache__" | "venv" | "env" | "site-packages" | "dist-packages"
        )
}

pub fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
