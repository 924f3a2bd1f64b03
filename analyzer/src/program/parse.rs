//! Reading and parsing one Python file, with line numbers for findings.

use std::path::{Path, PathBuf};

use ruff_python_ast::ModModule;
use ruff_text_size::TextSize;
use serde::Serialize;

use super::MAX_FILE_BYTES;

/// A Python file that could not be analysed, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseFailure {
    pub file: String,
    pub line: u32,
    pub reason: String,
}

/// One parsed Python file.
pub struct PyFile {
    /// Path relative to the application folder, with `/`.
    pub rel: String,
    /// Dotted module name (`handlers.httphandler`, `pkg` for `pkg/__init__.py`).
    pub module: String,
    pub is_package_init: bool,
    pub ast: ModModule,
    pub lines: LineIndex,
    /// Whether the file has an `if __name__ == "__main__":` block, which
    /// makes it a script whose command line is attacker input.
    pub has_main_guard: bool,
    /// Installed by a third-party package ([`super::vendored`]): followed
    /// when called, never a script of its own.
    pub vendored: bool,
    /// `# serverless-flows: ignore[...]` comments of the file.
    pub suppressions: Vec<super::suppressions::Suppression>,
    /// Written in Python 2, and read as rewritten by [`super::python2`].
    pub python2: bool,
}

/// Maps byte offsets to 1-based line numbers.
pub struct LineIndex {
    starts: Vec<u32>,
    /// Lines before the text in the file that holds it (code written inside
    /// a deployment file starts at that file's line `first + 1`).
    first: u32,
}

impl LineIndex {
    pub fn new(source: &str) -> LineIndex {
        let mut starts = vec![0];
        for (i, b) in source.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
            }
        }
        LineIndex { starts, first: 0 }
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }

    pub fn line(&self, offset: TextSize) -> u32 {
        let off = u32::from(offset);
        self.first
            + match self.starts.binary_search(&off) {
                Ok(i) => i as u32 + 1,
                Err(i) => i as u32,
            }
    }
}

pub fn module_name(rel: &str) -> (String, bool) {
    let without_ext = rel.strip_suffix(".py").unwrap_or(rel);
    let mut parts: Vec<&str> = without_ext.split('/').collect();
    let is_init = parts.last() == Some(&"__init__");
    if is_init {
        parts.pop();
    }
    (parts.join("."), is_init)
}

pub fn parse_file(path: &Path, rel: &str) -> Result<PyFile, ParseFailure> {
    let fail = |line: u32, reason: String| ParseFailure { file: rel.to_string(), line, reason };
    let meta = std::fs::metadata(path).map_err(|e| fail(0, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(0, format!("file larger than {MAX_FILE_BYTES} bytes")));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(0, format!("cannot read: {e}")))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
        fail(line as u32, "not UTF-8 text".to_string())
    })?;
    parse_unguarded(&source, rel)
}

/// Parses Python written inside a deployment file (`rel`), starting at its
/// line `first_line`, as the module `module`.
pub fn parse_embedded(source: &str, rel: &str, module: &str, first_line: u32) -> Result<PyFile, ParseFailure> {
    let mut file = parse_source(source, rel).map_err(|mut f| {
        f.line += first_line.saturating_sub(1);
        f
    })?;
    file.module = module.to_string();
    file.is_package_init = false;
    file.lines.first = first_line.saturating_sub(1);
    for s in &mut file.suppressions {
        s.line += file.lines.first;
    }
    Ok(file)
}

/// Parses the files found (in order, with the failures met while finding
/// them) on every core, and gives the results in the same order.
pub fn parse_files(found: Vec<Result<(PathBuf, String), ParseFailure>>) -> Vec<Result<PyFile, ParseFailure>> {
    let parsed = crate::parallel::map_ordered(&found, crate::parallel::DEEP_STACK, |item| match item {
        Ok((path, rel)) => parse_file(path, rel),
        Err(failure) => Err(failure.clone()),
    });
    parsed
        .into_iter()
        .zip(&found)
        .map(|(r, item)| {
            r.unwrap_or_else(|| {
                let file = item.as_ref().map_or_else(|f| f.file.clone(), |(_, rel)| rel.clone());
                Err(ParseFailure { file, line: 0, reason: "the parser thread failed".into() })
            })
        })
        .collect()
}

/// Parses one file's text on a thread with a large stack.
pub fn parse_source(source: &str, rel: &str) -> Result<PyFile, ParseFailure> {
    guard_stack(|| parse_unguarded(source, rel)).unwrap_or_else(|| {
        Err(ParseFailure { file: rel.to_string(), line: 0, reason: "nesting too deep to parse".to_string() })
    })
}

