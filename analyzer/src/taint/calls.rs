//! Calls: into the application's functions and classes, to modelled
//! library functions (sources, sinks, sanitizers, string and container
//! operations), and to everything else (whose result carries the taint of
//! its inputs).

use ruff_python_ast::{self as ast, Expr};

use crate::program::FuncId;
use crate::sym::{Piece, SymStr};

use super::interp::{Args, Interp};
use super::label::{Site, Source, SourceKind, Taint};
use super::models::{CallModels, CallbackModel, Condition, Pass, SinkModel};
use super::value::{names_created_file, Key, Kind, Value};

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
        let site = self.site(c);
        if let Some(path) = modelled {
            return self.call_external(&path, &Value::qual(path.clone()), args, site);
        }
        if let Kind::Qual(path) = &callee.kind {
            let validated = self.validated_argument(path, c, &args);
            let v = self.call_external(path, &callee, args, site);
            if let Some((place, clean)) = validated {
                self.store_back(place, clean);
            }
            return v;
        }
        self.call_value(&callee, args, site, receiver_expr)
    }

    /// Calls what a value holds: an application function or method, a
    /// class, a library callable, a method of a value; `place` is where a
    /// method's receiver came from, updated with what the method did to it.
    pub fn call_value(&mut self, callee: &Value, args: Args, site: Site, place: Option<&'p Expr>) -> Value {
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
            Kind::Qual(path) => self.call_external(&path, callee, args, site),
            _ => match (callee.fields.get(&Key::Id(0)), callee.fields.get(&Key::Attr("__method__".into()))) {
                (Some(receiver), Some(method)) => {
                    let receiver = receiver.clone();
                    let method = method.str.as_ref().and_then(|s| s.as_lit()).unwrap_or_default().to_string();
                    self.call_method(receiver, &method, args, site, place)
                }
                _ => {
                    let mut t = args.all_taint();
                    t.extend(callee.taint.iter().copied());
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
                self.call_value(&function, Args { pos: vec![input.clone(), input], ..Args::default() }, site.clone(), None);
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
                self.call_value(&function, passed, site.clone(), None).taint_only()
            }
            Pass::Each => {
                let mut results = Value::of_kind(Kind::List);
                let mut joined = Value::default();
                for iterable in args.pos.iter().skip(model.function + 1) {
                    let element = self.element_of(iterable);
                    let ret = self.call_value(&function, Args { pos: vec![element], ..Args::default() }, site.clone(), None);
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
                    Key::Item(name) => Some((name.clone(), v.clone())),
                    _ => None,
                }).collect());
                let passed = Args { pos: pos.unwrap_or_default(), kw: kw.unwrap_or_default(), spread: None };
                self.call_value(&function, passed, site.clone(), None);
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
        let mut taint = recv.deep_taint();
        taint.extend(args.all_taint());
        let arg0 = args.pos.first().cloned().unwrap_or_default();
        match method {
            "format" | "format_map" if recv.kind == Kind::Str || recv.str.is_some() => {
                let mut v = Value::string(str_format(recv.str.as_ref(), &args));
                v.taint = taint;
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
                v.set(Key::Elem, Value { taint, kind: Kind::Str, ..Value::default() });
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
                    None => recv.get_any(),
                };
                if let Some(d) = args.get(1, "default") {
                    v = if v == Value::default() { d.clone() } else { v.join(d) };
                }
                v
            }
            "items" | "iteritems" => {
                let mut pair = Value::of_kind(Kind::Tuple);
                pair.set(Key::Index(0), Value { taint: recv.taint.clone(), kind: Kind::Str, ..Value::default() });
                pair.set(Key::Index(1), recv.get_any());
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, pair);
                v
            }
            "values" | "itervalues" => {
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, recv.get_any());
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
                    None => recv.get_any(),
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
            "pop" => recv.get_any(),
            "copy" | "__enter__" => recv,
            "append" | "add" | "extend" | "insert" | "update" | "appendleft" => {
                let mut updated = recv.clone();
                match method {
                    "update" => {
                        for (k, v) in arg0.fields.iter() {
                            updated.set(k.clone(), v.clone());
                        }
                        for (k, v) in &args.kw {
                            updated.set(Key::Item(k.clone()), v.clone());
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
        self.note_verifier(path);
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
                taint.extend(callee.taint.iter().copied());
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
        taint.extend(callee.taint.iter().copied());
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

    /// Checks every sink model that matches the callee.
    fn check_sinks(&mut self, path: &str, models: &CallModels, callee: &Value, args: &Args, site: &Site) {
        for sink in &models.sinks {
            let mut foreign_host = None;
            if let Some(cond) = sink.condition {
                if cond == Condition::ForeignHost {
                    let url = sink.args.first().and_then(|&i| args.pos.get(i)).or_else(|| args.kw("url"));
                    match url.and_then(|u| u.str.as_ref()).and_then(literal_host) {
                        Some(host) => foreign_host = Some(host),
                        None => continue,
                    }
                } else if !condition_holds(cond, &sink, args, &|n| self.ctx.configured_note(n)) {
                    continue;
                }
            }
            // A path that starts with a file the code created reaches no
            // other file; the call's other paths (`os.rename`'s target)
            // still count.
            let counts = |v: &Value| sink.condition != Some(Condition::PathOpen) || !v.str.as_ref().is_some_and(names_created_file);
            let mut taint = Taint::new();
            for v in sink.args.iter().filter_map(|&i| args.pos.get(i)).chain(sink.keywords.iter().filter_map(|k| args.kw(k))) {
                if counts(v) {
                    taint.extend(v.deep_taint());
                }
            }
            if let Some(s) = &args.spread {
                taint.extend(s.deep_taint());
            }
            if sink.receiver {
                taint.extend(callee.taint.iter().copied());
            }
            if let Some(host) = &foreign_host {
                let labels = &self.world.labels;
                taint.retain(|&l| {
                    let source = labels.source_of(l);
                    let name = source.what.strip_prefix("env ").filter(|_| source.kind == SourceKind::Env);
                    name.and_then(|n| crate::secrets::sent_elsewhere(n, host)) == Some(true)
                });
            }
            let name = sink.report_as.clone().unwrap_or_else(|| path.to_string());
            self.world.add_findings(&sink.vulnerability, &name, site, &taint);
        }
    }

    /// Library functions whose effect on values the interpreter knows.
    fn call_builtin(&mut self, path: &str, models: &CallModels, args: &Args, site: &Site) -> Option<Value> {
        let arg0 = args.pos.first().cloned().unwrap_or_default();
        if models.keeps_string {
            let mut v = arg0.taint_only();
            v.kind = Kind::Str;
            v.str = arg0.str.clone();
            return Some(v);
        }
        if models.keeps_document {
            return Some(recoded(&arg0));
        }
        let v = match path {
            "str" | "repr" | "format" | "unicode" => {
                let mut v = arg0.taint_only();
                v.kind = Kind::Str;
                v.str = if path == "str" { arg0.str.clone() } else { None };
                v
            }
            "os.path.join" | "posixpath.join" | "ntpath.join" => {
                let mut s: Option<SymStr> = None;
                let mut taint = Taint::new();
                for a in &args.pos {
                    taint.extend(a.deep_taint());
                    let part = a.str.clone().unwrap_or_else(|| SymStr::any("path"));
                    s = Some(match s {
                        None => part,
                        Some(_) if part.known_prefix().starts_with('/') => part,
                        // A part that may be absolute may replace a created
                        // file's name.
                        Some(prev) if part.known_prefix().is_empty() && names_created_file(&prev) => SymStr::any("path").concat(&part),
                        Some(prev) => {
                            let mut joined = prev.clone();
                            if !prev.known_suffix().ends_with('/') || prev.as_lit() == Some("") {
                                joined.push_lit("/");
                            }
                            joined.concat(&part)
                        }
                    });
                }
                let mut v = Value::string(s.unwrap_or_default());
                v.taint = taint;
                v
            }
            "os.getenv" | "os.environ.get" => self.env_var(&arg0, args.get(1, "default"), site),
            "open" | "io.open" | "codecs.open" | "builtins.open" | "gzip.open" | "bz2.open" => {
                let mut f = Value::of_kind(Kind::File);
                f.set(Key::Id(0), args.get(0, "file").cloned().unwrap_or_default());
                f
            }
            "json.loads" | "json.load" | "simplejson.loads" | "ujson.loads" | "orjson.loads" | "ast.literal_eval" => {
                let src = if arg0.kind == Kind::File { self.file_content(&arg0) } else { arg0.clone() };
                match src.fields.get(&json_shape()) {
                    Some(shape) => {
                        // Text joined from another origin (a branch that
                        // built it otherwise) keeps that origin's taint whole.
                        let known = shape.deep_taint();
                        let mut v = shape.clone();
                        let other: Taint = src.taint.iter().filter(|l| !known.contains(l)).copied().collect();
                        v.add_taint(&other);
                        v
                    }
                    None => Value::tainted(src.deep_taint()),
                }
            }
            "json.dumps" | "simplejson.dumps" | "ujson.dumps" | "orjson.dumps" => {
                // The text is tainted as a whole (a sink reading it sees
                // every part), and keeps the structure it was made from for
                // the `json.loads` that reads it back, through queues and
                // topics too: a message's clean fields stay clean.
                let mut v = arg0.taint_only();
                v.kind = Kind::Str;
                if !arg0.fields.is_empty() {
                    v.set(json_shape(), arg0.truncated(JSON_SHAPE_DEPTH));
                }
                v
            }
            "json.dump" => {
                if let Some(f) = args.pos.get(1) {
                    self.file_write(f, &arg0);
                }
                Value::of_kind(Kind::None)
            }
            "dict" => {
                let mut v = if arg0.kind == Kind::Unknown && args.pos.is_empty() { Value::default() } else { arg0.clone() };
                v.kind = Kind::Dict;
                for (k, x) in &args.kw {
                    v.set(Key::Item(k.clone()), x.clone());
                }
                v
            }
            "list" | "tuple" | "set" | "sorted" | "reversed" | "frozenset" | "iter" => {
                let mut v = Value::of_kind(Kind::List);
                let elem = self.element_of(&arg0);
                v.set(Key::Elem, elem);
                v
            }
            "enumerate" => {
                let mut pair = Value::of_kind(Kind::Tuple);
                pair.set(Key::Index(0), Value::of_kind(Kind::Int));
                let elem = self.element_of(&arg0);
                pair.set(Key::Index(1), elem);
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, pair);
                v
            }
            "zip" => {
                let mut tuple = Value::of_kind(Kind::Tuple);
                for (i, a) in args.pos.iter().enumerate() {
                    let elem = self.element_of(a);
                    tuple.set(Key::Index(i as i64), elem);
                }
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, tuple);
                v
            }
            "next" => self.element_of(&arg0),
            "getattr" => {
                let name = args.pos.get(1).and_then(|n| n.str.as_ref()).and_then(|s| s.as_lit()).map(str::to_string);
                match name {
                    Some(n) => self.attribute(&arg0, &n),
                    None => arg0.taint_only(),
                }
            }
            "range" | "print" | "super" | "type" | "hasattr" | "setattr" | "delattr" => Value::default(),
            "copy.copy" | "copy.deepcopy" => arg0,
            "min" | "max" | "sum" | "any" | "all" => self.element_of(&arg0).taint_only(),
            "os.listdir" | "glob.glob" | "os.scandir" => {
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, arg0.taint_only());
                v
            }
            "io.StringIO" | "io.BytesIO" => {
                let mut v = Value::of_kind(Kind::File);
                v.set(Key::Id(0), Value::string(SymStr::any("memory")));
                v.add_taint(&arg0.deep_taint());
                v
            }
            _ => return None,
        };
        Some(v)
    }

    fn element_of(&mut self, v: &Value) -> Value {
        if v.kind == Kind::File {
            return self.file_content(v);
        }
        v.element()
    }
}

