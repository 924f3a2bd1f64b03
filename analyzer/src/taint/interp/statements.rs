//! Statements: blocks in order, loops to a fixpoint (a short literal list
//! run once per element), `try`, classes, imports, assignments. Code after
//! `return`, `raise` or an exit call is unreachable.

use super::*;

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
/// Statements that change their frame's environment only by binding
/// names (`Interp::bind`), never by replacing it with a join of paths.
fn binds_only(stmt: &Stmt) -> bool {
    matches!(
        stmt,
        Stmt::Expr(_)
            | Stmt::Assign(_)
            | Stmt::AnnAssign(_)
            | Stmt::AugAssign(_)
            | Stmt::Import(_)
            | Stmt::ImportFrom(_)
            | Stmt::Pass(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Assert(_)
            | Stmt::Delete(_)
    )
}

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

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    pub fn exec_block(&mut self, body: &'p [Stmt]) {
        for stmt in body {
            if self.frame().env.is_none() {
                return;
            }
            let mark = self.frame().written.len();
            self.exec(stmt);
            let frame = self.frame();
            if let (Some(env), Some(acc)) = (frame.env.as_ref(), frame.try_snapshots.last_mut()) {
                match acc {
                    Some(acc) if binds_only(stmt) => join_names(acc, env, &frame.written[mark..]),
                    _ => *acc = join_env(acc.take(), Some(env.clone())),
                }
            }
            frame.written.truncate(mark);
        }
    }

    pub(super) fn exec(&mut self, stmt: &'p Stmt) {
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

    pub(super) fn exec_loop(&mut self, target: Option<(&'p Expr, Value)>, body: &'p [Stmt], orelse: &'p [Stmt]) {
        let entry = self.frame().env.clone();
        let mut head = entry.clone();
        let saved_exits = std::mem::take(&mut self.frame().loop_exits);
        let reads = self.ctx.loop_reads(body, target.as_ref().map(|(t, _)| *t));
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
    pub(super) fn exec_unrolled(&mut self, target: &'p Expr, elements: &'p [Expr], body: &'p [Stmt], orelse: &'p [Stmt]) {
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

    pub(super) fn exec_try(&mut self, s: &'p ast::StmtTry) {
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

    pub(super) fn exec_class(&mut self, def: &'p ast::StmtClassDef) {
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
                            class_value.set(Key::attr(&n.id), v.clone());
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(value)) = (a.target.as_ref(), &a.value) {
                        let v = self.eval(value);
                        class_value.set(Key::attr(&n.id), v);
                    }
                }
                _ => {}
            }
        }
        self.frame().env = outer;
        self.class_values.insert(id, class_value.clone());
        if self.frames.last().is_some_and(|f| f.func.is_some()) {
            self.effect();
        }
        self.bind(def.name.as_str(), class_value);
    }

    /// An import of a library that calls AWS behind boto3: the running
    /// function's needs for its services are unknown (see `privilege.rs`).
    pub(super) fn note_aws_library(&mut self, module: &str, at: &impl ruff_text_size::Ranged) {
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

    pub(super) fn exec_import_from(&mut self, s: &'p ast::StmtImportFrom) {
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

    pub(super) fn import_module_value(&mut self, dotted: &str) -> Value {
        match self.ctx.program.resolve_module(dotted, Some(self.file())) {
            Some(f) => Value::of_kind(Kind::Module(f)),
            None => Value::qual(dotted),
        }
    }

    /// The value bound by `with x as y`.
    pub(super) fn enter(&mut self, v: &Value) -> Value {
        if let Kind::Instance(cid) = v.kind {
            if let Some(m) = self.method_of(cid, "__enter__") {
                let (ret, _) = self.call_function(m, Args::default(), Some(v.clone()));
                return ret;
            }
        }
        v.clone()
    }

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
                base.set(Key::attr(&a.attr), value);
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

    pub(super) fn assign_seq(&mut self, targets: &'p [Expr], value: Value) {
        for (i, t) in targets.iter().enumerate() {
            let part = if matches!(t, Expr::Starred(_)) { value.clone() } else { value.get(&Key::Index(i as i64)) };
            self.assign(t, part);
        }
    }

    /// The value of a local variable moved out of the environment, for an
    /// update of one of its parts that the caller binds back: a copy
    /// would share its fields, and the update would copy all of them.
    pub(super) fn take_local(&mut self, place: &Expr) -> Option<Value> {
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
            return Some(Key::item(&s));
        }
        None
    }
}
