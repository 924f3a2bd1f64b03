//! Calls: into the application's functions and classes, to modelled
//! library functions (sources, sanitizers, callbacks, string and file
//! methods), and to everything else (whose result carries the taint of
//! its inputs). A call's sinks are checked in `sinks.rs`; library
//! functions whose effect on values is known are `builtins.rs`.

use ruff_python_ast::{self as ast, Expr};

use crate::program::FuncId;

use super::interp::{Args, Interp};
use super::label::{Site, Source, Taint};
use super::models::{CallbackModel, Pass};
use super::builtins::{json_shape, recoded, str_format};
use super::value::{Key, Kind, Value};

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    pub fn eval_call(&mut self, c: &'p ast::ExprCall) -> Value {
        if let Expr::Attribute(a) = c.func.as_ref() {
            if let Some((method, receiver, self_name)) = self.super_method(&a.value, a.attr.as_str()) {
                let args = self.eval_args(&c.arguments);
                let (ret, after) = self.call_function(method, args, Some(receiver));
                if let Some(after) = after {
                    self.bind(&self_name, after);
                }
                return ret;
            }
        }
        let mut modelled = None;
        let (callee, receiver_expr) = match c.func.as_ref() {
            Expr::Attribute(a) => {
                let base = self.eval(&a.value);
                let callee = self.attribute(&base, a.attr.as_str());
                // `jwt.encode(...)` with a copy of PyJWT in the tree: the
                // model of `jwt.encode` says more than following its code.
                if let (Kind::Module(file), Kind::Func(_) | Kind::Bound(_) | Kind::Class(_)) = (&base.kind, &callee.kind) {
                    let path = format!("{}.{}", self.ctx.program.files[*file].module, a.attr);
                    if self.ctx.taint.call_models(&path).named_exactly {
                        modelled = Some(path);
                    }
                }
                (callee, Some(&*a.value))
            }
            other => (self.eval(other), None),
        };
        let args = self.eval_args(&c.arguments);
        if let Some(path) = modelled {
            let site = self.site(c);
            return self.call_external(&path, &Value::qual(path.clone()), args, site);
        }
        if let Kind::Qual(path) = &callee.kind {
            let validated = self.validated_argument(path, c, &args);
            let site = self.site(c);
            let v = self.call_external(path, &callee, args, site);
            if let Some((place, clean)) = validated {
                self.store_back(place, clean);
            }
            return v;
        }
        self.call_value(&callee, args, &|i: &Self| i.site(c), receiver_expr)
    }

    /// Calls what a value holds: an application function or method, a
    /// class, a library callable, a method of a value; `place` is where a
    /// method's receiver came from, updated with what the method did to it.
    /// The call's site is made only for library calls, which record it:
    /// making one for each call into the application (its file, line and
    /// function name, as strings) was up to 4% of an app's taint stage.
    pub fn call_value(&mut self, callee: &Value, args: Args, site: &dyn Fn(&Self) -> Site, place: Option<&'p Expr>) -> Value {
        match callee.kind.clone() {
            Kind::Func(id) => self.call_function(id, args, None).0,
            Kind::Bound(id) => {
                let receiver = callee.fields.get(&Key::Id(0)).cloned().unwrap_or_default();
                let (ret, after) = self.call_function(id, args, Some(receiver));
                if let (Some(place), Some(after)) = (place, after) {
                    self.store_back(place, after);
                }
                ret
            }
            Kind::Class(cid) => {
                let instance = Value::of_kind(Kind::Instance(cid));
                match self.method_of(cid, "__init__") {
                    Some(init) => self.call_function(init, args, Some(instance)).1.unwrap_or_default(),
                    None => {
                        let mut v = instance;
                        v.taint = args.all_taint();
                        v
                    }
                }
            }
            Kind::Qual(path) => {
                let site = site(self);
                self.call_external(&path, callee, args, site)
            }
            _ => match (callee.fields.get(&Key::Id(0)), callee.fields.get(&Key::attr("__method__"))) {
                (Some(receiver), Some(method)) => {
                    let receiver = receiver.clone();
                    let method = method.str.as_ref().and_then(|s| s.as_lit()).unwrap_or_default().to_string();
                    let site = site(self);
                    self.call_method(receiver, &method, args, site, place)
                }
                _ => {
                    let mut t = args.all_taint();
                    t.union(&callee.taint);
                    Value::tainted(t)
                }
            },
        }
    }

    /// A library call that runs a function it is given (`executor.submit(f,
    /// x)`, `pool.map(f, xs)`, `Thread(target=f, args=(x,))`,
    /// `joblib.delayed(f)`): the function runs here with what the call
    /// passes on. `None` when the callee is no such call.
    fn callback(&mut self, path: &str, model: &CallbackModel, args: &Args, site: &Site) -> Option<Value> {
        let function = match &model.keyword {
            Some(k) => args.kw(k).or_else(|| args.pos.get(model.function)),
            None => args.pos.get(model.function),
        }?
        .clone();
        if !matches!(function.kind, Kind::Func(_) | Kind::Bound(_) | Kind::Class(_)) {
            return None;
        }
        Some(match model.pass {
            Pass::Itself => function,
            Pass::Later => {
                let input = Value::tainted(self.entry.request.clone());
                self.call_value(&function, Args { pos: vec![input.clone(), input], ..Args::default() }, &|_: &Self| site.clone(), None);
                Value::qual(format!("{path}()"))
            }
            Pass::Rest => {
                let passed = Args {
                    pos: args.pos.iter().skip(model.function + 1).cloned().collect(),
                    kw: args.kw.iter().filter(|(k, _)| Some(k) != model.keyword.as_ref()).cloned().collect(),
                    spread: args.spread.clone(),
                };
                // What comes back is a future: its `result()` is the
                // function's return value, as far as its taint goes.
                self.call_value(&function, passed, &|_: &Self| site.clone(), None).taint_only()
            }
            Pass::Each => {
                let mut results = Value::of_kind(Kind::List);
                let mut joined = Value::default();
                for iterable in args.pos.iter().skip(model.function + 1) {
                    let element = self.element_of(iterable);
                    let ret = self.call_value(&function, Args { pos: vec![element], ..Args::default() }, &|_: &Self| site.clone(), None);
                    joined = joined.join(&ret);
                }
                results.set(Key::Elem, joined);
                results
            }
            Pass::ArgsKeyword => {
                let pos = args.kw("args").map(|t| {
                    let n = t.fields.keys().filter(|k| matches!(k, Key::Index(_))).count();
                    if n == 0 { vec![t.get_any()] } else { (0..n as i64).map(|i| t.get(&Key::Index(i))).collect() }
                });
                let kw = args.kw("kwargs").map(|d| d.fields.iter().filter_map(|(k, v)| match k {
                    Key::Item(name) => Some((name.to_string(), v.clone())),
                    _ => None,
                }).collect());
                let passed = Args { pos: pos.unwrap_or_default(), kw: kw.unwrap_or_default(), spread: None };
                self.call_value(&function, passed, &|_: &Self| site.clone(), None);
                Value::qual("threading.Thread()")
            }
        })
    }

    /// A validator (`uuid.UUID(x)`, `datetime.strptime(x, fmt)`) raises
    /// unless its first argument is harmless: past the call, that argument
    /// as the code names it (a variable, a field) is clean too.
    fn validated_argument(&mut self, path: &str, c: &'p ast::ExprCall, args: &Args) -> Option<(&'p Expr, Value)> {
        let models = self.ctx.taint.call_models(path);
        let model = models.sanitizer.as_ref().filter(|m| m.validates)?;
        let place = c.arguments.args.first().filter(|e| matches!(e, Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_)))?;
        let mut v = args.pos.first()?.clone();
        if !v.is_tainted() {
            return None;
        }
        if model.vulnerabilities.iter().any(|c| c == "*") {
            v.retain_labels(&mut |_| false);
        } else {
            let labels = &mut self.world.labels;
            v = v.map_labels(&mut |l| model.vulnerabilities.iter().fold(l, |id, c| labels.sanitize(id, c)));
        }
        Some((place, v))
    }

    /// `super().name` or `super(Class, self).name` in a method of an
    /// application class: the method a base class of the application
    /// defines, with the method's receiver and the name it is bound to.
    /// A library base (`super().__init__()` of `Exception`) is no answer.
    fn super_method(&mut self, base: &Expr, name: &str) -> Option<(FuncId, Value, String)> {
        let Expr::Call(call) = base else { return None };
        if !matches!(call.func.as_ref(), Expr::Name(n) if n.id.as_str() == "super") {
            return None;
        }
        let func = self.frames.last()?.func?;
        let info = self.ctx.index.func(func);
        let class = info.class?;
        let self_name = info.def.parameters.posonlyargs.iter().chain(&info.def.parameters.args).next()?.parameter.name.to_string();
        let index = self.ctx.index;
        let method = index.find_in_ancestors(class, |c| if c == class { None } else { index.class(c).methods.get(name).copied() })?;
        let receiver = self.lookup(&self_name);
        Some((method, receiver, self_name))
    }

    /// A method called on a value that is not an application object.
    fn call_method(&mut self, recv: Value, method: &str, args: Args, site: Site, place: Option<&'p Expr>) -> Value {
        if let Kind::Boto(b) = &recv.kind {
            let b = b.clone();
            return self.boto_call(&recv, &b, method, args, site);
        }
        if recv.kind == Kind::File {
            return self.file_method(&recv, method, &args);
        }
        if let Some(model) = self.ctx.taint.method_sanitizer(method) {
            let classes = model.vulnerabilities.clone();
            let mut v = Value::tainted(args.all_taint());
            v.kind = Kind::Str;
            if !classes.iter().any(|c| c == "*") {
                for l in recv.deep_taint() {
                    let mut id = l;
                    for c in &classes {
                        id = self.world.labels.sanitize(id, c);
                    }
                    v.taint.insert(id);
                }
            }
            return v;
        }
        // What the receiver and arguments carry, taken only by the methods
        // that pass it on: `get` and `items` on a large dict are common,
        // and the whole receiver's taint costs a walk over all of it.
        let all_taint = |recv: &Value, args: &Args| {
            let mut taint = recv.deep_taint();
            taint.extend(args.all_taint());
            taint
        };
        let arg0 = args.pos.first().cloned().unwrap_or_default();
        match method {
            "format" | "format_map" if recv.kind == Kind::Str || recv.str.is_some() => {
                let mut v = Value::string(str_format(recv.str.as_ref(), &args));
                v.taint = all_taint(&recv, &args);
                v
            }
            "join" if recv.kind == Kind::Str => {
                let mut v = Value::tainted(recv.taint.clone());
                v.add_taint(&arg0.element().deep_taint());
                v.add_taint(&arg0.taint);
                v.kind = Kind::Str;
                v
            }
            "split" | "rsplit" | "splitlines" | "partition" | "rpartition" => {
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, Value { taint: all_taint(&recv, &args), kind: Kind::Str, ..Value::default() });
                v
            }
            "startswith" | "endswith" | "isdigit" | "isalnum" | "isalpha" | "isnumeric" | "isdecimal" | "count" | "find" | "index" | "rfind" => {
                Value::of_kind(Kind::Bool)
            }
            "get" if recv.kind != Kind::Str => {
                let key = self.key_of(&arg0);
                let mut v = match key {
                    Some(k) => {
                        let v = recv.get(&k);
                        let v = self.signed_field(&k, v);
                        self.secret_field(&k, v)
                    }
                    None => self.get_any(&recv),
                };
                if let Some(d) = args.get(1, "default") {
                    v = if v == Value::default() { d.clone() } else { v.join(d) };
                }
                v
            }
            "items" | "iteritems" => {
                let mut pair = Value::of_kind(Kind::Tuple);
                pair.set(Key::Index(0), Value { taint: recv.taint.clone(), kind: Kind::Str, ..Value::default() });
                pair.set(Key::Index(1), self.get_any(&recv));
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, pair);
                v
            }
            "values" | "itervalues" => {
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, self.get_any(&recv));
                v
            }
            "keys" | "iterkeys" => {
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, Value::tainted(recv.taint.clone()));
                v
            }
            "pop" | "setdefault" if recv.kind != Kind::List => {
                let mut v = match self.key_of(&arg0) {
                    Some(k) => recv.get(&k),
                    None => self.get_any(&recv),
                };
                if let Some(d) = args.pos.get(1) {
                    v = v.join(d);
                }
                v
            }
            "replace" if recv.kind == Kind::Str || recv.str.is_some() || args.pos.len() >= 2 => {
                // What is replaced leaves the text; what replaces it enters.
                let mut v = Value::tainted(recv.deep_taint());
                if let Some(new) = args.get(1, "new") {
                    v.add_taint(&new.deep_taint());
                }
                v.kind = Kind::Str;
                v
            }
            "pop" => self.get_any(&recv),
            "copy" | "__enter__" => recv,
            "append" | "add" | "extend" | "insert" | "update" | "appendleft" => {
                let mut updated = recv.clone();
                match method {
                    "update" => {
                        for (k, v) in arg0.fields.iter() {
                            updated.set(k.clone(), v.clone());
                        }
                        for (k, v) in &args.kw {
                            updated.set(Key::item(&k), v.clone());
                        }
                        updated.add_taint(&arg0.taint);
                    }
                    _ => {
                        let item = match method {
                            "extend" => arg0.element(),
                            "insert" => args.pos.get(1).cloned().unwrap_or_default(),
                            _ => arg0.clone(),
                        };
                        let joined = updated.get(&Key::Elem).join(&item);
                        updated.set(Key::Elem, joined);
                        if updated.kind == Kind::Unknown {
                            updated.kind = Kind::List;
                        }
                    }
                }
                if let Some(place) = place {
                    self.store_back(place, updated);
                }
                Value::of_kind(Kind::None)
            }
            _ => {
                // `key.sign(msg)` on a key object is a signature, not the
                // key; the methods of text and containers give it back.
                if self.ctx.taint.method_keeps_document(method) && recv.fields.contains_key(&json_shape()) {
                    return recoded(&recv);
                }
                let taint = all_taint(&recv, &args);
                let taint = if self.ctx.taint.method_reveals_secret(method) { taint } else { self.conceal_secrets(taint) };
                let mut v = Value::tainted(taint);
                if recv.kind == Kind::Str || matches!(method, "encode" | "decode" | "lower" | "upper" | "strip" | "lstrip" | "rstrip" | "replace" | "title") {
                    v.kind = Kind::Str;
                }
                v
            }
        }
    }

    fn file_method(&mut self, file: &Value, method: &str, args: &Args) -> Value {
        match method {
            "write" | "writelines" => {
                let data = args.pos.first().cloned().unwrap_or_default();
                self.file_write(file, &data);
                Value::of_kind(Kind::None)
            }
            "read" | "readline" | "readlines" | "__iter__" | "__next__" => self.file_content(file),
            "__enter__" => file.clone(),
            _ => Value::default(),
        }
    }

    /// A call to something outside the application, named by its dotted
    /// path.
    pub fn call_external(&mut self, path: &str, callee: &Value, args: Args, site: Site) -> Value {
        let models = self.ctx.taint.call_models(path);
        self.check_sinks(path, &models, callee, &args, &site);
        self.note_verifier(path, &args);
        if let Some(model) = &models.callback {
            if let Some(v) = self.callback(path, model, &args, &site) {
                return v;
            }
        }
        if let Some(v) = self.call_builtin(path, &models, &args, &site) {
            return v;
        }
        if let Some(i) = models.created_file_element {
            let mut v = Value::of_kind(Kind::Tuple);
            v.set(Key::Index(i), Value::created_file_name());
            return v;
        }
        if let Some(v) = self.boto_constructor(path, &args) {
            return v;
        }
        // A method of text or of a date called on what a library returned
        // (`Path(url).stem.replace(old, new)`, `parse(s).strftime(fmt)`):
        // the method's own model applies.
        if let Some((_, method)) = path.rsplit_once('.').filter(|(on, _)| on.contains("()")) {
            if (method == "replace" && args.pos.len() >= 2) || self.ctx.taint.method_sanitizer(method).is_some() {
                let recv = Value { taint: callee.taint.clone(), kind: Kind::Str, ..Value::default() };
                return self.call_method(recv, method, args, site, None);
            }
        }
        self.note_adapter(path);
        if let Some(src) = if self.in_main() { models.source_in_main } else { models.source } {
            let t = self.label(Source::new(src.kind, site.clone(), path, src.secret));
            if src.namespace {
                // Each attribute is input, the object itself is not: a
                // check on `args.service` leaves `args.region` tainted.
                let mut v = Value::qual(format!("{path}()"));
                v.set(Key::Elem, Value::tainted(t));
                return v;
            }
            let mut v = Value::tainted(t);
            v.kind = Kind::Str;
            return v;
        }
        let mut taint = args.all_taint();
        if let Some(model) = &models.sanitizer {
            let (classes, arguments_only) = (model.vulnerabilities.clone(), model.arguments_only);
            let mut v = if arguments_only {
                let mut q = Value::qual(format!("{path}()"));
                q.taint = callee.taint.clone();
                q
            } else {
                taint.union(&callee.taint);
                Value::default()
            };
            if !classes.iter().any(|c| c == "*") {
                for l in taint {
                    let mut id = l;
                    for c in &classes {
                        id = self.world.labels.sanitize(id, c);
                    }
                    v.taint.insert(id);
                }
            }
            return v;
        }
        if !models.reveals_secret {
            taint = self.conceal_secrets(taint);
        }
        taint.union(&callee.taint);
        let mut v = Value::qual(format!("{path}()"));
        v.taint = taint;
        v
    }

    /// What a library call makes of the secrets in its arguments: a hash,
    /// a length, a signed token, a client opened with them. None of it
    /// reveals the secret, so its labels are sanitized for the secret
    /// class; attacker input keeps flowing as before.
    fn conceal_secrets(&mut self, taint: Taint) -> Taint {
        taint.into_iter().map(|l| self.world.labels.conceal(l)).collect()
    }

}