/// How deep a JSON text keeps the structure it was made from: two levels
/// (`message["scenes"][date]`); below, each part is tainted as a whole, so
/// that texts carried through calls, queues and stores stay small. Real
/// pipelines nest one map per activity in their messages (a data-cube
/// builder's scenes by date), where one level made every date the caller's
/// tile name; a third level removed nothing more on the real corpus.
const JSON_SHAPE_DEPTH: usize = 2;

/// A JSON text encoded or decoded (base64, bytes, compression): another
/// text, the same document.
fn recoded(text: &Value) -> Value {
    let mut v = text.taint_only();
    v.kind = Kind::Str;
    if let Some(shape) = text.fields.get(&json_shape()) {
        v.set(json_shape(), shape.clone());
    }
    v
}

/// Where a JSON text keeps the value it was made from.
fn json_shape() -> Key {
    Key::Attr("__json__".into())
}

fn condition_holds(cond: Condition, sink: &SinkModel, args: &Args, configured: &dyn Fn(&str) -> bool) -> bool {
    match cond {
        Condition::UrlHostOpen => {
            let url = sink.args.iter().find_map(|&i| args.pos.get(i)).or_else(|| sink.keywords.iter().find_map(|k| args.kw(k)));
            !url.and_then(|v| v.str.as_ref()).is_some_and(|u| host_is_fixed(u, configured))
        }
        Condition::Shell => {
            let shell = args.kw("shell").map(|v| v.str.as_ref().and_then(|s| s.as_lit()) != Some("False")).unwrap_or(false);
            let command_is_string = args.get(0, "args").map(|v| v.kind == Kind::Str || v.str.is_some()).unwrap_or(false);
            shell || command_is_string
        }
        // Decided in `check_sinks`, for each secret and each path.
        Condition::ForeignHost | Condition::PathOpen => true,
        Condition::YamlUnsafe => {
            let loader = args.get(1, "Loader");
            match loader.map(|l| &l.kind) {
                Some(Kind::Qual(p)) => !["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"].iter().any(|s| p.ends_with(s)),
                _ => true,
            }
        }
    }
}

