//! boto3 usage of a program, read from the analyzer's Python model (the
//! parsed ASTs), not from regular expressions.
//!
//! Tracked: `import boto3` (and aliases), `from boto3 import client,
//! resource, Session`, `boto3.session.Session`; the calls `client(...)`,
//! `resource(...)` on the module, on a session (`Session(...).client(...)`,
//! `s = boto3.Session(); s.resource(...)`); variables and `self.x`
//! attributes bound to clients, resources and their sub-resources
//! (`dynamodb.Table(...)`, `s3.Bucket(...)`, `resource.meta.client`). The
//! service name is the first argument or `service_name=`, a string literal
//! or a module-level string constant; anything else counts as `<dynamic>`.
//!
//! An API call is a method call on a tracked object whose name is an
//! operation of that service in botocore's models (or one of the methods
//! boto3 injects, like `upload_file`), `close` and `copy` excluded as in the
//! study. Module-level bindings are visible in every function; a first pass
//! collects them (and `self.x` bindings) so order of definition does not
//! matter.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ModModule, Stmt};

/// service -> operations (snake_case), from harness/data/botocore-operations.csv.
pub fn operations() -> &'static HashMap<String, HashSet<String>> {
    static OPS: OnceLock<HashMap<String, HashSet<String>>> = OnceLock::new();
    OPS.get_or_init(|| {
        let mut m: HashMap<String, HashSet<String>> = HashMap::new();
        for line in include_str!("../../data/botocore-operations.csv").lines().skip(1) {
            if let Some((s, op)) = line.split_once(',') {
                m.entry(s.to_string()).or_default().insert(op.trim().to_string());
            }
        }
        m
    })
}

/// Methods boto3 adds to clients and resources (boto3/s3/inject.py,
/// boto3/dynamodb/table.py...), which are not in botocore's models.
pub const BOTO3_INJECTED: &[&str] = &[
    "upload_file",
    "download_file",
    "upload_fileobj",
    "download_fileobj",
    "generate_presigned_url",
    "generate_presigned_post",
    "batch_writer",
    "get_paginator",
    "get_waiter",
];

/// Excluded from API counts, as in the study.
pub const EXCLUDED: &[&str] = &["close", "copy"];

pub fn is_api(service: &str, method: &str) -> bool {
    if EXCLUDED.contains(&method) {
        return false;
    }
    BOTO3_INJECTED.contains(&method) || operations().get(service).is_some_and(|ops| ops.contains(method))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Client,
    Resource,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// (service, client|resource) -> instantiation sites.
    pub instantiations: BTreeMap<(String, Kind), u64>,
    /// (service, operation) -> call sites.
    pub calls: BTreeMap<(String, String), u64>,
}

impl Usage {
    pub fn merge(&mut self, other: &Usage) {
        for (k, v) in &other.instantiations {
            *self.instantiations.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.calls {
            *self.calls.entry(k.clone()).or_default() += v;
        }
    }

    /// service -> instantiation sites (clients and resources together).
    pub fn per_service(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for ((s, _), n) in &self.instantiations {
            *m.entry(s.clone()).or_default() += n;
        }
        m
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Binding {
    Boto3,
    Boto3SessionModule,
    ClientFn,
    ResourceFn,
    SessionCls,
    Session,
    Client(String),
    Resource(String),
    Meta(String),
    Str(String),
}

pub const DYNAMIC: &str = "<dynamic>";

/// boto3 usage of one parsed module.
pub fn module_usage(module: &ModModule) -> Usage {
    let mut w = Walker { scopes: vec![HashMap::new()], attrs: HashMap::new(), counting: false, usage: Usage::default() };
    for s in &module.body {
        w.visit_stmt(s);
    }
    // Second pass with what the first one learnt of module-level names.
    w.counting = true;
    w.scopes.truncate(1);
    for s in &module.body {
        w.visit_stmt(s);
    }
    w.usage
}

/// boto3 usage of a whole program (all files).
pub fn program_usage(program: &analyzer::program::Program) -> Usage {
    let mut u = Usage::default();
    for f in &program.files {
        u.merge(&module_usage(&f.ast));
    }
    u
}

struct Walker {
    scopes: Vec<HashMap<String, Binding>>,
    /// `self.x`/`obj.x` bindings, shared by all methods of a module.
    attrs: HashMap<String, Binding>,
    counting: bool,
    usage: Usage,
}

fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.id.to_string()),
        Expr::Attribute(a) => Some(format!("{}.{}", dotted(&a.value)?, a.attr.id)),
        _ => None,
    }
}

impl Walker {
    fn lookup(&self, name: &str) -> Option<Binding> {
        if name.contains('.') {
            return self.attrs.get(name).cloned();
        }
        self.scopes.iter().rev().find_map(|s| s.get(name).cloned())
    }

    fn bind(&mut self, target: &Expr, b: Option<Binding>) {
        match target {
            Expr::Name(n) => {
                let scope = self.scopes.last_mut().expect("a scope");
                match b {
                    Some(b) => {
                        scope.insert(n.id.to_string(), b);
                    }
                    None => {
                        // Rebound to something else.
                        scope.remove(n.id.as_str());
                    }
                }
            }
            Expr::Attribute(_) => {
                if let (Some(key), Some(b)) = (dotted(target), b) {
                    // Never forget an attribute: another method may rebind it
                    // to None in a teardown, the client stays the interesting one.
                    self.attrs.insert(key, b);
                }
            }
            _ => {}
        }
    }

