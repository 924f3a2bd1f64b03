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
//!
//! This file holds the interpreter's state, names, modules and local
//! files; `statements.rs`, `branches.rs`, `expressions.rs` and
//! `functions.rs` (calls into the application) hold the rest of
//! `impl Interp`, and `taint/calls.rs` and `cloud/objects.rs` the library
//! and boto3 calls.

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

use crate::taint::label::{Site, Source, SourceKind, Taint, SECRET_CLASS};
use crate::taint::value::{Env, Globals, Key, Kind, Value};

mod branches;
mod carried;
mod expressions;
mod functions;
mod snapshot;
mod statements;

pub(crate) use carried::CarriedCalls;
pub(crate) use snapshot::Snapshot;

/// Limits that keep the analysis finite on any input.
const MAX_CALL_DEPTH: usize = 24;
const MAX_EXPR_DEPTH: usize = 200;
const LOOP_ROUNDS: usize = 3;
/// How deep into arguments the memo of application calls hashes: the
/// entries compare whole arguments anyway, and stored documents passed
/// from call to call made hashing them whole a twentieth of a run.
const MEMO_HASH_DEPTH: usize = 2;
/// Entries of the unknown-key read memo past which those of maps no longer
/// alive are dropped, and all of them when every map still lives.
const ANY_FIELD_ENTRIES: usize = 1024;
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
    pub globals: Globals,
    pub global_names: HashSet<String>,
    /// Environments at `break`/`continue`, joined into the loop's exit.
    loop_exits: Vec<Env>,
    /// The join of the environments at the statements of each enclosing
    /// `try` body: what its handlers may start from.
    try_snapshots: Vec<Option<Env>>,
    /// Names bound since the last snapshot, while a `try` body runs: after
    /// a simple statement only they can differ from the snapshot, and
    /// joining the whole environment after each statement of a long `try`
    /// body was a tenth of a large app's taint stage.
    written: Vec<Rc<str>>,
}

pub(crate) struct Interp<'c, 'a, 'p> {
    pub ctx: &'c Ctx<'a, 'p>,
    pub world: &'c mut World,
    pub entry: Entry,
    modules: HashMap<usize, Globals>,
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
    /// Calls carried from the entry's last run and for its next.
    carrying: carried::Carrying,
    /// The ranges of the world's run reads that module evaluations made.
    module_reads: Vec<std::ops::Range<usize>>,
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
            t.union(&v.deep_taint());
        }
        t
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
            carrying: carried::Carrying::default(),
            module_reads: Vec::new(),
        }
    }

    pub fn forget_calls(&mut self) {
        self.memo.clear();
    }

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

    /// The global environment of a module, evaluated on first use.
    pub fn module_env(&mut self, file: usize) -> Globals {
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
        let env: Globals = Rc::default();
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
        let reads_from = self.world.run_reads.len();
        self.exec_block(body);
        self.note_module_reads(reads_from);
        let frame = self.frames.pop().expect("module frame");
        if let Some(locals) = frame.env {
            Rc::make_mut(&mut *env.borrow_mut()).extend(locals);
        }
        self.modules_in_progress.remove(&file);
        env
    }

    /// [`Value::get_any`], remembered per field map ([`World::any_field`]):
    /// generated code and region tables read one constant table at
    /// computed keys in loops, and joining its values again at each read
    /// was most of a generated app's taint stage.
    pub fn get_any(&mut self, v: &Value) -> Value {
        if v.fields.is_empty() {
            return v.get_any();
        }
        let key = Rc::as_ptr(&v.fields);
        let memo = &mut self.world.any_field;
        let mut out = match memo.get(&key) {
            Some((map, fields)) if map.upgrade().is_some_and(|m| Rc::ptr_eq(&m, &v.fields)) => fields.clone(),
            _ => {
                let fields = Value { fields: v.fields.clone(), ..Value::default() }.get_any();
                if memo.len() >= ANY_FIELD_ENTRIES {
                    memo.retain(|_, (map, _)| map.strong_count() > 0);
                    // Otherwise each insert would walk a full memo again.
                    if memo.len() >= ANY_FIELD_ENTRIES {
                        memo.clear();
                    }
                }
                memo.insert(key, (Rc::downgrade(&v.fields), fields.clone()));
                fields
            }
        };
        out.taint.union(&v.taint);
        out
    }

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
        let name: Rc<str> = Rc::from(name);
        if frame.global_names.contains(&*name) {
            Rc::make_mut(&mut *frame.globals.borrow_mut()).insert(name, value);
            if frame.func.is_some() {
                self.effect();
            }
            return;
        }
        if frame.func.is_none() {
            // Module-level code binds straight into the module, so that
            // functions called later in the same module body see the name.
            Rc::make_mut(&mut *frame.globals.borrow_mut()).insert(name.clone(), value.clone());
        }
        if let Some(env) = frame.env.as_mut() {
            if !frame.try_snapshots.is_empty() {
                frame.written.push(name.clone());
            }
            env.insert(name, value);
        }
    }

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
        self.effect();
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
                taint.union(t);
            }
        }
        let mut v = Value::tainted(taint);
        v.kind = Kind::Str;
        v
    }
}

impl Frame {
    pub fn new(file: usize, func: Option<FuncId>, globals: Globals) -> Frame {
        Frame {
            file,
            func,
            env: None,
            ret: None,
            globals,
            global_names: HashSet::new(),
            loop_exits: Vec::new(),
            try_snapshots: Vec::new(),
            written: Vec::new(),
        }
    }
}

/// Joins into `acc` the variables of `env` named in `names`.
fn join_names(acc: &mut Env, env: &Env, names: &[Rc<str>]) {
    for name in names {
        let Some(v) = env.get(name) else { continue };
        match acc.get_mut(name) {
            Some(existing) => existing.join_in(v),
            None => {
                acc.insert(name.clone(), v.clone());
            }
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