/// The host of a URL whose text is known up to the end of its host
/// (`https://hooks.slack.com/` + anything).
fn literal_host(url: &SymStr) -> Option<String> {
    let known = url.known_prefix();
    let (_, rest) = known.split_once("://")?;
    let end = rest.find(['/', '?', '#', ':']).or_else(|| url.as_lit().map(|_| rest.len()))?;
    Some(rest[..end].to_string()).filter(|h| !h.is_empty())
}

/// Whether the code or its configuration picks the URL's server: the URL
/// starts with a configured base URL (an environment variable, a value of
/// the deployment file), or its text up to the end of the host
/// (`scheme://host/`) is made of literals and such configured values
/// (`f"https://{BUCKET}.s3.amazonaws.com/{key}"`).
fn host_is_fixed(url: &SymStr, configured: &dyn Fn(&str) -> bool) -> bool {
    let mut text = String::new();
    let mut configured_host = false;
    for piece in url.pieces() {
        match piece {
            Piece::Lit(t) => {
                text.push_str(t);
                if let Some((scheme, rest)) = text.split_once("://") {
                    if let Some(end) = rest.find(['/', '?', '#']) {
                        return !scheme.is_empty() && !scheme.contains('/') && (end > 0 || configured_host);
                    }
                }
            }
            Piece::Any(note) if configured(note) => {
                if text.is_empty() {
                    return true;
                }
                configured_host = true;
            }
            Piece::Any(_) => return false,
        }
    }
    false
}