    fn service_of(&self, call: &ruff_python_ast::ExprCall) -> String {
        let arg = call
            .arguments
            .args
            .first()
            .or_else(|| call.arguments.keywords.iter().find(|k| k.arg.as_ref().is_some_and(|a| a.id.as_str() == "service_name")).map(|k| &k.value));
        match arg.and_then(|a| self.classify(a)) {
            Some(Binding::Str(s)) => s.trim().to_lowercase(),
            _ => DYNAMIC.to_string(),
        }
    }

    fn classify(&self, e: &Expr) -> Option<Binding> {
        match e {
            Expr::StringLiteral(s) => Some(Binding::Str(s.value.to_str().to_string())),
            Expr::Name(n) => self.lookup(n.id.as_str()),
            Expr::Attribute(a) => {
                let attr = a.attr.id.as_str();
                match (self.classify(&a.value), attr) {
                    (Some(Binding::Boto3), "client") => Some(Binding::ClientFn),
                    (Some(Binding::Boto3), "resource") => Some(Binding::ResourceFn),
                    (Some(Binding::Boto3), "Session") => Some(Binding::SessionCls),
                    (Some(Binding::Boto3), "session") => Some(Binding::Boto3SessionModule),
                    (Some(Binding::Boto3SessionModule), "Session") => Some(Binding::SessionCls),
                    (Some(Binding::Session), "client") => Some(Binding::ClientFn),
                    (Some(Binding::Session), "resource") => Some(Binding::ResourceFn),
                    (Some(Binding::Resource(s)), "meta") => Some(Binding::Meta(s)),
                    (Some(Binding::Meta(s)), "client") => Some(Binding::Client(s)),
                    _ => dotted(e).and_then(|k| self.attrs.get(&k).cloned()),
                }
            }
            Expr::Call(c) => match self.classify(&c.func) {
                Some(Binding::ClientFn) => Some(Binding::Client(self.service_of(c))),
                Some(Binding::ResourceFn) => Some(Binding::Resource(self.service_of(c))),
                Some(Binding::SessionCls) => Some(Binding::Session),
                _ => {
                    // Sub-resources: `dynamodb.Table('t')`, `s3.Bucket(b).Object(k)`.
                    if let Expr::Attribute(a) = c.func.as_ref() {
                        if a.attr.id.as_str().starts_with(|ch: char| ch.is_ascii_uppercase()) {
                            if let Some(Binding::Resource(s)) = self.classify(&a.value) {
                                return Some(Binding::Resource(s));
                            }
                        }
                    }
                    None
                }
            },
            Expr::Named(n) => self.classify(&n.value),
            _ => None,
        }
    }

    fn import(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(i) => {
                for a in &i.names {
                    let name = a.name.id.as_str();
                    if name == "boto3" || name.starts_with("boto3.") {
                        let (bound, b) = match &a.asname {
                            Some(alias) if name == "boto3.session" => (alias.id.to_string(), Binding::Boto3SessionModule),
                            Some(alias) if name == "boto3" => (alias.id.to_string(), Binding::Boto3),
                            Some(_) => continue,
                            None => ("boto3".to_string(), Binding::Boto3),
                        };
                        self.scopes.last_mut().expect("a scope").insert(bound, b);
                    }
                }
            }
            Stmt::ImportFrom(f) if f.level == 0 => {
                let module = f.module.as_ref().map(|m| m.id.as_str()).unwrap_or_default();
                for a in &f.names {
                    let b = match (module, a.name.id.as_str()) {
                        ("boto3", "client") => Binding::ClientFn,
                        ("boto3", "resource") => Binding::ResourceFn,
                        ("boto3", "Session") | ("boto3.session", "Session") => Binding::SessionCls,
                        ("boto3", "session") => Binding::Boto3SessionModule,
                        _ => continue,
                    };
                    let bound = a.asname.as_ref().unwrap_or(&a.name).id.to_string();
                    self.scopes.last_mut().expect("a scope").insert(bound, b);
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Walker {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.import(stmt),
            Stmt::Assign(a) => {
                self.visit_expr(&a.value);
                let b = self.classify(&a.value);
                for t in &a.targets {
                    self.bind(t, b.clone());
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.visit_expr(v);
                    let b = self.classify(v);
                    self.bind(&a.target, b);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(v) = &item.optional_vars {
                        let b = self.classify(&item.context_expr);
                        self.bind(v, b);
                    }
                }
                for s in &w.body {
                    self.visit_stmt(s);
                }
            }
            Stmt::FunctionDef(f) => {
                for d in &f.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.scopes.push(HashMap::new());
                for s in &f.body {
                    self.visit_stmt(s);
                }
                self.scopes.pop();
            }
            Stmt::ClassDef(c) => {
                self.scopes.push(HashMap::new());
                for s in &c.body {
                    self.visit_stmt(s);
                }
                self.scopes.pop();
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.counting {
            if let Expr::Call(c) = expr {
                match self.classify(&c.func) {
                    Some(Binding::ClientFn) => {
                        *self.usage.instantiations.entry((self.service_of(c), Kind::Client)).or_default() += 1;
                    }
                    Some(Binding::ResourceFn) => {
                        *self.usage.instantiations.entry((self.service_of(c), Kind::Resource)).or_default() += 1;
                    }
                    _ => {
                        if let Expr::Attribute(a) = c.func.as_ref() {
                            if let Some(Binding::Client(s) | Binding::Resource(s)) = self.classify(&a.value) {
                                let m = a.attr.id.as_str();
                                if is_api(&s, m) {
                                    *self.usage.calls.entry((s, m.to_string())).or_default() += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}
