//! Which variables a loop body reads before it writes them: the only ones
//! whose values at the loop head decide what an iteration does.
//!
//! The interpreter runs a loop body until the environment at its head stops
//! changing. Most bodies change variables they overwrite before reading
//! (`for item in items: row = parse(item); rows.append(row)` changes `item`
//! and `row`), so the round that confirms the fixpoint repeats the first
//! one; in nested loops that doubling compounds with depth. When no
//! variable of this set changed, the next round would read exactly what
//! this one read, so the environment is already the fixpoint.
//!
//! Function bodies do not close over the caller's locals in this
//! interpreter (free names resolve in the module), so the names a body's
//! own statements load are all it can read. The set over-approximates:
//! assignments count as writes only in the body's straight-line statements,
//! and anything inside a compound statement counts as a read.

use std::collections::HashSet;

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};

/// Names the body may read before writing them, with `target` (the loop
/// variable, written before each round) counted as written; `None` when the
/// body may read its variables by other means (`locals()`, `eval`...).
pub fn exposed_reads(body: &[Stmt], target: Option<&Expr>) -> Option<HashSet<String>> {
    let mut written = HashSet::new();
    let mut reads = Reads { names: HashSet::new(), dynamic: false };
    if let Some(t) = target {
        target_reads(t, &mut reads);
        bound_names(t, &mut written);
    }
    for stmt in body {
        let mut here = Reads { names: HashSet::new(), dynamic: false };
        let mut newly_written = HashSet::new();
        match stmt {
            Stmt::Assign(a) => {
                here.visit_expr(&a.value);
                for t in &a.targets {
                    target_reads(t, &mut here);
                    bound_names(t, &mut newly_written);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    here.visit_expr(v);
                    target_reads(&a.target, &mut here);
                    bound_names(&a.target, &mut newly_written);
                }
            }
            other => here.visit_stmt(other),
        }
        reads.dynamic |= here.dynamic;
        reads.names.extend(here.names.into_iter().filter(|n| !written.contains(n)));
        written.extend(newly_written);
    }
    (!reads.dynamic).then_some(reads.names)
}

struct Reads {
    names: HashSet<String>,
    dynamic: bool,
}

impl<'a> Visitor<'a> for Reads {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::AugAssign(a) = stmt {
            let mut names = HashSet::new();
            bound_names(&a.target, &mut names);
            self.names.extend(names);
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(n) if n.ctx == ExprContext::Load => {
                if matches!(n.id.as_str(), "locals" | "vars" | "eval" | "exec" | "dir") {
                    self.dynamic = true;
                }
                self.names.insert(n.id.to_string());
            }
            _ => walk_expr(self, expr),
        }
    }
}

/// What assigning to `target` reads: the objects of attribute and
/// subscript targets, and their index expressions.
fn target_reads(target: &Expr, reads: &mut Reads) {
    match target {
        Expr::Name(_) => {}
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            for e in elts {
                target_reads(e, reads);
            }
        }
        Expr::Starred(s) => target_reads(&s.value, reads),
        other => reads.visit_expr(other),
    }
}

/// The variables assigning to `target` binds.
fn bound_names(target: &Expr, out: &mut HashSet<String>) {
    match target {
        Expr::Name(n) => {
            out.insert(n.id.to_string());
        }
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            for e in elts {
                bound_names(e, out);
            }
        }
        Expr::Starred(s) => bound_names(&s.value, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_of(src: &str) -> Option<Vec<String>> {
        let module = ruff_python_parser::parse_module(src).unwrap().into_syntax();
        let Stmt::For(f) = &module.body[0] else { panic!("a for loop") };
        exposed_reads(&f.body, Some(&f.target)).map(|s| {
            let mut v: Vec<String> = s.into_iter().collect();
            v.sort();
            v
        })
    }

    #[test]
    fn variables_written_first_are_not_read() {
        let got = reads_of("for item in items:\n    row = parse(item)\n    rows.append(row)\n").unwrap();
        assert_eq!(got, ["parse", "rows"]);
    }

    #[test]
    fn loop_carried_variables_are_read() {
        assert_eq!(reads_of("for x in xs:\n    total = total + x\n").unwrap(), ["total"]);
        assert_eq!(reads_of("for x in xs:\n    total += x\n").unwrap(), ["total"]);
        assert_eq!(reads_of("for k, v in d.items():\n    out[k] = v\n").unwrap(), ["out"]);
    }

    #[test]
    fn compound_statements_read_everything_they_load() {
        let got = reads_of("for x in xs:\n    if ok:\n        y = x\n    use(y)\n").unwrap();
        assert_eq!(got, ["ok", "use", "y"]);
    }

    #[test]
    fn dynamic_access_reads_everything() {
        assert_eq!(reads_of("for x in xs:\n    print(locals())\n"), None);
    }
}
