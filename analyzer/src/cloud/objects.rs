//! boto3 object tracking: clients, service resources, their sub-resources
//! and collections, however they were created (`boto3.client('s3')`,
//! `from boto3 import client`, `Session().resource(...)`, `s3.Bucket(b)`,
//! `bucket.Object(k)`...), and the calls made on them, which become
//! modelled cloud API calls.

use std::collections::BTreeMap;

use crate::engine::{CloudCall, PermissionUse, StoreRead, UnmodelledCall};
use crate::infra::model::Decision;
use crate::sym::SymStr;
use crate::taint::interp::{Args, Interp};
use crate::taint::label::{Site, Source, SourceKind, Taint};
use crate::taint::value::{Boto, Key, Kind, Value};

use super::api::Api;

const SESSION: &str = "session";
const CLIENT: &str = "client";
const RESOURCE: &str = "resource";
const META: &str = "meta";
const COLLECTION: &str = "collection:";
const PAGINATOR: &str = "paginator:";

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// `boto3.client(...)`, `boto3.resource(...)`, `boto3.Session(...)`.
    pub fn boto_constructor(&mut self, path: &str, args: &Args) -> Option<Value> {
        let last = path.rsplit('.').next().unwrap_or(path);
        if !path.starts_with("boto3") {
            return None;
        }
        match last {
            "client" | "resource" => Some(self.boto_object(last, args, own_credentials(args))),
            "Session" => Some(Value::of_kind(Kind::boto(Boto { service: String::new(), class: SESSION.into(), own_credentials: own_credentials(args) }))),
            _ => None,
        }
    }

    fn boto_object(&mut self, class: &str, args: &Args, own_credentials: bool) -> Value {
        let raw = args.get(0, "service_name").and_then(|v| v.str.as_ref()).and_then(|s| s.as_lit()).unwrap_or("").to_string();
        let service = self.ctx.cloud.service_name(&raw);
        Value::of_kind(Kind::boto(Boto { service, class: class.to_string(), own_credentials }))
    }

    pub fn boto_attribute(&mut self, base: &Value, b: &Boto, attr: &str) -> Value {
        if b.class == RESOURCE && attr == META {
            return Value::of_kind(Kind::boto(b.derived(&b.service, META)));
        }
        if b.class == META && attr == CLIENT {
            return Value::of_kind(Kind::boto(b.derived(&b.service, CLIENT)));
        }
        if let Some(class) = self.ctx.cloud.resource_class(&b.service, &b.class) {
            if let Some(coll) = class.collections.get(attr) {
                let mut v = base.clone();
                v.kind = Kind::boto(b.derived(&b.service, format!("{COLLECTION}{coll}")));
                return v;
            }
            // `bucket.name`, `obj.key`, `obj.bucket_name`, `queue.url`.
            let wanted = attr.replace('_', "").to_ascii_lowercase();
            for (i, id) in class.ids.iter().enumerate() {
                let id_l = id.to_ascii_lowercase();
                let short = id_l.trim_start_matches(&b.class.to_ascii_lowercase()).to_string();
                if wanted == id_l || wanted == short || (wanted == "name" && i == class.ids.len() - 1) || (wanted == "url" && id_l.ends_with("url")) {
                    return base.get(&Key::Id(i as u8));
                }
            }
        }
        if let Some(v) = base.fields.get(&Key::attr(&attr)) {
            return v.clone();
        }
        let mut v = Value::tainted(base.taint.clone());
        v.set(Key::Id(0), base.clone());
        v.set(Key::attr("__method__"), Value::string(SymStr::lit(attr)));
        v
    }

    pub fn boto_call(&mut self, recv: &Value, b: &Boto, method: &str, args: Args, site: Site) -> Value {
        let service = b.service.clone();
        if b.class == SESSION {
            return match method {
                "client" | "resource" => self.boto_object(method, &args, b.own_credentials || own_credentials(&args)),
                _ => Value::default(),
            };
        }
        if b.class == RESOURCE {
            if let Some(class) = self.ctx.cloud.resource_class(&service, method).cloned() {
                return self.sub_resource(b, &class.name, &class.ids, Vec::new(), &args);
            }
            if service == "sqs" && method == "get_queue_by_name" {
                let name = args.get(0, "QueueName").cloned().unwrap_or_default();
                let mut q = Value::of_kind(Kind::boto(b.derived(&service, "Queue")));
                q.set(Key::Id(0), name);
                return q;
            }
            // Resource actions of a service without a model
            // (`ec2.create_instances`); a modelled service's resource has
            // its actions in the model, and a method outside it is more
            // often a client method called on the resource by mistake
            // (`dynamodb_resource.get_item`), which fails.
            if !self.ctx.cloud.services.contains_key(&service) {
                self.unmodelled(&service, method, site);
            }
            return Value::tainted(args.all_taint());
        }
        if b.class == CLIENT {
            if method == "get_paginator" {
                let op = args.get(0, "operation_name").and_then(|v| v.str.as_ref()).and_then(|s| s.as_lit()).unwrap_or("").to_string();
                return Value::of_kind(Kind::boto(b.derived(&service, format!("{PAGINATOR}{op}"))));
            }
            if service == "sqs" && method == "get_queue_url" {
                let name = args.get(0, "QueueName").cloned().unwrap_or_default();
                let mut url = SymStr::any("queue-url-prefix");
                url.push_lit("/");
                url.push(&name.str.clone().unwrap_or_else(|| SymStr::any("queue")));
                let mut u = Value::string(url);
                u.taint = name.deep_taint();
                let mut v = Value::of_kind(Kind::Dict);
                v.set(Key::item("QueueUrl"), u);
                return v;
            }
            return match self.ctx.cloud.api(&service, method).cloned() {
                Some(api) => {
                    let named = name_args(&api, &[], &args);
                    self.api_call(b, &api, named, site)
                }
                None => {
                    self.unmodelled(&service, method, site);
                    Value::tainted(args.all_taint())
                }
            };
        }
        if let Some(op) = b.class.strip_prefix(PAGINATOR) {
            if method == "paginate" {
                if let Some(api) = self.ctx.cloud.api(&service, op).cloned() {
                    let named = name_args(&api, &[], &args);
                    let page = self.api_call(b, &api, named, site);
                    let mut pages = Value::of_kind(Kind::List);
                    pages.set(Key::Elem, page);
                    return pages;
                }
            }
            return Value::default();
        }
        if let Some(coll) = b.class.strip_prefix(COLLECTION) {
            return match method {
                "all" | "filter" | "limit" | "page_size" => recv.clone(),
                other => match self.ctx.cloud.api(&service, &format!("{coll}.{other}")).cloned() {
                    Some(api) => {
                        let named = self.ids_as_params(recv, &service, &api);
                        self.api_call(b, &api, named, site)
                    }
                    None => Value::default(),
                },
            };
        }
        let Some(class) = self.ctx.cloud.resource_class(&service, &b.class).cloned() else {
            return Value::tainted(args.all_taint());
        };
        let ids: Vec<Value> = (0..class.ids.len()).map(|i| recv.fields.get(&Key::Id(i as u8)).cloned().unwrap_or_default()).collect();
        if let Some(sub) = class.subresources.get(method) {
            if let Some(sub_class) = self.ctx.cloud.resource_class(&service, sub).cloned() {
                return self.sub_resource(b, &sub_class.name, &sub_class.ids, ids, &args);
            }
        }
        let Some(api_name) = class.methods.get(method) else {
            return Value::tainted(args.all_taint());
        };
        let Some(api) = self.ctx.cloud.api(&service, api_name).cloned() else {
            return Value::default();
        };
        let id_params: Vec<(String, Value)> = class.ids.iter().cloned().zip(ids).collect();
        let named = name_args(&api, &id_params, &args);
        self.api_call(b, &api, named, site)
    }

    fn sub_resource(&mut self, b: &Boto, class: &str, id_names: &[String], mut ids: Vec<Value>, args: &Args) -> Value {
        let mut pos = args.pos.iter();
        for name in id_names.iter().skip(ids.len()) {
            let v = args.kw(name).or_else(|| pos.next()).cloned().unwrap_or_default();
            ids.push(v);
        }
        let mut v = Value::of_kind(Kind::boto(b.derived(&b.service, class)));
        for (i, id) in ids.into_iter().enumerate() {
            v.add_taint(&id.deep_taint());
            v.set(Key::Id(i as u8), id);
        }
        v
    }

    fn ids_as_params(&self, recv: &Value, service: &str, api: &Api) -> BTreeMap<String, Value> {
        let mut named = BTreeMap::new();
        let owner = self
            .ctx
            .cloud
            .services
            .get(service)
            .and_then(|s| s.resource.iter().find(|r| r.collections.values().any(|c| api.name.starts_with(&format!("{c}.")))));
        if let Some(owner) = owner {
            for (i, id) in owner.ids.iter().enumerate() {
                if let Some(v) = recv.fields.get(&Key::Id(i as u8)) {
                    named.insert(id.clone(), v.clone());
                }
            }
        }
        named
    }

    /// Iterating a boto3 collection (`for obj in bucket.objects.all()`).
    pub fn boto_iterate(&mut self, v: &Value, b: &Boto, at: &'p ruff_python_ast::Expr) -> Value {
        let Some(coll) = b.class.strip_prefix(COLLECTION) else { return v.element() };
        let service = b.service.clone();
        let Some(api) = self.ctx.cloud.api(&service, &format!("{coll}.iterate")).cloned() else {
            return Value::default();
        };
        let site = self.site(at);
        let named = self.ids_as_params(v, &service, &api);
        let listed = self.api_call(b, &api, named.clone(), site);
        let item = listed.element();
        let key = item.get(&Key::item("key"));
        let mut summary = Value::of_kind(Kind::boto(b.derived(&service, "ObjectSummary")));
        summary.set(Key::Id(0), named.get("Bucket").cloned().unwrap_or_default());
        summary.set(Key::Id(1), key.clone());
        summary.set(Key::attr("key"), key);
        summary
    }

    /// A call of a client or service resource that no model describes
    /// (`ec2.create_instances`): what it needs from IAM is unknown.
    fn unmodelled(&mut self, service: &str, method: &str, site: Site) {
        if let Some(function) = self.entry.function {
            let name = if service.is_empty() { "?" } else { service };
            let iam_prefix = self.ctx.cloud.iam_prefix(name);
            self.world.unmodelled_calls.insert(UnmodelledCall { function, site, call: format!("{name}.{method}"), iam_prefix });
        }
    }

    /// One modelled cloud API call: checks the caller's permission, then
    /// applies what the model says the call does.
    pub fn api_call(&mut self, b: &Boto, api: &Api, named: BTreeMap<String, Value>, site: Site) -> Value {
        let service = b.service.as_str();
        let arn = self.build_arn(api, &named);
        let decision = self.permission(&api.iam, &arn, b.own_credentials);
        let shown = api.resource_of(&named).iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",");
        self.world.api_sites.insert((self.entry.function, site.clone(), service.to_string(), api.name.clone(), shown));
        if let Some(function) = self.entry.function {
            self.world.permission_uses.insert(PermissionUse {
                function,
                action: api.iam.clone(),
                arn: arn.clone(),
                call: format!("{service}.{}", api.name),
                site: site.clone(),
                decision,
                own_credentials: b.own_credentials,
            });
        }
        if decision == Decision::Denied {
            return Value::default();
        }
        let mut ret = Value::of_kind(Kind::Dict);
        if let Some(src) = api.source.as_ref().filter(|src| src.when.as_ref().is_none_or(|p| named.get(p).is_some_and(|v| v.str.as_ref().and_then(|s| s.as_lit()) != Some("False")))) {
            let kind = SourceKind::parse(&src.kind).unwrap_or(SourceKind::CloudApi);
            let what = format!("{service}.{}", api.name);
            let t = self.label(Source::new(kind, site.clone(), what, src.secret));
            let mut leaf = Value::tainted(t);
            leaf.kind = Kind::Str;
            for into in &src.into {
                ret = ret.join(&Value::wrap_at_path(into, leaf.clone()));
            }
        }
        if let Some(reads) = &api.reads {
            let key = reads.key.as_ref().and_then(|k| named.get(k)).cloned();
            let resource = api.resource_of(&named);
            let mut content = self.read_store(&reads.store, &resource, key.as_ref(), &site);
            if reads.key_taints {
                if let Some(k) = &key {
                    content.add_taint(&k.deep_taint());
                }
            }
            if let Some(into) = &reads.into {
                ret = ret.join(&Value::wrap_at_path(into, content.clone()));
            }
            for f in &reads.into_files {
                if let Some(path) = named.get(f) {
                    let mut file = Value::of_kind(Kind::File);
                    file.set(Key::Id(0), path.clone());
                    self.file_write(&file, &content);
                }
            }
        }
        for sink in &api.sinks {
            let consumed = sink.when.as_deref() == Some("leaves-app") && {
                let resource = api.resource_of(&named);
                self.ctx.resource_consumed(api, &resource)
            };
            if !consumed {
                let mut taint = Taint::new();
                for p in &sink.params {
                    if let Some(v) = named.get(p) {
                        taint.union(&v.deep_taint());
                    }
                }
                self.world.add_findings(&sink.vulnerability, &sink.callee, &site, &taint);
            }
        }
        if api.writes.is_some() || api.fires.is_some() {
            let mut stored = Value::default();
            if let Some(w) = &api.writes {
                match (w.structured, w.data.as_slice()) {
                    (true, [d]) => stored = named.get(d).cloned().unwrap_or_default(),
                    _ => {
                        for d in &w.data {
                            if let Some(v) = named.get(d) {
                                stored.add_taint(&v.deep_taint());
                            }
                        }
                    }
                }
                for f in &w.data_files {
                    if let Some(path) = named.get(f) {
                        let content = self.path_content(path);
                        stored.add_taint(&content.deep_taint());
                    }
                }
            }
            let resource = api.resource_of(&named);
            self.world.record_call(CloudCall {
                service: service.to_string(),
                api: api.name.clone(),
                args: named,
                resource,
                stored,
                site,
                caller: self.entry.function,
                decision,
            });
        }
        ret
    }

    fn build_arn(&self, api: &Api, named: &BTreeMap<String, Value>) -> SymStr {
        let region = self.entry.function.map(|f| self.ctx.function(f).0.provider.region.clone()).unwrap_or_else(|| SymStr::any("region"));
        let resource = api.resource_of(named);
        let mut out = SymStr::default();
        let mut rest = api.arn.as_str();
        while let Some(open) = rest.find('{') {
            out.push_lit(&rest[..open]);
            let close = rest[open..].find('}').map(|c| open + c).unwrap_or(rest.len() - 1);
            let name = &rest[open + 1..close];
            let value = match name {
                "region" => region.clone(),
                "account" => crate::names::account(),
                n if n == api.resource.trim_end_matches("!keys") => {
                    let r = resource.first().cloned().unwrap_or_else(|| SymStr::any("resource"));
                    arn_part(n, r)
                }
                n => named.get(n).and_then(|v| v.str.clone()).map(|s| arn_part(n, s)).unwrap_or_else(|| SymStr::any(n)),
            };
            if value.known_prefix().starts_with("arn:") {
                return value;
            }
            out.push(&value);
            rest = &rest[close + 1..];
        }
        out.push_lit(rest);
        out
    }

    /// May the running function make this call? Scripts run with the
    /// operator's credentials, and a client opened with keys of its own
    /// with those keys, which the model cannot see.
    fn permission(&self, action: &str, arn: &SymStr, own_credentials: bool) -> Decision {
        if self.ctx.opts.disable.permissions {
            return Decision::Allowed;
        }
        let decision = match self.entry.function.filter(|_| !own_credentials) {
            Some(f) => self.ctx.allows(f, action, arn),
            None => Decision::Unknown,
        };
        match decision {
            Decision::Unknown if self.ctx.opts.unknown_permissions_denied => Decision::Denied,
            d => d,
        }
    }

    /// Data stored in a resource by earlier calls and readable here.
    fn read_store(&mut self, store: &str, resource: &[SymStr], key: Option<&Value>, site: &Site) -> Value {
        if self.ctx.opts.disable.links {
            return Value::default();
        }
        let read = StoreRead { store: store.to_string(), resource: resource.to_vec(), key: key.and_then(|k| k.str.clone()), site: site.clone() };
        let out = self.world.read_store(&read);
        self.world.run_reads.push((read, out.clone()));
        out
    }
}

