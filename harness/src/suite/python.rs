//! The little Python knowledge the harness needs, from ruff's parser: does a
//! file parse, which functions does it define, and which function holds a line.

use ruff_python_ast::visitor::{walk_stmt, Visitor};
use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;

/// A function (or method) definition: its name and its 1-based line span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDef {
    pub name: String,
    pub start_line: u32,
    pub end_line: u32,
}

/// A parsed Python file.
#[derive(Debug, Clone, Default)]
pub struct PyFile {
    pub functions: Vec<FunctionDef>,
}

struct Collector<'s> {
    line_starts: &'s [usize],
    out: Vec<FunctionDef>,
}

impl<'s> Collector<'s> {
    fn line_of(&self, offset: usize) -> u32 {
        (self.line_starts.partition_point(|&s| s <= offset)) as u32
    }
}

impl<'a> Visitor<'a> for Collector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(f) = stmt {
            let r = f.range();
            let end = usize::from(r.end()).saturating_sub(1).max(usize::from(r.start()));
            self.out.push(FunctionDef {
                name: f.name.id.to_string(),
                start_line: self.line_of(usize::from(r.start())),
                end_line: self.line_of(end),
            });
        }
        walk_stmt(self, stmt);
    }
}

/// Parses Python source; the error is the first syntax error with its line.
pub fn parse(source: &str) -> Result<PyFile, String> {
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| {
        let off = usize::from(e.location.start());
        let line = line_starts.partition_point(|&s| s <= off);
        format!("line {line}: {}", e.error)
    })?;
    let mut c = Collector { line_starts: &line_starts, out: Vec::new() };
    for stmt in &parsed.syntax().body {
        c.visit_stmt(stmt);
    }
    Ok(PyFile { functions: c.out })
}

impl PyFile {
    /// Whether `name` is defined (at any depth), `<module>` always is.
    pub fn defines(&self, name: &str) -> bool {
        name == "<module>" || self.functions.iter().any(|f| f.name == name)
    }

    /// The innermost function whose definition spans `line`, or `<module>`.
    pub fn function_at(&self, line: u32) -> String {
        self.functions
            .iter()
            .filter(|f| f.start_line <= line && line <= f.end_line)
            .min_by_key(|f| f.end_line - f.start_line)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| "<module>".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_and_lines() {
        let src = "import os\n\ndef outer(event, context):\n    x = 1\n    def inner():\n        return x\n    return inner()\n\nclass C:\n    async def m(self):\n        pass\n";
        let f = parse(src).unwrap();
        assert!(f.defines("outer") && f.defines("inner") && f.defines("m") && f.defines("<module>"));
        assert!(!f.defines("C"));
        assert_eq!(f.function_at(1), "<module>");
        assert_eq!(f.function_at(4), "outer");
        assert_eq!(f.function_at(6), "inner");
        assert_eq!(f.function_at(7), "outer");
        assert_eq!(f.function_at(11), "m");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse("x = 1\ndef f(:\n").unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
    }
}
