//! The abstract interpreter: walks Python statements and expressions with
//! abstract values, following calls into the application's own functions
//! (context-sensitively: each call is analysed with its actual arguments,
//! memoised), and recording sinks reached, cloud API calls made and values
//! returned.
//!
//! Statements are interpreted in order with an environment per path;
//! branches are joined, loops run until their environment stops growing
//! (bounded), and code after `return`/`raise` is unreachable, so dead code
//! never reports.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use crate::engine::{Ctx, FnRef, World};
use crate::program::{ClassId, FuncId};
use crate::sym::SymStr;

use super::label::{Site, Source, SourceKind, Taint, SECRET_CLASS};
use super::value::{Env, Key, Kind, Value};

/// Limits that keep the analysis finite on any input.
const MAX_CALL_DEPTH: usize = 24;
const MAX_EXPR_DEPTH: usize = 200;
const LOOP_ROUNDS: usize = 3;
/// Runs of a recursive function before its result is taken as it stands.
const MAX_RECURSION_ROUNDS: usize = 3;

/// What recursive calls are answered with (`Interp::call_function`).
struct Recursion {
    seeds: HashMap<FuncId, Value>,
    called_itself: HashSet<FuncId>,
    lowest_used: usize,
}

impl Default for Recursion {
    fn default() -> Self {
        Recursion { seeds: HashMap::new(), called_itself: HashSet::new(), lowest_used: usize::MAX }
    }
}

/// What is running: a Lambda handler (with its function's environment and
/// permissions) or a script run as `__main__`.
#[derive(Clone, Debug)]
pub struct Entry {
    pub function: Option<FnRef>,
    pub main_file: Option<usize>,
    /// A web framework's view run for its routes: the source site and
    /// routes that its request reads are labelled with (see `web.rs`).
    pub route: Option<(Site, String)>,
    /// What the entry function returns is sent as an HTTP response: a
    /// secret in it is exposed at the `return`.
    pub responds_http: bool,
    /// The labels of the HTTP request the entry function receives.
    pub request: Taint,
}

pub(crate) struct Frame {
    pub file: usize,
    pub func: Option<FuncId>,
    pub env: Option<Env>,
    pub ret: Option<Value>,
    pub globals: Rc<RefCell<Env>>,
    pub global_names: HashSet<String>,
    /// Environments at `break`/`continue`, joined into the loop's exit.
    loop_exits: Vec<Env>,
    /// The join of the environments at the statements of each enclosing
    /// `try` body: what its handlers may start from.
    try_snapshots: Vec<Option<Env>>,
}

pub(crate) struct Interp<'c, 'a, 'p> {
    pub ctx: &'c Ctx<'a, 'p>,
    pub world: &'c mut World,
    pub entry: Entry,
    modules: HashMap<usize, Rc<RefCell<Env>>>,
    modules_in_progress: HashSet<usize>,
    pub(crate) class_values: HashMap<ClassId, Value>,
    /// Results of application calls, by a hash of callee and inputs; each
    /// entry keeps its inputs, so that a hash collision is never a hit.
    memo: FxHashMap<u64, Vec<Memo>>,
    stack: Vec<FuncId>,
    /// Recursion: what a function on the stack is taken to return when it
    /// calls itself, and the lowest stack position such a call answered
    /// from this since the running call began (`call_function`).
    recursion: Recursion,
    pub(crate) frames: Vec<Frame>,
    /// Local files written during this run: path -> taint of their content.
    pub(crate) files: Vec<(SymStr, Taint)>,
    expr_depth: usize,
    /// Refinements a boolean flag carries (`ok = False` under a failed
    /// allow-list test): variable and its value where the flag is true.
    promises: Vec<(&'p Expr, Value)>,
    /// Library classes an application class derives from (`flask.Flask`
    /// for `class App(Flask)`), as evaluated where the class is defined.
    pub(crate) library_bases: HashMap<ClassId, Vec<String>>,
    /// Signed-request platforms whose signature header this run read
    /// (`taint/signed.rs`).
    pub(crate) signature_headers: BTreeSet<usize>,
}

/// One memoised call: callee, arguments, receiver, and what it returned
/// (with the receiver as it was afterwards).
type Memo = (FuncId, Args, Option<Value>, (Value, Option<Value>));

/// Positional and keyword arguments of a call, already evaluated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Args {
    pub pos: Vec<Value>,
    pub kw: Vec<(String, Value)>,
    /// Taint of `*args`/`**kwargs` whose parts are not known.
    pub spread: Option<Value>,
}

impl Args {
    pub fn kw(&self, name: &str) -> Option<&Value> {
        self.kw.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub fn get(&self, index: usize, name: &str) -> Option<&Value> {
        self.kw(name).or_else(|| self.pos.get(index))
    }

    pub fn all_taint(&self) -> Taint {
        let mut t = Taint::new();
        for v in self.pos.iter().chain(self.kw.iter().map(|(_, v)| v)).chain(self.spread.iter()) {
            t.extend(v.deep_taint());
        }
        t
    }
}

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

/// Loops over more elements than this run as one joined round.
const MAX_UNROLLED: usize = 32;

/// The elements of a literal list, tuple or set of constants (or of tuples
/// of constants), short enough to run a loop once per element.
fn literal_elements(e: &Expr) -> Option<&[Expr]> {
    fn constant(e: &Expr) -> bool {
        match e {
            Expr::StringLiteral(_) | Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => true,
            Expr::Tuple(t) => t.elts.iter().all(constant),
            _ => false,
        }
    }
    let elts = match e {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        Expr::Set(s) => &s.elts,
        _ => return None,
    };
    (!elts.is_empty() && elts.len() <= MAX_UNROLLED && elts.iter().all(constant)).then_some(elts.as_slice())
}

/// `sys.exit(...)`, `exit(...)`, `quit(...)`, `os._exit(...)`: the path
/// ends there, like a `raise`.
fn is_exit_call(e: &Expr) -> bool {
    let Expr::Call(call) = e else { return false };
    match &*call.func {
        Expr::Name(n) => matches!(n.id.as_str(), "exit" | "quit"),
        Expr::Attribute(a) => {
            matches!((&*a.value, a.attr.as_str()), (Expr::Name(m), "exit") if m.id.as_str() == "sys")
                || matches!((&*a.value, a.attr.as_str()), (Expr::Name(m), "_exit") if m.id.as_str() == "os")
        }
        _ => false,
    }
}

/// Names Python resolves without an import (`builtins`, and Python 2's
/// for old code), sorted.
const PYTHON_BUILTINS: &[&str] = &[
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BufferError", "BytesWarning", "ConnectionError",
    "DeprecationWarning", "EOFError", "Ellipsis", "EnvironmentError", "Exception", "False", "FileExistsError",
    "FileNotFoundError", "FloatingPointError", "GeneratorExit", "IOError", "ImportError", "IndentationError", "IndexError",
    "InterruptedError", "IsADirectoryError", "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError",
    "ModuleNotFoundError", "NameError", "None", "NotADirectoryError", "NotImplemented", "NotImplementedError", "OSError",
    "OverflowError", "PermissionError", "RecursionError", "ReferenceError", "RuntimeError", "RuntimeWarning",
    "StopAsyncIteration", "StopIteration", "SyntaxError", "SystemError", "SystemExit", "TabError", "TimeoutError", "True",
    "TypeError", "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UserWarning",
    "ValueError", "Warning", "ZeroDivisionError", "__build_class__", "__debug__", "__doc__", "__file__", "__import__",
    "__name__", "__package__", "__spec__", "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint",
    "bytearray", "bytes", "callable", "chr", "classmethod", "compile", "complex", "copyright", "credits", "delattr",
    "dict", "dir", "divmod", "enumerate", "eval", "exec", "execfile", "exit", "file", "filter", "float", "format",
    "frozenset", "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int", "isinstance",
    "issubclass", "iter", "len", "license", "list", "locals", "long", "map", "max", "memoryview", "min", "next",
    "object", "oct", "open", "ord", "pow", "print", "property", "quit", "range", "raw_input", "reduce", "repr",
    "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type",
    "unicode", "vars", "xrange", "zip",
];

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    pub fn new(ctx: &'c Ctx<'a, 'p>, world: &'c mut World, entry: Entry) -> Self {
        Interp {
            ctx,
            world,
            entry,
            modules: HashMap::new(),
            modules_in_progress: HashSet::new(),
            class_values: HashMap::new(),
            memo: FxHashMap::default(),
            stack: Vec::new(),
            recursion: Recursion::default(),
            frames: Vec::new(),
            files: Vec::new(),
            expr_depth: 0,
            promises: Vec::new(),
            library_bases: HashMap::new(),
            signature_headers: BTreeSet::new(),
        }
    }