/// Whether a client, resource or session is given credentials of its own
/// (`aws_access_key_id=`, `profile_name=`, an assumed role's
/// `aws_session_token=`) instead of the function's role.
fn own_credentials(args: &Args) -> bool {
    ["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "profile_name", "botocore_session"].iter().any(|k| args.kw(k).is_some())
}

/// Parameter values as a model names them: resource-object ids first, then
/// positional arguments in the model's order, then keywords.
fn name_args(api: &Api, ids: &[(String, Value)], args: &Args) -> BTreeMap<String, Value> {
    let mut named: BTreeMap<String, Value> = ids.iter().cloned().collect();
    let mut pos = args.pos.iter();
    for p in &api.params {
        if named.contains_key(p) {
            continue;
        }
        match pos.next() {
            Some(v) => {
                named.insert(p.clone(), v.clone());
            }
            None => break,
        }
    }
    for (k, v) in &args.kw {
        named.insert(k.clone(), v.clone());
    }
    if let Some(s) = &args.spread {
        for p in &api.params {
            named.entry(p.clone()).or_insert_with(|| Value::tainted(s.deep_taint()));
        }
    }
    named
}

/// The part of an ARN a parameter stands for: queue URLs give their queue
/// name, parameter names lose their leading slash, ARNs stay whole.
fn arn_part(param: &str, value: SymStr) -> SymStr {
    if value.known_prefix().starts_with("arn:") {
        return value;
    }
    match param {
        "QueueUrl" => value.last_segment(),
        "Name" | "Path" | "Names" if value.known_prefix().starts_with('/') => {
            let lit = value.known_prefix()[1..].to_string();
            let mut out = SymStr::lit(lit);
            for p in value.pieces().iter().skip(1) {
                match p {
                    crate::sym::Piece::Lit(l) => out.push_lit(l),
                    crate::sym::Piece::Any(n) => out.push_any(n),
                }
            }
            out
        }
        _ => value,
    }
}
