//! Expressions: names, attributes, subscripts, operators, literals,
//! comprehensions and f-strings, with the taint and string shape of each
//! value; environment variables and secret fields as sources.

use super::*;

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    pub fn eval(&mut self, expr: &'p Expr) -> Value {
        if self.expr_depth > MAX_EXPR_DEPTH {
            return Value::default();
        }
        self.expr_depth += 1;
        let v = self.eval_inner(expr);
        self.expr_depth -= 1;
        v
    }

    pub(super) fn eval_inner(&mut self, expr: &'p Expr) -> Value {
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

    pub(super) fn eval_seq(&mut self, elts: &'p [Expr], kind: Kind) -> Value {
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

    pub(super) fn eval_comprehension(&mut self, gens: &'p [ast::Comprehension], elt: &'p Expr, key: Option<&'p Expr>) -> Value {
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

    pub(super) fn eval_fstring(&mut self, f: &'p ast::ExprFString) -> Value {
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
                                taint.union(&v.deep_taint());
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
        taint.union(&r.deep_taint());
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
        Value { taint, str, kind, ..Value::default() }
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
                let mut v = self.get_any(&base);
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
        let key = Key::attr(&attr);
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
                            v.taint.union(&any.deep_taint());
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
                v.set(Key::attr("__method__"), Value::string(SymStr::lit(attr)));
                v
            }
        }
    }

    pub(super) fn maybe_source_attribute(&mut self, v: Value, expr: &'p Expr) -> Value {
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