/// `"{} {name}".format(a, name=b)` with a known template.
fn str_format(template: Option<&SymStr>, args: &Args) -> SymStr {
    let Some(text) = template.and_then(|t| t.as_lit()) else {
        return template.cloned().unwrap_or_default().concat(&SymStr::any("format"));
    };
    let mut out = SymStr::default();
    let mut auto = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push_lit("{");
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push_lit("}");
            }
            '{' => {
                let mut field = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    field.push(n);
                }
                let name: String = field.chars().take_while(|c| !matches!(c, '!' | ':' | '.' | '[')).collect();
                let plain = name.len() == field.len();
                let arg = if name.is_empty() {
                    auto += 1;
                    args.pos.get(auto - 1)
                } else if let Ok(i) = name.parse::<usize>() {
                    args.pos.get(i)
                } else {
                    args.kw(&name)
                };
                match arg.and_then(|a| a.str.as_ref()) {
                    Some(s) if plain => out.push(s),
                    _ => out.push_any("format"),
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.push_lit(c.encode_utf8(&mut buf));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_format_fills_known_arguments() {
        let args = Args { pos: vec![Value::string(SymStr::lit("a"))], kw: vec![("n".into(), Value::string(SymStr::lit("b")))], spread: None };
        assert_eq!(str_format(Some(&SymStr::lit("x/{}/{n}")), &args), SymStr::lit("x/a/b"));
        let s = str_format(Some(&SymStr::lit("select {0:d} from t")), &args);
        assert_eq!(s.known_prefix(), "select ");
    }
}