    pub fn forget_calls(&mut self) {
        self.memo.clear();
    }

    // ----- sites and frames -------------------------------------------------

    pub fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a frame is always active")
    }

    pub fn file(&self) -> usize {
        self.frames.last().map(|f| f.file).unwrap_or(0)
    }

    pub fn function_fqn(&self) -> String {
        let f = self.frames.last().expect("frame");
        match f.func {
            Some(id) => self.ctx.index.fqn(id),
            None => format!("{}.<module>", self.ctx.program.files[f.file].module),
        }
    }

    pub fn site(&self, node: &impl Ranged) -> Site {
        let file = self.file();
        let pf = &self.ctx.program.files[file];
        Site { file: pf.rel.clone(), line: pf.lines.line(node.range().start()), function: self.function_fqn() }
    }

    pub fn in_main(&self) -> bool {
        self.entry.main_file.is_some()
    }

    pub fn source_label(&mut self, kind: SourceKind, site: Site, what: &str) -> Taint {
        self.label(Source::input(kind, site, what))
    }

    pub fn label(&mut self, source: Source) -> Taint {
        std::iter::once(self.world.labels.source(source)).collect()
    }

    // ----- modules ---------------------------------------------------------

    /// The global environment of a module, evaluated on first use.
    pub fn module_env(&mut self, file: usize) -> Rc<RefCell<Env>> {
        if let Some(env) = self.modules.get(&file) {
            return env.clone();
        }
        // Modules imported by scripts do not depend on which script runs
        // them (no function environment, not `__main__`): evaluate them
        // once for all scripts.
        let shared = self.entry.function.is_none() && self.entry.main_file != Some(file);
        if shared {
            if let Some(env) = self.world.shared_modules.get(&file) {
                self.modules.insert(file, env.clone());
                return env.clone();
            }
        }
        let env = Rc::new(RefCell::new(Env::default()));
        self.modules.insert(file, env.clone());
        if shared {
            self.world.shared_modules.insert(file, env.clone());
        }
        if !self.modules_in_progress.insert(file) {
            return env;
        }
        let program = self.ctx.program;
        let body = &program.files[file].ast.body;
        self.frames.push(Frame::new(file, None, env.clone()));
        self.frame().env = Some(Env::default());
        self.exec_block(body);
        let frame = self.frames.pop().expect("module frame");
        if let Some(locals) = frame.env {
            env.borrow_mut().extend(locals);
        }
        self.modules_in_progress.remove(&file);
        env
    }

    // ----- names -----------------------------------------------------------

    pub fn lookup(&mut self, name: &str) -> Value {
        let frame = self.frames.last().expect("frame");
        if !frame.global_names.contains(name) {
            if let Some(v) = frame.env.as_ref().and_then(|e| e.get(name)) {
                return v.clone();
            }
        }
        if let Some(v) = frame.globals.borrow().get(name) {
            return v.clone();
        }
        // A name the module never binds is a builtin or nothing: `zipfile`
        // without `import zipfile` is no library, and no sink either.
        if PYTHON_BUILTINS.binary_search(&name).is_ok() {
            Value::qual(name)
        } else {
            Value::default()
        }
    }

    pub fn bind(&mut self, name: &str, value: Value) {
        let frame = self.frame();
        if frame.global_names.contains(name) {
            frame.globals.borrow_mut().insert(Rc::from(name), value);
            return;
        }
        if frame.func.is_none() {
            // Module-level code binds straight into the module, so that
            // functions called later in the same module body see the name.
            frame.globals.borrow_mut().insert(Rc::from(name), value.clone());
        }
        if let Some(env) = frame.env.as_mut() {
            env.insert(Rc::from(name), value);
        }
    }

    // ----- statements ------------------------------------------------------

    pub fn exec_block(&mut self, body: &'p [Stmt]) {
        for stmt in body {
            if self.frame().env.is_none() {
                return;
            }
            self.exec(stmt);
            let frame = self.frame();
            if let (Some(env), Some(acc)) = (frame.env.as_ref(), frame.try_snapshots.last_mut()) {
                *acc = join_env(acc.take(), Some(env.clone()));
            }
        }
    }

    fn exec(&mut self, stmt: &'p Stmt) {
        match stmt {
            Stmt::Expr(s) => {
                self.eval(&s.value);
                if is_exit_call(&s.value) {
                    self.frame().env = None;
                }
            }
            Stmt::Assign(s) => {
                let v = self.eval(&s.value);
                for t in &s.targets {
                    self.assign(t, v.clone());
                }
            }
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    let v = self.eval(value);
                    self.assign(&s.target, v);
                }
            }
            Stmt::AugAssign(s) => {
                let cur = self.eval(&s.target);
                let rhs = self.eval(&s.value);
                let v = self.binop(&cur, s.op, &rhs);
                self.assign(&s.target, v);
            }
            Stmt::Return(s) => {
                let v = s.value.as_ref().map(|e| self.eval(e)).unwrap_or_else(|| Value::of_kind(Kind::None));
                if self.entry.responds_http && self.stack.len() == 1 {
                    let site = self.site(s);
                    self.world.add_findings(SECRET_CLASS, "HTTP response", &site, &v.deep_taint());
                }
                let frame = self.frame();
                frame.ret = Some(match frame.ret.take() {
                    Some(r) => r.join(&v),
                    None => v,
                });
                frame.env = None;
            }
            Stmt::Raise(s) => {
                if let Some(e) = &s.exc {
                    self.eval(e);
                }
                self.frame().env = None;
            }
            Stmt::Break(_) | Stmt::Continue(_) => {
                let frame = self.frame();
                if let Some(env) = frame.env.take() {
                    frame.loop_exits.push(env);
                }
            }
            Stmt::If(s) => self.exec_if(s),
            Stmt::For(s) => match literal_elements(&s.iter) {
                Some(elements) => self.exec_unrolled(&s.target, elements, &s.body, &s.orelse),
                None => {
                    let iter = self.eval(&s.iter);
                    let elem = self.iterate(&iter, &s.iter);
                    self.exec_loop(Some((&s.target, elem)), &s.body, &s.orelse);
                }
            },
            Stmt::While(s) => {
                self.eval(&s.test);
                self.exec_loop(None, &s.body, &s.orelse);
            }
            Stmt::With(s) => {
                for item in &s.items {
                    let v = self.eval(&item.context_expr);
                    let entered = self.enter(&v);
                    if let Some(target) = &item.optional_vars {
                        self.assign(target, entered);
                    }
                }
                self.exec_block(&s.body);
            }
            Stmt::Try(s) => self.exec_try(s),
            Stmt::Match(s) => {
                self.eval(&s.subject);
                let before = self.frame().env.clone();
                let mut out: Option<Env> = None;
                for case in &s.cases {
                    self.frame().env = before.clone();
                    self.exec_block(&case.body);
                    out = join_env(out, self.frame().env.take());
                }
                self.frame().env = join_env(out, before);
            }
            Stmt::FunctionDef(def) => {
                if let Some(id) = self.ctx.index.func_of(def) {
                    self.bind(def.name.as_str(), Value::of_kind(Kind::Func(id)));
                }
                if !def.decorator_list.is_empty() {
                    self.register_routes(def);
                }
            }
            Stmt::ClassDef(def) => self.exec_class(def),
            Stmt::Import(s) => {
                for alias in &s.names {
                    let full = alias.name.as_str();
                    self.note_aws_library(full, s);
                    match &alias.asname {
                        Some(as_name) => {
                            let v = self.import_module_value(full);
                            self.bind(as_name.as_str(), v);
                        }
                        None => {
                            let top = full.split('.').next().unwrap_or(full);
                            // Importing a submodule also loads it, so that
                            // `import handlers.helpers` then
                            // `handlers.helpers.f()` resolves.
                            self.import_module_value(full);
                            let v = self.import_module_value(top);
                            self.bind(top, v);
                        }
                    }
                }
            }
            Stmt::ImportFrom(s) => self.exec_import_from(s),
            Stmt::Global(s) => {
                let frame = self.frame();
                for n in &s.names {
                    frame.global_names.insert(n.to_string());
                }
            }
            Stmt::Delete(_)
            | Stmt::Pass(_)
            | Stmt::Assert(_)
            | Stmt::TypeAlias(_)
            | Stmt::Nonlocal(_)
            | Stmt::IpyEscapeCommand(_) => {}
        }
    }

    fn exec_if(&mut self, s: &'p ast::StmtIf) {
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
    fn exec_clauses(&mut self, clauses: &'p [ast::ElifElseClause], taken: Option<Env>) {
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
    fn promise_flags(&mut self, guard: Option<&(&'p Expr, Value, bool)>, body: &'p [Stmt]) {
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
        for flag in flags {
            let mut v = self.lookup(flag);
            v.set(Key::Attr(format!("__promise_{promise}")), Value::default());
            self.bind(flag, v);
        }
    }

    /// On the branch where a flag is true, the refinements it carries hold.
    fn keep_promises(&mut self, flag: Option<(&'p str, bool)>, branch: bool) {
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
    fn guard(&mut self, test: &'p Expr) -> Option<(&'p Expr, Value, bool)> {
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
    fn refine(&mut self, guard: Option<&(&'p Expr, Value, bool)>, branch: bool) {
        if let Some((var, value, holds_on)) = guard {
            if *holds_on == branch && self.frame().env.is_some() {
                self.assign(var, value.clone());
            }
        }
    }

    fn exec_loop(&mut self, target: Option<(&'p Expr, Value)>, body: &'p [Stmt], orelse: &'p [Stmt]) {
        let entry = self.frame().env.clone();
        let mut head = entry.clone();
        let saved_exits = std::mem::take(&mut self.frame().loop_exits);
        let reads = super::loops::exposed_reads(body, target.as_ref().map(|(t, _)| *t));
        for _ in 0..LOOP_ROUNDS {
            self.frame().env = head.clone();
            if let Some((t, elem)) = &target {
                self.assign(t, elem.clone());
            }
            self.exec_block(body);
            let after = self.frame().env.take();
            let exits = std::mem::take(&mut self.frame().loop_exits);
            let mut next = join_env(head.clone(), after);
            for e in exits {
                next = join_env(next, Some(e));
            }
            let settled = match (&reads, &head, &next) {
                (Some(reads), Some(h), Some(n)) => reads.iter().all(|name| h.get(name.as_str()) == n.get(name.as_str())),
                _ => next == head,
            };
            head = next;
            if settled {
                break;
            }
        }
        self.frame().loop_exits = saved_exits;
        self.frame().env = head;
        self.exec_block(orelse);
    }

    /// A loop over a short literal list runs once per element, each round
    /// with its own constant: `for key in ["tile", "mask"]: out[key] =
    /// src[key]` copies each field to its own field, where one round with
    /// the joined keys would mix every field into every other.
    fn exec_unrolled(&mut self, target: &'p Expr, elements: &'p [Expr], body: &'p [Stmt], orelse: &'p [Stmt]) {
        let saved_exits = std::mem::take(&mut self.frame().loop_exits);
        // `break` and `continue` both leave their environment in
        // `loop_exits`: each may go on to the next round or leave the loop.
        let mut left: Option<Env> = None;
        for element in elements {
            if self.frame().env.is_none() {
                break;
            }
            let v = self.eval(element);
            self.assign(target, v);
            self.exec_block(body);
            for e in std::mem::take(&mut self.frame().loop_exits) {
                left = join_env(left, Some(e.clone()));
                let here = self.frame().env.take();
                self.frame().env = join_env(here, Some(e));
            }
        }
        self.frame().loop_exits = saved_exits;
        let here = self.frame().env.take();
        self.frame().env = join_env(here, left);
        self.exec_block(orelse);
    }

    fn exec_try(&mut self, s: &'p ast::StmtTry) {
        let before = self.frame().env.clone();
        self.frame().try_snapshots.push(None);
        self.exec_block(&s.body);
        let seen = self.frame().try_snapshots.pop().flatten();
        self.exec_block(&s.orelse);
        let mut out = self.frame().env.take();
        let handler_entry = join_env(before, seen);
        for h in &s.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            self.frame().env = handler_entry.clone();
            if let Some(name) = &h.name {
                self.bind(name.as_str(), Value::qual("Exception()"));
            }
            self.exec_block(&h.body);
            out = join_env(out, self.frame().env.take());
        }
        if !s.finalbody.is_empty() {
            let reachable = out.is_some();
            self.frame().env = join_env(out, handler_entry);
            self.exec_block(&s.finalbody);
            if !reachable {
                self.frame().env = None;
            }
        } else {
            self.frame().env = out;
        }
    }

    fn exec_class(&mut self, def: &'p ast::StmtClassDef) {
        let Some(id) = self.ctx.index.class_of(def) else { return };
        for base in def.bases() {
            if let Kind::Qual(path) = self.eval(base).kind {
                self.library_bases.entry(id).or_default().push(path.to_string());
            }
        }
        let mut class_value = Value::of_kind(Kind::Class(id));
        // Class attributes are evaluated in a scope of their own.
        let outer = self.frame().env.clone();
        self.frame().env = Some(outer.clone().unwrap_or_default());
        for stmt in &def.body {
            match stmt {
                Stmt::Assign(a) => {
                    let v = self.eval(&a.value);
                    for t in &a.targets {
                        if let Expr::Name(n) = t {
                            class_value.set(Key::Attr(n.id.to_string()), v.clone());
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(value)) = (a.target.as_ref(), &a.value) {
                        let v = self.eval(value);
                        class_value.set(Key::Attr(n.id.to_string()), v);
                    }
                }
                _ => {}
            }
        }
        self.frame().env = outer;
        self.class_values.insert(id, class_value.clone());
        self.bind(def.name.as_str(), class_value);
    }

    /// An import of a library that calls AWS behind boto3: the running
    /// function's needs for its services are unknown (see `privilege.rs`).
    fn note_aws_library(&mut self, module: &str, at: &impl ruff_text_size::Ranged) {
        let (Some(function), Some(library)) = (self.entry.function, crate::cloud::libraries::of_module(module)) else { return };
        let site = self.site(at);
        for prefix in &library.iam_prefixes {
            self.world.unmodelled_calls.insert(crate::engine::UnmodelledCall {
                function,
                site: site.clone(),
                call: format!("{} (library)", library.module),
                iam_prefix: prefix.clone(),
            });
        }
    }

    fn exec_import_from(&mut self, s: &'p ast::StmtImportFrom) {
        let file = self.file();
        let module = s.module.as_ref().map(|m| m.as_str());
        if s.level == 0 {
            if let Some(m) = module {
                self.note_aws_library(m, s);
            }
        }
        let target = if s.level > 0 {
            self.ctx.program.resolve_relative(file, s.level, module)
        } else {
            module.and_then(|m| self.ctx.program.resolve_module(m, Some(file)))
        };
        for alias in &s.names {
            let name = alias.name.as_str();
            let bound = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name);
            if name == "*" {
                if let Some(t) = target {
                    let env = self.module_env(t);
                    let names: Vec<(Rc<str>, Value)> = env.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    for (k, v) in names {
                        self.bind(&k, v);
                    }
                }
                continue;
            }
            let value = match target {
                Some(t) => {
                    let env = self.module_env(t);
                    let found = env.borrow().get(name).cloned();
                    match found {
                        Some(v) => v,
                        None => {
                            // `from pkg import submodule`.
                            let sub = format!("{}.{}", self.ctx.program.files[t].module, name);
                            match self.ctx.program.resolve_module(&sub, Some(file)) {
                                Some(m) => Value::of_kind(Kind::Module(m)),
                                None => Value::default(),
                            }
                        }
                    }
                }
                None => match module {
                    Some(m) if s.level == 0 => {
                        let sub = format!("{m}.{name}");
                        match self.ctx.program.resolve_module(&sub, Some(file)) {
                            Some(f) => Value::of_kind(Kind::Module(f)),
                            None => Value::qual(sub),
                        }
                    }
                    _ => Value::default(),
                },
            };
            self.bind(bound, value);
        }
    }

    fn import_module_value(&mut self, dotted: &str) -> Value {
        match self.ctx.program.resolve_module(dotted, Some(self.file())) {
            Some(f) => Value::of_kind(Kind::Module(f)),
            None => Value::qual(dotted),
        }
    }

    /// The value bound by `with x as y`.
    fn enter(&mut self, v: &Value) -> Value {
        if let Kind::Instance(cid) = v.kind {
            if let Some(m) = self.method_of(cid, "__enter__") {
                let (ret, _) = self.call_function(m, Args::default(), Some(v.clone()));
                return ret;
            }
        }
        v.clone()
    }

    // ----- assignment ------------------------------------------------------

    pub fn assign(&mut self, target: &'p Expr, value: Value) {
        match target {
            Expr::Name(n) => self.bind(n.id.as_str(), value),
            Expr::Tuple(t) => self.assign_seq(&t.elts, value),
            Expr::List(l) => self.assign_seq(&l.elts, value),
            Expr::Starred(s) => {
                let mut list = Value::of_kind(Kind::List);
                list.set(Key::Elem, value.get_any());
                list.add_taint(&value.taint);
                self.assign(&s.value, list)
            }
            Expr::Attribute(a) => {
                let mut base = self.take_local(&a.value).unwrap_or_else(|| self.eval(&a.value));
                base.set(Key::Attr(a.attr.to_string()), value);
                self.store_back(&a.value, base);
            }
            Expr::Subscript(s) => {
                let key = self.eval(&s.slice);
                let mut base = self.take_local(&s.value).unwrap_or_else(|| self.eval(&s.value));
                match self.key_of(&key) {
                    Some(k) => base.set(k, value),
                    None => {
                        let joined = base.get(&Key::Elem).join(&value);
                        base.set(Key::Elem, joined);
                    }
                }
                if base.kind == Kind::Unknown {
                    base.kind = Kind::Dict;
                }
                self.store_back(&s.value, base);
            }
            _ => {}
        }
    }

    fn assign_seq(&mut self, targets: &'p [Expr], value: Value) {
        for (i, t) in targets.iter().enumerate() {
            let part = if matches!(t, Expr::Starred(_)) { value.clone() } else { value.get(&Key::Index(i as i64)) };
            self.assign(t, part);
        }
    }

    /// The value of a local variable moved out of the environment, for an
    /// update of one of its parts that the caller binds back: a copy
    /// would share its fields, and the update would copy all of them.
    fn take_local(&mut self, place: &Expr) -> Option<Value> {
        let Expr::Name(n) = place else { return None };
        self.frame().env.as_mut()?.get_mut(n.id.as_str()).map(std::mem::take)
    }

    /// Writes an updated object back to the place it was read from
    /// (`d["k"] = v` updates `d`; `self.x = v` updates `self`).
    pub fn store_back(&mut self, place: &'p Expr, value: Value) {
        match place {
            Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_) => self.assign(place, value),
            _ => {}
        }
    }

    pub fn key_of(&self, key: &Value) -> Option<Key> {
        if let Some(s) = key.str.as_ref().and_then(|s| s.as_lit()) {
            return Some(Key::Item(s.to_string()));
        }
        None
    }

    // ----- expressions -----------------------------------------------------

    pub fn eval(&mut self, expr: &'p Expr) -> Value {
        if self.expr_depth > MAX_EXPR_DEPTH {
            return Value::default();
        }
        self.expr_depth += 1;
        let v = self.eval_inner(expr);
        self.expr_depth -= 1;
        v
    }

    fn eval_inner(&mut self, expr: &'p Expr) -> Value {
        match expr {
            Expr::StringLiteral(s) => Value::string(SymStr::lit(s.value.to_str())),
            Expr::BytesLiteral(_) => Value::of_kind(Kind::Bytes),
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => {
                    let mut v = Value::of_kind(Kind::Int);
                    v.str = i.as_i64().map(|i| SymStr::lit(i.to_string()));
                    v
                }
                _ => Value::of_kind(Kind::Float),
            },
            Expr::BooleanLiteral(b) => {
                let mut v = Value::of_kind(Kind::Bool);
                v.str = Some(SymStr::lit(if b.value { "True" } else { "False" }));
                v
            }
            Expr::NoneLiteral(_) => Value::of_kind(Kind::None),
            Expr::EllipsisLiteral(_) | Expr::IpyEscapeCommand(_) => Value::default(),
            Expr::FString(f) => self.eval_fstring(f),
            Expr::TString(_) => Value::default(),
            Expr::Name(n) => {
                let v = self.lookup(n.id.as_str());
                self.maybe_source_attribute(v, expr)
            }
            Expr::Attribute(a) => {
                let base = self.eval(&a.value);
                let v = self.attribute(&base, a.attr.as_str());
                self.maybe_source_attribute(v, expr)
            }
            Expr::Subscript(s) => {
                let base = self.eval(&s.value);
                let key = self.eval(&s.slice);
                self.subscript(&base, &key, s.slice.as_ref())
            }
            Expr::Call(c) => self.eval_call(c),
            Expr::BinOp(b) => {
                let l = self.eval(&b.left);
                let r = self.eval(&b.right);
                self.binop(&l, b.op, &r)
            }
            Expr::UnaryOp(u) => {
                let v = self.eval(&u.operand);
                match u.op {
                    ast::UnaryOp::Not => Value::of_kind(Kind::Bool),
                    _ => v.taint_only(),
                }
            }
            Expr::BoolOp(b) => {
                let mut out: Option<Value> = None;
                for v in &b.values {
                    let x = self.eval(v);
                    out = Some(match out {
                        Some(o) => o.join(&x),
                        None => x,
                    });
                }
                out.unwrap_or_default()
            }
            Expr::Compare(c) => {
                self.eval(&c.left);
                for e in c.comparators.iter() {
                    self.eval(e);
                }
                Value::of_kind(Kind::Bool)
            }
            Expr::If(i) => {
                self.eval(&i.test);
                let a = self.eval(&i.body);
                let b = self.eval(&i.orelse);
                a.join(&b)
            }
            Expr::Named(n) => {
                let v = self.eval(&n.value);
                self.assign(&n.target, v.clone());
                v
            }
            Expr::Dict(d) => {
                let mut out = Value::of_kind(Kind::Dict);
                for item in &d.items {
                    let v = self.eval(&item.value);
                    match &item.key {
                        Some(k) => {
                            let kv = self.eval(k);
                            match self.key_of(&kv) {
                                Some(key) => out.set(key, v),
                                None => {
                                    let j = out.get(&Key::Elem).join(&v).join(&kv.taint_only());
                                    out.set(Key::Elem, j);
                                }
                            }
                        }
                        None => {
                            // `{**other}` merges another mapping.
                            for (k, fv) in v.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>() {
                                out.set(k, fv);
                            }
                            out.add_taint(&v.taint);
                        }
                    }
                }
                out
            }
            Expr::List(l) => self.eval_seq(&l.elts, Kind::List),
            Expr::Tuple(t) => self.eval_seq(&t.elts, Kind::Tuple),
            Expr::Set(s) => self.eval_seq(&s.elts, Kind::List),
            Expr::ListComp(c) => self.eval_comprehension(&c.generators, &c.elt, None),
            Expr::SetComp(c) => self.eval_comprehension(&c.generators, &c.elt, None),
            Expr::Generator(c) => self.eval_comprehension(&c.generators, &c.elt, None),
            Expr::DictComp(c) => self.eval_comprehension(&c.generators, &c.value, c.key.as_deref()),
            Expr::Starred(s) => self.eval(&s.value),
            Expr::Await(a) => self.eval(&a.value),
            Expr::Yield(y) => {
                if let Some(v) = &y.value {
                    let v = self.eval(v);
                    let frame = self.frame();
                    frame.ret = Some(frame.ret.take().map(|r| r.join(&v)).unwrap_or(v));
                }
                Value::default()
            }
            Expr::YieldFrom(y) => self.eval(&y.value),
            Expr::Lambda(_) => Value::default(),
            Expr::Slice(s) => {
                let mut v = Value::default();
                for e in [&s.lower, &s.upper, &s.step].into_iter().flatten() {
                    v = v.join(&self.eval(e).taint_only());
                }
                v
            }
        }
    }

    fn eval_seq(&mut self, elts: &'p [Expr], kind: Kind) -> Value {
        let mut out = Value::of_kind(kind);
        let mut all = Value::default();
        let mut spread = false;
        for (i, e) in elts.iter().enumerate() {
            let v = self.eval(e);
            if let Expr::Starred(_) = e {
                spread = true;
                all = all.join(&v.element());
                continue;
            }
            all = all.join(&v);
            if !spread {
                out.set(Key::Index(i as i64), v);
            }
        }
        if !elts.is_empty() {
            out.set(Key::Elem, all);
        }
        out
    }

    fn eval_comprehension(&mut self, gens: &'p [ast::Comprehension], elt: &'p Expr, key: Option<&'p Expr>) -> Value {
        let saved = self.frame().env.clone();
        for g in gens {
            let iter = self.eval(&g.iter);
            let elem = self.iterate(&iter, &g.iter);
            self.assign(&g.target, elem);
            for cond in &g.ifs {
                self.eval(cond);
            }
        }
        let v = self.eval(elt);
        let mut out = Value::of_kind(if key.is_some() { Kind::Dict } else { Kind::List });
        match key {
            Some(k) => {
                let kv = self.eval(k);
                out.set(Key::Elem, v.join(&kv.taint_only()));
            }
            None => out.set(Key::Elem, v),
        }
        self.frame().env = saved;
        out
    }

    fn eval_fstring(&mut self, f: &'p ast::ExprFString) -> Value {
        let mut s = SymStr::default();
        let mut taint = Taint::new();
        for part in f.value.iter() {
            match part {
                ast::FStringPart::Literal(l) => s.push_lit(&l.value),
                ast::FStringPart::FString(fs) => {
                    for el in fs.elements.iter() {
                        match el {
                            ast::InterpolatedStringElement::Literal(l) => s.push_lit(&l.value),
                            ast::InterpolatedStringElement::Interpolation(i) => {
                                let v = self.eval(&i.expression);
                                taint.extend(v.deep_taint());
                                match (&v.str, i.format_spec.is_none()) {
                                    (Some(vs), true) => s.push(vs),
                                    _ => s.push_any("fstring"),
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut v = Value::string(s);
        v.taint = taint;
        v
    }

    /// `x + y`, `"%s" % x`...: strings are tracked symbolically, everything
    /// else carries the taint of both sides.
    pub fn binop(&mut self, l: &Value, op: ast::Operator, r: &Value) -> Value {
        let mut taint = l.deep_taint();
        taint.extend(r.deep_taint());
        let str = match op {
            ast::Operator::Add => match (&l.str, &r.str) {
                (Some(a), Some(b)) if l.kind == Kind::Str || r.kind == Kind::Str => Some(a.concat(b)),
                (Some(a), None) if l.kind == Kind::Str => Some(a.concat(&SymStr::any("concat"))),
                (None, Some(b)) if r.kind == Kind::Str => Some(SymStr::any("concat").concat(b)),
                _ => None,
            },
            ast::Operator::Mod if l.kind == Kind::Str => l.str.as_ref().map(|fmt| percent_format(fmt, r)),
            _ => None,
        };
        let kind = if str.is_some() || l.kind == Kind::Str { Kind::Str } else { Kind::Unknown };
        if matches!(l.kind, Kind::List | Kind::Tuple) && op == ast::Operator::Add {
            let mut v = l.join(r);
            v.kind = l.kind.clone();
            return v;
        }
        Value { taint, fields: Default::default(), str, kind }
    }

    pub fn subscript(&mut self, base: &Value, key: &Value, key_expr: &Expr) -> Value {
        if let Kind::Qual(path) = &base.kind {
            if &**path == "os.environ" {
                let site = self.site(key_expr);
                return self.env_var(key, None, &site);
            }
        }
        if matches!(key_expr, Expr::Slice(_)) {
            let mut v = base.clone();
            v.str = base.str.as_ref().map(|s| SymStr::lit(s.known_prefix()).concat(&SymStr::any("slice")));
            if base.str.is_some() {
                v.str = None;
            }
            v.add_taint(&key.deep_taint());
            return v;
        }
        if let Some(i) = key.str.as_ref().and_then(|s| s.as_lit()).and_then(|s| s.parse::<i64>().ok()) {
            if key.kind == Kind::Int {
                return base.get(&Key::Index(i));
            }
        }
        match self.key_of(key) {
            Some(k) => {
                let v = base.get(&k);
                let v = self.signed_field(&k, v);
                self.secret_field(&k, v)
            }
            None => {
                let mut v = base.get_any();
                // A lookup in a table the code filled itself yields one of
                // its values whatever the key (`REGION_MAP[name]`): only a
                // container of unknown contents passes the key's taint on.
                let constant_table = matches!(base.kind, Kind::Dict | Kind::List | Kind::Tuple) && !base.fields.is_empty() && !base.is_tainted();
                if !constant_table {
                    v.add_taint(&key.deep_taint());
                }
                v
            }
        }
    }

    /// A field read from a value: when it is one that tells where or for
    /// whom a secret is (`creds["username"]`), not secret material.
    pub fn secret_field(&mut self, key: &Key, v: Value) -> Value {
        let Key::Item(name) = key else { return v };
        if !crate::secrets::public_field(name) || !v.is_tainted() {
            return v;
        }
        let labels = &mut self.world.labels;
        v.map_labels(&mut |l| labels.conceal(l))
    }

    /// `os.environ[...]`, `os.getenv(...)`: the function's configured value.
    /// An environment variable read at `site`: its value when the
    /// deployment file sets it, and secret material when that value is a
    /// secret (`secrets::holds_secret`).
    pub fn env_var(&mut self, key: &Value, default: Option<&Value>, site: &Site) -> Value {
        let name = key.str.as_ref().and_then(|s| s.as_lit()).map(str::to_string);
        if let (Some(name), false) = (&name, self.ctx.opts.disable.env) {
            if let Some(fr) = self.entry.function {
                let (_, func) = self.ctx.function(fr);
                if let Some(v) = func.environment.get(name) {
                    let secret = crate::secrets::holds_secret(name, v, func.env_from_files.contains(name));
                    let mut value = Value::string(v.clone());
                    if secret {
                        value.taint = self.label(Source::secret(SourceKind::Env, site.clone(), format!("env {name}")));
                    }
                    return value;
                }
            }
        }
        let mut v = Value::string(SymStr::any(format!("env:{}", name.unwrap_or_default())));
        if let Some(d) = default {
            v = if d.kind == Kind::None { v } else { v.join(d) };
        }
        v.kind = Kind::Str;
        v
    }

    pub fn attribute(&mut self, base: &Value, attr: &str) -> Value {
        let key = Key::Attr(attr.to_string());
        if let Some(v) = base.fields.get(&key) {
            let mut v = v.clone();
            v.add_taint(&base.taint);
            return v;
        }
        match &base.kind {
            Kind::Module(file) => {
                let env = self.module_env(*file);
                let found = env.borrow().get(attr).cloned();
                match found {
                    Some(v) => v,
                    None => {
                        let sub = format!("{}.{}", self.ctx.program.files[*file].module, attr);
                        match self.ctx.program.resolve_module(&sub, None) {
                            Some(m) => Value::of_kind(Kind::Module(m)),
                            None => Value::default(),
                        }
                    }
                }
            }
            Kind::Qual(path) => {
                let full = format!("{path}.{attr}");
                if self.ctx.taint.names_created_file(&full) {
                    let mut v = Value::created_file_name();
                    v.taint = base.taint.clone();
                    return v;
                }
                match self.ctx.program.resolve_module(&full, None).filter(|_| !path.contains('(')) {
                    Some(m) if self.ctx.program.files[m].module == full => Value::of_kind(Kind::Module(m)),
                    _ => {
                        let mut v = Value::qual(full);
                        v.taint = base.taint.clone();
                        // An object known only by what any attribute holds.
                        if let Some(any) = base.fields.get(&Key::Elem) {
                            v.taint.extend(any.deep_taint());
                        }
                        v
                    }
                }
            }
            Kind::Instance(cid) => {
                let cid = *cid;
                if let Some(m) = self.method_of(cid, attr) {
                    let mut v = Value::of_kind(Kind::Bound(m));
                    v.set(Key::Id(0), base.clone());
                    return v;
                }
                let class_attr = self.class_values.get(&cid).and_then(|c| c.fields.get(&key)).cloned();
                let mut v = class_attr.unwrap_or_else(|| Value::tainted(base.taint.clone()));
                v.add_taint(&base.taint);
                v
            }
            Kind::Class(cid) => {
                let cid = *cid;
                match self.method_of(cid, attr) {
                    Some(m) => Value::of_kind(Kind::Func(m)),
                    None => Value::default(),
                }
            }
            Kind::Boto(b) => {
                let b = b.clone();
                self.boto_attribute(base, &b, attr)
            }
            _ => {
                // A method or attribute of some other object: remember the
                // receiver so that the call can propagate its taint.
                let mut v = Value::tainted(base.taint.clone());
                v.set(Key::Id(0), base.clone());
                v.set(Key::Attr("__method__".into()), Value::string(SymStr::lit(attr)));
                v
            }
        }
    }

    fn maybe_source_attribute(&mut self, v: Value, expr: &'p Expr) -> Value {
        if let Kind::Qual(path) = &v.kind {
            if let Some((site, what)) = self.entry.route.clone().filter(|_| self.ctx.taint.is_request(path)) {
                let mut out = v.clone();
                let t = self.source_label(SourceKind::Http, site, &what);
                out.add_taint(&t);
                return out;
            }
            if let Some(kind) = self.ctx.taint.source_attribute(path, self.in_main()) {
                let what = path.clone();
                let site = self.site(expr);
                let mut out = v.clone();
                let t = self.source_label(kind, site, &what);
                out.add_taint(&t);
                return out;
            }
        }
        v
    }

    /// The element bound by `for x in v`.
    pub fn iterate(&mut self, v: &Value, at: &'p Expr) -> Value {
        if let Kind::Boto(b) = &v.kind {
            let b = b.clone();
            return self.boto_iterate(v, &b, at);
        }
        if v.kind == Kind::File {
            return self.file_content(v);
        }
        v.element()
    }

    pub fn method_of(&self, cid: ClassId, name: &str) -> Option<FuncId> {
        self.ctx.index.method_resolving_bases(cid, name)
    }

    // ----- calls into the application ----------------------------------------

    /// Runs an application function with the given arguments and returns
    /// its return value and, for methods, the receiver as it is afterwards.
    pub fn call_function(&mut self, id: FuncId, args: Args, receiver: Option<Value>) -> (Value, Option<Value>) {
        let key = {
            let mut h = rustc_hash::FxHasher::default();
            id.hash(&mut h);
            args.hash(&mut h);
            receiver.hash(&mut h);
            h.finish()
        };
        if let Some((.., r)) = self.memo.get(&key).and_then(|calls| calls.iter().find(|(f, a, r, _)| *f == id && *a == args && *r == receiver)) {
            return r.clone();
        }
        if let Some(pos) = self.stack.iter().position(|f| *f == id) {
            self.recursion.lowest_used = self.recursion.lowest_used.min(pos);
            self.recursion.called_itself.insert(id);
            let mut v = self.recursion.seeds.get(&id).cloned().unwrap_or_else(|| Value::of_kind(Kind::None));
            v.add_taint(&args.all_taint());
            if let Some(r) = &receiver {
                v.add_taint(&r.deep_taint());
            }
            return (v, receiver);
        }
        if self.stack.len() >= MAX_CALL_DEPTH {
            let mut t = args.all_taint();
            if let Some(r) = &receiver {
                t.extend(r.deep_taint());
            }
            return (Value::tainted(t), receiver);
        }
        let depth = self.stack.len();
        let outer_lowest = std::mem::replace(&mut self.recursion.lowest_used, usize::MAX);
        let inputs = (args.clone(), receiver.clone());
        // A function that calls itself runs again with what it returned
        // last as the result of its own calls, until that no longer
        // changes: its first run takes them to return nothing.
        let mut rounds = 0;
        let (ret, self_after) = loop {
            let (ret, self_after) = self.run_function(id, args.clone(), receiver.clone());
            rounds += 1;
            if !self.recursion.called_itself.remove(&id) || self.recursion.seeds.get(&id) == Some(&ret) {
                break (ret, self_after);
            }
            if rounds == MAX_RECURSION_ROUNDS {
                let seed = self.recursion.seeds.get(&id).cloned().unwrap_or_default();
                break (ret.join(&seed), self_after);
            }
            self.recursion.seeds.insert(id, ret);
        };
        self.recursion.seeds.remove(&id);
        let lowest = self.recursion.lowest_used;
        self.recursion.lowest_used = outer_lowest.min(if lowest < depth { lowest } else { usize::MAX });
        let result = (ret, self_after);
        // A result that stood on what a caller's recursion assumed holds
        // only for that round.
        if lowest >= depth {
            self.memo.entry(key).or_default().push((id, inputs.0, inputs.1, result.clone()));
        }
        result
    }

    /// One run of an application function's body.
    fn run_function(&mut self, id: FuncId, args: Args, receiver: Option<Value>) -> (Value, Option<Value>) {
        let info = self.ctx.index.func(id);
        let def = info.def;
        let file = info.file;
        let globals = self.module_env(file);
        let mut frame = Frame::new(file, Some(id), globals);
        frame.env = Some(Env::default());
        self.frames.push(frame);
        self.stack.push(id);
        self.bind_params(def, args, receiver.clone());
        self.exec_block(&def.body);
        self.stack.pop();
        let frame = self.frames.pop().expect("callee frame");
        let ret = frame.ret.unwrap_or_else(|| Value::of_kind(Kind::None));
        let self_after = match (&receiver, def.parameters.args.first().or(def.parameters.posonlyargs.first())) {
            (Some(r), Some(p)) => {
                let name = p.parameter.name.as_str();
                let end = frame.env.as_ref().and_then(|e| e.get(name)).cloned();
                Some(end.map(|e| e.join(r)).unwrap_or_else(|| r.clone()))
            }
            _ => receiver,
        };
        (ret, self_after)
    }

    fn bind_params(&mut self, def: &'p ast::StmtFunctionDef, args: Args, receiver: Option<Value>) {
        let params = &def.parameters;
        let positional: Vec<&ast::ParameterWithDefault> = params.posonlyargs.iter().chain(params.args.iter()).collect();
        let mut pos = args.pos.into_iter();
        let mut kw: Vec<(String, Value)> = args.kw;
        let spread = args.spread;
        let mut i = 0;
        if let Some(r) = receiver {
            if let Some(p) = positional.first() {
                self.bind(p.parameter.name.as_str(), r);
                i = 1;
            }
        }
        for p in positional.iter().skip(i) {
            let v = match pos.next() {
                Some(v) => v,
                None => self.param_value(p, &mut kw, &spread),
            };
            self.bind(p.parameter.name.as_str(), v);
        }
        if let Some(va) = &params.vararg {
            let mut list = Value::of_kind(Kind::Tuple);
            for (j, v) in pos.by_ref().enumerate() {
                let joined = list.get(&Key::Elem).join(&v);
                list.set(Key::Index(j as i64), v);
                list.set(Key::Elem, joined);
            }
            self.bind(va.name.as_str(), list);
        }
        for p in params.kwonlyargs.iter() {
            let v = self.param_value(p, &mut kw, &spread);
            self.bind(p.parameter.name.as_str(), v);
        }
        if let Some(ka) = &params.kwarg {
            let mut d = Value::of_kind(Kind::Dict);
            for (k, v) in kw {
                d.set(Key::Item(k), v);
            }
            if let Some(s) = &spread {
                d.add_taint(&s.deep_taint());
            }
            self.bind(ka.name.as_str(), d);
        }
    }

    /// A parameter not given positionally: its keyword argument, else what
    /// `*args`/`**kwargs` may carry, else its default.
    fn param_value(&mut self, p: &'p ast::ParameterWithDefault, kw: &mut Vec<(String, Value)>, spread: &Option<Value>) -> Value {
        let name = p.parameter.name.as_str();
        if let Some(idx) = kw.iter().position(|(k, _)| k == name) {
            kw.remove(idx).1
        } else if let Some(s) = spread {
            s.clone()
        } else if let Some(d) = &p.default {
            self.eval(d)
        } else {
            Value::default()
        }
    }

    pub fn eval_args(&mut self, arguments: &'p ast::Arguments) -> Args {
        let mut args = Args::default();
        for a in arguments.args.iter() {
            match a {
                Expr::Starred(s) => {
                    let v = self.eval(&s.value);
                    if matches!(v.kind, Kind::List | Kind::Tuple) && v.fields.keys().all(|k| matches!(k, Key::Index(_) | Key::Elem)) && v.fields.contains_key(&Key::Index(0)) {
                        let mut i = 0;
                        while let Some(x) = v.fields.get(&Key::Index(i)) {
                            args.pos.push(x.clone());
                            i += 1;
                        }
                    } else {
                        args.spread = Some(args.spread.take().unwrap_or_default().join(&v.element()));
                    }
                }
                e => {
                    let v = self.eval(e);
                    args.pos.push(v);
                }
            }
        }
        for k in arguments.keywords.iter() {
            let v = self.eval(&k.value);
            match &k.arg {
                Some(name) => args.kw.push((name.to_string(), v)),
                None => {
                    // `**params`: known keys become keywords, the rest is
                    // taint that may reach any parameter.
                    for (key, fv) in v.fields.iter() {
                        if let Key::Item(name) = key {
                            let mut fv = fv.clone();
                            fv.add_taint(&v.taint);
                            args.kw.push((name.clone(), fv));
                        }
                    }
                    if !v.taint.is_empty() || v.fields.contains_key(&Key::Elem) {
                        let rest = Value::tainted(v.taint.clone()).join(&v.get(&Key::Elem));
                        args.spread = Some(args.spread.take().unwrap_or_default().join(&rest));
                    }
                }
            }
        }
        args
    }

    // ----- local files -------------------------------------------------------

    pub fn file_write(&mut self, file: &Value, data: &Value) {
        let path = file.get(&Key::Id(0));
        let sym = path.str.clone().unwrap_or_else(|| SymStr::any("path"));
        let taint = data.deep_taint();
        if taint.is_empty() {
            return;
        }
        match self.files.iter_mut().find(|(p, _)| *p == sym) {
            Some((_, t)) => t.extend(taint),
            None => self.files.push((sym, taint)),
        }
    }

    /// Content read from a file: whatever was written to a path that may be
    /// the same, and the taint of the path itself (the attacker picks what
    /// is read).
    pub fn file_content(&self, file: &Value) -> Value {
        let path = file.get(&Key::Id(0));
        self.path_content(&path)
    }

    pub fn path_content(&self, path: &Value) -> Value {
        let sym = path.str.clone().unwrap_or_else(|| SymStr::any("path"));
        let mut taint = path.deep_taint();
        for (p, t) in &self.files {
            if p.may_equal(&sym).possible() {
                taint.extend(t.iter().copied());
            }
        }
        let mut v = Value::tainted(taint);
        v.kind = Kind::Str;
        v
    }
}

impl Frame {
    pub fn new(file: usize, func: Option<FuncId>, globals: Rc<RefCell<Env>>) -> Frame {
        Frame {
            file,
            func,
            env: None,
            ret: None,
            globals,
            global_names: HashSet::new(),
            loop_exits: Vec::new(),
            try_snapshots: Vec::new(),
        }
    }
}

pub fn join_env(a: Option<Env>, b: Option<Env>) -> Option<Env> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(mut a), Some(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => existing.join_in(&v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
            Some(a)
        }
    }
}

/// `"... %s ..." % args` with a known format string.
fn percent_format(fmt: &SymStr, args: &Value) -> SymStr {
    let Some(text) = fmt.as_lit() else { return fmt.concat(&SymStr::any("format")) };
    let mut out = SymStr::default();
    let mut chars = text.chars().peekable();
    let mut index = 0i64;
    let mut lit = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            lit.push('%');
            continue;
        }
        // Skip flags, width, precision and an optional mapping key.
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            chars.next();
            spec.push(n);
            if n.is_ascii_alphabetic() && n != 'l' && n != 'h' {
                break;
            }
        }
        out.push_lit(&lit);
        lit.clear();
        let arg = if matches!(args.kind, Kind::Tuple) { args.get(&Key::Index(index)) } else { args.clone() };
        index += 1;
        match (&arg.str, spec.ends_with('s')) {
            (Some(s), true) => out.push(s),
            _ => out.push_any("format"),
        }
    }
    out.push_lit(&lit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_format_keeps_literal_parts() {
        let s = percent_format(&SymStr::lit("select * from t where a = '%s'"), &Value::default());
        assert_eq!(s.known_prefix(), "select * from t where a = '");
        assert_eq!(s.known_suffix(), "'");
        let mut tuple = Value::of_kind(Kind::Tuple);
        tuple.set(Key::Index(0), Value::string(SymStr::lit("x")));
        tuple.set(Key::Index(1), Value::string(SymStr::lit("y")));
        assert_eq!(percent_format(&SymStr::lit("%s/%s"), &tuple), SymStr::lit("x/y"));
    }
}
