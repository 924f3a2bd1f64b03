//! Branches: `if`/`elif`/`else` joined, tests that are constant or that
//! guard a value (allow-lists, validation flags) refining what each branch
//! sees, and promises that a flag's branch keeps.

use super::*;

/// A test on a boolean flag: `ok` (true where the test holds) or `not ok`
/// (true where it fails).
fn flag_test(test: &Expr) -> Option<(&str, bool)> {
    match test {
        Expr::Name(n) => Some((n.id.as_str(), true)),
        Expr::UnaryOp(u) if u.op == ast::UnaryOp::Not => match &*u.operand {
            Expr::Name(n) => Some((n.id.as_str(), false)),
            _ => None,
        },
        _ => None,
    }
}

/// The truth of a test whose value is a constant (`True`, `False`,
/// `None`) that no input shaped.
fn constant_truth(v: &Value) -> Option<bool> {
    if !v.taint.is_empty() {
        return None;
    }
    match (&v.kind, v.str.as_ref().and_then(|s| s.as_lit())) {
        (Kind::None, _) => Some(false),
        (Kind::Bool, Some("True")) => Some(true),
        (Kind::Bool, Some("False")) => Some(false),
        _ => None,
    }
}

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    pub(super) fn exec_if(&mut self, s: &'p ast::StmtIf) {
        if crate::program::is_main_guard_stmt(s) {
            let is_main = self.entry.main_file == Some(self.file()) && self.frame().func.is_none();
            if is_main {
                self.exec_block(&s.body);
            } else {
                for clause in &s.elif_else_clauses {
                    if clause.test.is_none() {
                        self.exec_block(&clause.body);
                    }
                }
            }
            return;
        }
        let test = self.eval(&s.test);
        // A test on a constant (`if secure:` in a call with `secure=False`,
        // a flag's default) runs one branch only: a helper that reads a
        // parameter with or without decryption returns a secret only to
        // the caller that asked for one.
        match constant_truth(&test) {
            Some(true) => return self.exec_block(&s.body),
            Some(false) => return self.exec_clauses(&s.elif_else_clauses, None),
            None => {}
        }
        let guard = self.guard(&s.test);
        let flag = flag_test(&s.test);
        let before = self.frame().env.clone();
        self.refine(guard.as_ref(), true);
        self.keep_promises(flag, true);
        self.exec_block(&s.body);
        let out = self.frame().env.take();
        // Every other branch runs where the first test failed.
        self.frame().env = before;
        self.refine(guard.as_ref(), false);
        self.keep_promises(flag, false);
        self.exec_clauses(&s.elif_else_clauses, out);
        if s.elif_else_clauses.is_empty() {
            self.promise_flags(guard.as_ref(), &s.body);
        }
    }

    /// The `elif`/`else` clauses of an `if` whose first test failed, their
    /// environments joined with `taken` (what the branches before left).
    pub(super) fn exec_clauses(&mut self, clauses: &'p [ast::ElifElseClause], taken: Option<Env>) {
        let mut out = taken;
        let before = self.frame().env.take();
        let mut has_else = false;
        for clause in clauses {
            self.frame().env = before.clone();
            if let Some(test) = &clause.test {
                self.eval(test);
            } else {
                has_else = true;
            }
            self.exec_block(&clause.body);
            out = join_env(out, self.frame().env.take());
        }
        if !has_else {
            out = join_env(out, before);
        }
        self.frame().env = out;
    }

    /// `if x not in ALLOWED: ok = False`: wherever `ok` is true afterwards,
    /// the body did not run, so `x` is allowed. The flag's value carries
    /// that refinement until a test on it ([`Interp::keep_promises`]).
    pub(super) fn promise_flags(&mut self, guard: Option<&(&'p Expr, Value, bool)>, body: &'p [Stmt]) {
        let Some((var, value, false)) = guard else { return };
        let mut flags = Vec::new();
        for stmt in body {
            match stmt {
                Stmt::Assign(a) => match (&a.targets[..], &*a.value) {
                    ([Expr::Name(n)], Expr::BooleanLiteral(b)) if !b.value => flags.push(n.id.as_str()),
                    _ => return,
                },
                Stmt::Expr(_) | Stmt::Pass(_) => {}
                _ => return,
            }
        }
        if flags.is_empty() || self.frame().env.is_none() {
            return;
        }
        let promise = self.promises.len();
        self.promises.push((*var, value.clone()));
        self.effect();
        for flag in flags {
            let mut v = self.lookup(flag);
            v.set(Key::attr(&format!("__promise_{promise}")), Value::default());
            self.bind(flag, v);
        }
    }

    /// On the branch where a flag is true, the refinements it carries hold.
    pub(super) fn keep_promises(&mut self, flag: Option<(&'p str, bool)>, branch: bool) {
        let Some((name, true_on)) = flag else { return };
        if true_on != branch || self.frame().env.is_none() {
            return;
        }
        let held: Vec<usize> = self.lookup(name).fields.keys().filter_map(|k| match k {
            Key::Attr(a) => a.strip_prefix("__promise_").and_then(|n| n.parse().ok()),
            _ => None,
        }).collect();
        for i in held {
            if let Some((var, value)) = self.promises.get(i).cloned() {
                self.assign(var, value);
            }
        }
    }

    /// An allow-list test on a variable: `x in ALLOWED`, `x not in
    /// ALLOWED`, `x == "lit"`, `x != "lit"`, where the right side carries no
    /// taint and is not a string (`in` on a string is a substring test).
    /// Returns the variable, the value it has where the test holds, and
    /// whether that is the test's true branch.
    pub(super) fn guard(&mut self, test: &'p Expr) -> Option<(&'p Expr, Value, bool)> {
        let Expr::Compare(c) = test else { return None };
        let ([op], [right]) = (&c.ops[..], &c.comparators[..]) else { return None };
        let left = &*c.left;
        let (var, other) = match (left, right) {
            (Expr::Name(_) | Expr::Attribute(_), _) => (left, right),
            (_, Expr::Name(_) | Expr::Attribute(_)) if matches!(op, ast::CmpOp::Eq | ast::CmpOp::NotEq) => (right, left),
            _ => return None,
        };
        // The test was evaluated already: only side-effect-free operands are
        // evaluated again.
        let plain = matches!(
            other,
            Expr::Name(_) | Expr::Attribute(_) | Expr::List(_) | Expr::Tuple(_) | Expr::Set(_) | Expr::Dict(_) | Expr::StringLiteral(_) | Expr::NumberLiteral(_)
        );
        if !plain {
            return None;
        }
        let allowed = self.eval(other);
        if allowed.is_tainted() {
            return None;
        }
        match op {
            ast::CmpOp::In | ast::CmpOp::NotIn => {
                if matches!(allowed.kind, Kind::Str | Kind::Bytes | Kind::Unknown | Kind::None) {
                    return None;
                }
                Some((var, allowed.element(), *op == ast::CmpOp::In))
            }
            ast::CmpOp::Eq | ast::CmpOp::NotEq if allowed.str.as_ref().is_some_and(|s| s.is_known()) => {
                Some((var, allowed, *op == ast::CmpOp::Eq))
            }
            _ => None,
        }
    }

    /// On the branch where an allow-list test holds, the variable is one of
    /// the allowed values.
    pub(super) fn refine(&mut self, guard: Option<&(&'p Expr, Value, bool)>, branch: bool) {
        if let Some((var, value, holds_on)) = guard {
            if *holds_on == branch && self.frame().env.is_some() {
                self.assign(var, value.clone());
            }
        }
    }
}