/// Parses on the current thread: callers make sure its stack is large
/// (see `guard_stack`).
fn parse_unguarded(source: &str, rel: &str) -> Result<PyFile, ParseFailure> {
    let (parsed, text, python2) = match ruff_python_parser::parse_module(source) {
        Ok(p) => (p, std::borrow::Cow::Borrowed(source), false),
        Err(e) => {
            // Python 2 is read as the Python 3 it means, when it then parses;
            // otherwise the error is the file's own.
            let as_python3 = super::python2::rewrite(source).and_then(|text| Some((ruff_python_parser::parse_module(&text).ok()?, text)));
            match as_python3 {
                Some((p, text)) => (p, std::borrow::Cow::Owned(text), true),
                None => {
                    let line = LineIndex::new(source).line(e.location.start());
                    let hint = if looks_like_python2(source) { " (Python 2 syntax?)" } else { "" };
                    return Err(ParseFailure { file: rel.to_string(), line, reason: format!("syntax error: {}{hint}", e.error) });
                }
            }
        }
    };
    let lines = LineIndex::new(&text);
    let (module, is_package_init) = module_name(rel);
    let ast = parsed.into_syntax();
    let has_main_guard = ast.body.iter().any(is_main_guard);
    let suppressions = if text.contains(super::suppressions::MARKER) { super::suppressions::parse(rel, &text) } else { Vec::new() };
    Ok(PyFile { rel: rel.to_string(), module, is_package_init, ast, lines, has_main_guard, vendored: false, suppressions, python2 })
}

/// Runs the recursive-descent parser on a thread with a large stack, so that
/// deeply nested hostile input ends in an error instead of a stack overflow.
pub fn guard_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(crate::parallel::DEEP_STACK)
            .spawn_scoped(s, f)
            .ok()?
            .join()
            .ok()
    })
}

fn looks_like_python2(source: &str) -> bool {
    source.lines().any(|l| {
        let t = l.trim_start();
        (t.starts_with("print ") && !t.starts_with("print (")) || t.starts_with("exec ") || t.contains("except Exception, ")
    })
}

pub fn is_main_guard(stmt: &ruff_python_ast::Stmt) -> bool {
    match stmt {
        ruff_python_ast::Stmt::If(i) => is_main_guard_stmt(i),
        _ => false,
    }
}

/// `if __name__ == "__main__":`
pub fn is_main_guard_stmt(i: &ruff_python_ast::StmtIf) -> bool {
    use ruff_python_ast::Expr;
    let Expr::Compare(c) = i.test.as_ref() else { return false };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    c.comparators.len() == 1
        && ((is_name(&c.left) && is_main(&c.comparators[0])) || (is_main(&c.left) && is_name(&c.comparators[0])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_follow_python_packages() {
        assert_eq!(module_name("handlers/httphandler.py"), ("handlers.httphandler".into(), false));
        assert_eq!(module_name("pkg/__init__.py"), ("pkg".into(), true));
    }

    #[test]
    fn syntax_errors_are_reported_with_their_line() {
        let err = parse_source("x = 1\nprint 'hello'\nif:\n", "a.py").err().unwrap();
        assert_eq!(err.line, 2);
        assert!(err.reason.contains("Python 2"), "{}", err.reason);
    }

    #[test]
    fn python_2_files_are_read_with_their_own_line_numbers() {
        let file = parse_source("import os\ndef handle(event, context):\n    print 'got', event\n    os.system(event['cmd'])\n", "a.py").unwrap();
        assert!(file.python2);
        let ruff_python_ast::Stmt::FunctionDef(f) = &file.ast.body[1] else { panic!("a function") };
        assert_eq!(file.lines.line(ruff_text_size::Ranged::start(&f.body[1])), 4);
        assert!(!parse_source("print('x')\n", "b.py").unwrap().python2);
    }

    #[test]
    fn deep_nesting_parses_or_fails_without_overflowing_the_stack() {
        let src = format!("x = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
        if let Err(e) = parse_source(&src, "deep.py") {
            assert_eq!(e.file, "deep.py");
        }
        let unclosed = format!("x = {}1\n", "[".repeat(100_000));
        let e = parse_source(&unclosed, "open.py").err().expect("unclosed brackets are a syntax error");
        assert!(e.line >= 1, "{e:?}");
    }

    #[test]
    fn main_guard_is_found() {
        let f = parse_source("import sys\nif __name__ == '__main__':\n    print(sys.argv)\n", "s.py").ok().unwrap();
        assert!(f.has_main_guard);
        assert_eq!(f.lines.line(TextSize::from(11)), 2);
    }
}
