//! Calls into the application's own functions: arguments bound to
//! parameters, results memoised per actual arguments, recursion run to a
//! fixpoint.

use super::*;

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    pub fn method_of(&self, cid: ClassId, name: &str) -> Option<FuncId> {
        self.ctx.index.method_resolving_bases(cid, name)
    }

    /// Runs an application function with the given arguments and returns
    /// its return value and, for methods, the receiver as it is afterwards.
    pub fn call_function(&mut self, id: FuncId, args: Args, receiver: Option<Value>) -> (Value, Option<Value>) {
        let key = {
            let mut h = rustc_hash::FxHasher::default();
            id.hash(&mut h);
            for v in args.pos.iter().chain(args.kw.iter().map(|(_, v)| v)).chain(args.spread.iter()).chain(receiver.iter()) {
                v.hash_outline(&mut h, MEMO_HASH_DEPTH);
            }
            args.kw.iter().for_each(|(k, _)| k.hash(&mut h));
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
                t.union(&r.deep_taint());
            }
            return (Value::tainted(t), receiver);
        }
        if let Some(r) = self.carried_result(key, id, &args, &receiver) {
            self.memo.entry(key).or_default().push((id, args, receiver, r.clone()));
            return r;
        }
        let depth = self.stack.len();
        let outer_lowest = std::mem::replace(&mut self.recursion.lowest_used, usize::MAX);
        let inputs = (args.clone(), receiver.clone());
        let reads_from = self.world.run_reads.len();
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
            self.carry_call(key, id, &inputs.0, &inputs.1, &result, reads_from);
            self.memo.entry(key).or_default().push((id, inputs.0, inputs.1, result.clone()));
        }
        result
    }

    /// One run of an application function's body.
    pub(super) fn run_function(&mut self, id: FuncId, args: Args, receiver: Option<Value>) -> (Value, Option<Value>) {
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

    pub(super) fn bind_params(&mut self, def: &'p ast::StmtFunctionDef, args: Args, receiver: Option<Value>) {
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
                d.set(Key::Item(k.into()), v);
            }
            if let Some(s) = &spread {
                d.add_taint(&s.deep_taint());
            }
            self.bind(ka.name.as_str(), d);
        }
    }

    /// A parameter not given positionally: its keyword argument, else what
    /// `*args`/`**kwargs` may carry, else its default.
    pub(super) fn param_value(&mut self, p: &'p ast::ParameterWithDefault, kw: &mut Vec<(String, Value)>, spread: &Option<Value>) -> Value {
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
                            args.kw.push((name.to_string(), fv));
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
}
