//! Cloud links: the data-flow edges that run through AWS rather than
//! through Python. A call that fires an event (put_object, send_message,
//! put_item, publish, invoke, start_execution...) delivers its tainted
//! arguments into the event of every handler subscribed to that resource
//! whose filters the call passes; a call that stores data (put_object,
//! put_item, put_parameter...) makes it readable by later reads of the same
//! resource and key.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::engine::{CallKey, CloudCall, Ctx, Delivered, FnRef, StoreEntry, World};
use crate::infra::model::{EventFilter, Forward, Trigger};
use crate::sym::{SymStr, Truth};
use crate::taint::label::{Hop, Site};
use crate::taint::value::{Key, Value};

use super::api::{Api, Fires};
use crate::names::{normalize, same_resource};

/// Whether a call's S3 event passes a subscription's event-name and
/// prefix/suffix rules.
fn s3_filter(filter: &EventFilter, fired: &str, key: &SymStr) -> Truth {
    let names_ok = if filter.s3_events.is_empty() {
        fired.starts_with("s3:ObjectCreated")
    } else {
        filter.s3_events.iter().any(|p| SymStr::lit(fired).matches_glob(p) == Truth::Yes)
    };
    if !names_ok {
        return Truth::No;
    }
    let mut t = Truth::Yes;
    if let Some(prefix) = &filter.s3_prefix {
        t = t.and(key.starts_with(prefix));
    }
    if let Some(suffix) = &filter.s3_suffix {
        t = t.and(key.ends_with(suffix));
    }
    t
}

/// EventBridge patterns on literal fields (`source`, `detail-type`).
fn pattern_filter(filter: &EventFilter, fires: &Fires, element: &dyn Fn(&str) -> Option<Value>) -> Truth {
    if filter.patterns.is_empty() {
        return Truth::Yes;
    }
    let mut any = Truth::No;
    for pattern in &filter.patterns {
        let mut t = Truth::Yes;
        for (field, param) in &fires.pattern {
            let Some(allowed) = pattern.get(field).and_then(|v| v.as_array()) else { continue };
            let literals: Vec<&str> = allowed.iter().filter_map(|v| v.as_str()).collect();
            if literals.len() != allowed.len() {
                t = t.and(Truth::Maybe);
                continue;
            }
            match element(param).and_then(|v| v.str) {
                Some(s) => {
                    let m = literals.iter().fold(Truth::No, |acc, l| acc.or(s.may_equal(&SymStr::lit(*l))));
                    t = t.and(m);
                }
                None => t = t.and(Truth::Maybe),
            }
        }
        any = any.or(t);
    }
    any
}

/// SNS subscription filter policies on message attributes
/// (`{"kind": ["command"]}` against `MessageAttributes.kind.StringValue`).
/// A message published by the code without attributes matches none.
fn sns_policy_filter(policies: &[serde_json::Value], call: &CloudCall) -> Truth {
    if policies.is_empty() {
        return Truth::Yes;
    }
    let attributes = call.args.get("MessageAttributes");
    let mut any = Truth::No;
    for policy in policies {
        let Some(rules) = policy.as_object() else {
            any = any.or(Truth::Maybe);
            continue;
        };
        let mut t = Truth::Yes;
        for (attr, allowed) in rules {
            let literals: Vec<&str> = allowed.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
            let exact = allowed.as_array().is_some_and(|a| a.len() == literals.len());
            let value = attributes.map(|a| a.get(&Key::item(&attr)).get(&Key::item("StringValue")));
            t = t.and(match value.and_then(|v| v.str) {
                Some(s) if exact => literals.iter().fold(Truth::No, |acc, l| acc.or(s.may_equal(&SymStr::lit(*l)))),
                None if attributes.is_none() && call.caller.is_some() => Truth::No,
                _ => Truth::Maybe,
            });
        }
        any = any.or(t);
    }
    any
}

/// A value of a parameter path: `Detail`, `Key`, `Payload!deep`.
fn param(named: &BTreeMap<String, Value>, element: Option<&Value>, spec: &str) -> Option<Value> {
    let (name, deep) = match spec.strip_suffix("!deep") {
        Some(n) => (n, true),
        None => (spec, false),
    };
    let v = element
        .and_then(|e| e.fields.get(&Key::item(&name)).cloned().map(|mut v| {
            v.add_taint(&e.taint);
            v
        }))
        .or_else(|| named.get(name).cloned())?;
    Some(if deep { v.taint_only() } else { v })
}

/// The event a subscriber receives from one call (or one element of it).
fn event_value(fires: &Fires, named: &BTreeMap<String, Value>, element: Option<&Value>) -> Value {
    let mut ev = Value::default();
    for (path, spec) in &fires.fields {
        if let Some(v) = param(named, element, spec) {
            let wrapped = if path.is_empty() { v } else { Value::wrap_at_path(path, v) };
            ev = ev.join(&wrapped);
        }
    }
    ev
}

struct Target {
    function: FnRef,
    resource: String,
    conservative: bool,
}

/// Every event delivery the calls made so far imply, joined per function.
/// Only the calls that changed since they were last linked, or carry a
/// label whose witness got shorter, are linked again, and only the
/// functions their deliveries reach (then or now) are joined again, in
/// the order of the calls as a join of all would:
/// a whole-repository analysis (serverless-patterns: 209 handlers) spent
/// three quarters of its taint stage joining what had not changed.
pub fn deliveries(ctx: &Ctx, world: &mut World) -> HashMap<FnRef, Value> {
    if ctx.opts.disable.links {
        return HashMap::new();
    }
    let mut rejoin: HashSet<FnRef> = HashSet::new();
    // Linking a call may shorten the witness of a label another call
    // carries, whose deliveries then change too.
    loop {
        let stale = stale_calls(world);
        if stale.is_empty() {
            break;
        }
        let changes = world.labels.witness_changes();
        for key in stale {
            let call = world.calls[&key].clone();
            let stamp = world.call_stamps.get(&key).copied().unwrap_or_default();
            let witnesses = witness_sum(world, &call);
            let to = call_deliveries(ctx, world, &call);
            rejoin.extend(to.iter().map(|(f, _)| *f));
            if let Some(old) = world.delivered.insert(key, Delivered { stamp, witnesses, to }) {
                rejoin.extend(old.to.iter().map(|(f, _)| *f));
            }
        }
        if world.labels.witness_changes() == changes {
            break;
        }
    }
    if !rejoin.is_empty() {
        let mut joined: HashMap<FnRef, Value> = HashMap::new();
        for key in world.calls.keys() {
            for (f, v) in world.delivered.get(key).map_or(&[][..], |d| &d.to[..]) {
                if rejoin.contains(f) {
                    joined.entry(*f).or_default().join_in(v);
                }
            }
        }
        for f in rejoin {
            match joined.remove(&f) {
                Some(v) => world.delivered_joined.insert(f, v),
                None => world.delivered_joined.remove(&f),
            };
        }
    }
    world.delivered_joined.clone()
}

/// The calls whose deliveries may have changed since they were linked:
/// changed since, or carrying a label whose witness changed.
fn stale_calls(world: &World) -> Vec<CallKey> {
    world
        .calls
        .iter()
        .filter(|(key, call)| {
            let stamp = world.call_stamps.get(*key).copied().unwrap_or_default();
            world.delivered.get(*key).is_none_or(|d| d.stamp != stamp || d.witnesses != witness_sum(world, call))
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// The witness versions of a call's labels, summed: versions only grow,
/// so an unchanged sum means no witness of them changed.
fn witness_sum(world: &World, call: &CloudCall) -> u64 {
    let mut sum = 0u64;
    for v in call.args.values() {
        v.for_each_label(&mut |l| sum += u64::from(world.labels.witness_version(l)));
    }
    sum
}

/// The deliveries of one call: to the functions subscribed to what it
/// fires, and through subscriptions and forwarding rules.
fn call_deliveries(ctx: &Ctx, world: &mut World, call: &CloudCall) -> Vec<(FnRef, Value)> {
    let mut out = Vec::new();
    let Some(api) = ctx.cloud.api(&call.service, &call.api) else { return out };
    let Some(fires) = &api.fires else { return out };
    let elements: Vec<Option<Value>> = match &fires.each {
        Some(list) => match call.args.get(list) {
            Some(v) => vec![Some(v.element())],
            None => vec![None],
        },
        None => vec![None],
    };
    for element in elements {
        let ev = event_value(fires, &call.args, element.as_ref());
        for target in targets(ctx, api, fires, call, element.as_ref()) {
            let Some(to) = ctx.handler_site(target.function) else { continue };
            let hop = Hop {
                event: short_event(&fires.event),
                resource: target.resource.clone(),
                call: format!("{}.{}", call.service, call.api),
                from: call.site.clone(),
                to,
                conservative: target.conservative,
            };
            out.push((target.function, world.cross(&ev, &hop)));
        }
        if fires.trigger == Trigger::SNS {
            out.extend(sns_fan_out(ctx, world, call, &ev));
        }
        out.extend(forwarded(ctx, world, api, fires, call, element.as_ref(), &ev));
    }
    out
}

/// Buckets and event buses that pass a call's event on to a queue or
/// topic: its consumers receive the event serialized in a message.
fn forwarded(ctx: &Ctx, world: &mut World, api: &Api, fires: &Fires, call: &CloudCall, element: Option<&Value>, ev: &Value) -> Vec<(FnRef, Value)> {
    let mut out = Vec::new();
    if !ev.is_tainted() {
        return out;
    }
    let message = ev.taint_only();
    let resources = call_resources(api, fires, call, element);
    let key = filter_key(fires, call);
    let elem_param = |p: &str| param(&call.args, element, p);
    for service in &ctx.infra.services {
        for fw in &service.forwards {
            if fw.from != fires.trigger || fw.constant {
                continue;
            }
            let t = resources.iter().fold(Truth::No, |acc, r| acc.or(same_resource(fires.trigger.name(), &fw.resource, r)));
            if !t.possible() {
                continue;
            }
            if !ctx.opts.disable.filters {
                let passes = match fw.from {
                    Trigger::S3 => s3_filter(&fw.filter, &fires.event, &key),
                    Trigger::EVENTBRIDGE => pattern_filter(&fw.filter, fires, &elem_param),
                    _ => Truth::Yes,
                };
                if !passes.possible() {
                    continue;
                }
            }
            if fw.to == Trigger::EVENTBRIDGE {
                out.extend(s3_to_eventbridge(ctx, world, call, &fires.event, fw, ev, t != Truth::Yes));
                continue;
            }
            // Buckets and rules publish no message attributes.
            for c in unattributed_message_consumers(ctx, fw.to, &fw.target) {
                let Some(to) = ctx.handler_site(c.function) else { continue };
                let hop = Hop {
                    event: format!("{} -> {}", short_event(&fires.event), if fw.to == Trigger::SNS { "sns:notification" } else { "sqs:message" }),
                    call: format!("{}.{}", call.service, call.api),
                    resource: format!("{} {} -> {}", fw.from.noun(), normalize(fires.trigger.name(), &fw.resource), c.resource),
                    from: call.site.clone(),
                    to,
                    conservative: t != Truth::Yes,
                };
                let v = world.cross(&Value::wrap_at_path(c.path, message.clone()), &hop);
                out.push((c.function, v));
            }
        }
    }
    out
}

/// A bucket with EventBridge notifications puts `Object Created` (and
/// other) events on the default bus, with the key at `detail.object.key`,
/// for the rules whose patterns admit them.
fn s3_to_eventbridge(ctx: &Ctx, world: &mut World, call: &CloudCall, fired: &str, fw: &Forward, ev: &Value, conservative: bool) -> Vec<(FnRef, Value)> {
    let detail_type = match fired.split(':').nth(1) {
        Some("ObjectCreated") => "Object Created",
        Some("ObjectRemoved") => "Object Deleted",
        _ => return vec![],
    };
    let event = Value::wrap_at_path("detail.object.key", ev.at_path("Records[].s3.object.key"))
        .join(&Value::wrap_at_path("detail.bucket.name", ev.at_path("Records[].s3.bucket.name")));
    let mut out = Vec::new();
    for (fr, bus) in bus_listeners(ctx, &fw.target, "aws.s3", detail_type) {
        let Some(to) = ctx.handler_site(fr) else { continue };
        let hop = Hop {
            event: format!("{} -> {detail_type}", short_event(fired)),
            call: format!("{}.{}", call.service, call.api),
            resource: format!("bucket {} -> event bus {}", normalize("s3", &fw.resource), normalize("eventbridge", &bus)),
            from: call.site.clone(),
            to,
            conservative,
        };
        out.push((fr, world.cross(&event, &hop)));
    }
    out
}

/// The functions whose EventBridge rules on `bus` admit an event AWS puts
/// there with this `source` and `detail-type` (every rule on the bus when
/// filters are off), with the bus each listens to.
pub fn bus_listeners(ctx: &Ctx, bus: &SymStr, source: &str, detail_type: &str) -> Vec<(FnRef, SymStr)> {
    let mut out = Vec::new();
    for (fr, _, func) in ctx.all_functions() {
        for e in func.events.iter().filter(|e| e.trigger == Trigger::EVENTBRIDGE) {
            let listened = e.resource.clone().unwrap_or_else(|| SymStr::lit("default"));
            let admitted = ctx.opts.disable.filters
                || e.filter.patterns.is_empty()
                || e.filter.patterns.iter().any(|p| admits(p, "source", source) && admits(p, "detail-type", detail_type));
            if admitted && same_resource("eventbridge", &listened, bus).possible() {
                out.push((fr, listened));
            }
        }
    }
    out
}

/// Whether an EventBridge pattern lets a literal field value through: the
/// field is absent, or lists the value.
fn admits(pattern: &serde_json::Value, field: &str, value: &str) -> bool {
    match pattern.get(field).and_then(|v| v.as_array()) {
        Some(allowed) => allowed.iter().any(|v| v.as_str() == Some(value) || !v.is_string()),
        None => pattern.get(field).is_none(),
    }
}

/// A function that reads what is put into a queue or topic.
pub struct Consumer {
    pub function: FnRef,
    /// Where the message lands in its event.
    pub path: &'static str,
    /// The queue or topic, for people (`queue jobs`, `topic news -> queue jobs`).
    pub resource: String,
    /// Reached through an SNS -> SQS subscription, and whether that
    /// delivers the raw message rather than the SNS envelope.
    pub subscription: Option<bool>,
    /// The filter policy the message must pass on the way (the function's
    /// own for a topic it listens to, the subscription's for a queue).
    pub policy: Vec<serde_json::Value>,
}

/// The functions listening to a queue or topic; for a topic, also those
/// listening to queues subscribed to it.
pub fn message_consumers(ctx: &Ctx, to: Trigger, target: &SymStr) -> Vec<Consumer> {
    let listeners = |trigger: Trigger, resource: &SymStr| -> Vec<(FnRef, SymStr, Vec<serde_json::Value>)> {
        ctx.listening(trigger, resource)
            .filter_map(|l| Some((l.function, l.resource.clone()?, ctx.function(l.function).1.events[l.event].filter.patterns.clone())))
            .collect()
    };
    let mut out = Vec::new();
    match to {
        Trigger::SQS => {
            for (function, q, _) in listeners(Trigger::SQS, target) {
                out.push(Consumer { function, path: "Records[].body", resource: format!("queue {}", normalize("sqs", &q)), subscription: None, policy: vec![] });
            }
        }
        Trigger::SNS => {
            for (function, topic, policy) in listeners(Trigger::SNS, target) {
                out.push(Consumer { function, path: "Records[].Sns.Message", resource: format!("topic {}", normalize("sns", &topic)), subscription: None, policy });
            }
            for service in &ctx.infra.services {
                for sub in service.subscriptions.iter().filter(|s| s.protocol == "sqs" && same_resource("sns", &s.topic, target).possible()) {
                    for (function, q, _) in listeners(Trigger::SQS, &sub.endpoint) {
                        let resource = format!("topic {} -> queue {}", normalize("sns", &sub.topic), normalize("sqs", &q));
                        let policy = sub.filter_policy.iter().cloned().collect();
                        out.push(Consumer { function, path: "Records[].body", resource, subscription: Some(sub.raw_message_delivery), policy });
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// The consumers a message without attributes reaches: filter policies on
/// attributes drop it (unless filters are off).
pub fn unattributed_message_consumers(ctx: &Ctx, to: Trigger, target: &SymStr) -> Vec<Consumer> {
    message_consumers(ctx, to, target).into_iter().filter(|c| c.policy.is_empty() || ctx.opts.disable.filters).collect()
}

fn short_event(event: &str) -> String {
    let parts: Vec<&str> = event.split(':').collect();
    if parts.len() > 2 && event.starts_with("s3:") {
        parts[..2].join(":")
    } else {
        event.to_string()
    }
}

/// The resources a call (or one element of it) acts on.
fn call_resources(api: &Api, fires: &Fires, call: &CloudCall, element: Option<&Value>) -> Vec<SymStr> {
    match (&fires.each, element) {
        (Some(_), Some(e)) => {
            let from_element = e.fields.get(&Key::item(&api.resource)).and_then(|v| v.str.clone());
            vec![from_element.unwrap_or_else(|| call.resource.first().cloned().unwrap_or_else(|| SymStr::any("resource")))]
        }
        _ => call.resource.clone(),
    }
}

/// The S3 key a call's event carries, for prefix/suffix rules.
fn filter_key(fires: &Fires, call: &CloudCall) -> SymStr {
    fires.filter_key.as_ref().and_then(|k| call.args.get(k)).and_then(|v| v.str.clone()).unwrap_or_else(|| SymStr::any("key"))
}

/// The functions a call triggers.
fn targets(ctx: &Ctx, api: &Api, fires: &Fires, call: &CloudCall, element: Option<&Value>) -> Vec<Target> {
    let resources = call_resources(api, fires, call, element);
    let mut out = Vec::new();
    match fires.trigger.name() {
        "lambda-invoke" => {
            for (fr, _, func) in ctx.all_functions() {
                for r in &resources {
                    let t = same_resource("lambda", &func.physical_name, r).or(same_resource("lambda", &SymStr::lit(&func.name), r));
                    if t.possible() {
                        out.push(Target { function: fr, resource: format!("function {}", func.physical_name), conservative: t != Truth::Yes });
                    }
                }
            }
        }
        "stepfunctions" => {
            for (si, service) in ctx.infra.services.iter().enumerate() {
                for m in &service.state_machines {
                    let t = resources.iter().fold(Truth::No, |acc, r| acc.or(same_resource("stepfunctions", &m.physical_name, r)));
                    if !t.possible() {
                        continue;
                    }
                    for f in ctx.first_tasks(si, m, &m.start_at) {
                        out.push(Target { function: f, resource: format!("state machine {}", m.physical_name), conservative: t != Truth::Yes });
                    }
                }
            }
        }
        trigger => {
            let filter_key = filter_key(fires, call);
            let elem_param = |p: &str| param(&call.args, element, p);
            let called: Vec<SymStr> = resources.iter().map(|r| normalize(trigger, r)).collect();
            for l in ctx.listeners(fires.trigger) {
                let (fr, event) = (l.function, &ctx.function(l.function).1.events[l.event]);
                let identity = l.identity.clone().unwrap_or_else(|| normalize(trigger, &SymStr::lit("default")));
                let t = called.iter().fold(Truth::No, |acc, r| acc.or(r.may_equal(&identity)));
                if !t.possible() {
                    continue;
                }
                if !ctx.opts.disable.filters {
                    let passes = match event.trigger {
                        Trigger::S3 => s3_filter(&event.filter, &fires.event, &filter_key),
                        Trigger::EVENTBRIDGE => pattern_filter(&event.filter, fires, &elem_param),
                        Trigger::SNS => sns_policy_filter(&event.filter.patterns, call),
                        _ => Truth::Yes,
                    };
                    if !passes.possible() {
                        continue;
                    }
                }
                let mut resource = format!("{} {}", event.trigger.noun(), identity);
                if let Some(p) = &event.filter.s3_prefix {
                    resource.push_str(&format!(", prefix {p}"));
                }
                if let Some(s) = &event.filter.s3_suffix {
                    resource.push_str(&format!(", suffix {s}"));
                }
                out.push(Target { function: fr, resource, conservative: t != Truth::Yes });
            }
        }
    }
    out
}

/// SNS -> SQS subscriptions: the message becomes the queue message body.
fn sns_fan_out(ctx: &Ctx, world: &mut World, call: &CloudCall, ev: &Value) -> Vec<(FnRef, Value)> {
    let mut out = Vec::new();
    let message = ev.at_path("Records[].Sns.Message");
    for topic in &call.resource {
        for c in message_consumers(ctx, Trigger::SNS, topic) {
            let Some(raw) = c.subscription else { continue };
            if !ctx.opts.disable.filters && !sns_policy_filter(&c.policy, call).possible() {
                continue;
            }
            let Some(to) = ctx.handler_site(c.function) else { continue };
            let hop = Hop {
                event: "sns:notification -> sqs:message".into(),
                call: format!("{}.{}", call.service, call.api),
                resource: c.resource,
                from: call.site.clone(),
                to,
                conservative: false,
            };
            let body = if raw { message.clone() } else { message.taint_only() };
            out.push((c.function, world.cross(&Value::wrap_at_path(c.path, body), &hop)));
        }
    }
    out
}

/// The stores the calls made so far have written, one entry per store,
/// resource, key and writing site: the handlers that share code write from
/// the same site, and a read crosses the same hop from each, so their data
/// is joined once here rather than compared whole to sort and deduplicate.
pub fn stores(ctx: &Ctx, world: &World) -> Vec<StoreEntry> {
    let mut out: BTreeMap<(String, String, SymStr, Option<SymStr>, Site), Value> = BTreeMap::new();
    for call in world.calls.values() {
        let Some(api) = ctx.cloud.api(&call.service, &call.api) else { continue };
        let Some(w) = &api.writes else { continue };
        if !call.stored.is_tainted() {
            continue;
        }
        let key = w.key.as_ref().and_then(|k| call.args.get(k)).map(|v| v.str.clone().unwrap_or_else(|| SymStr::any("key")));
        for r in &call.resource {
            let at = (w.store.clone(), format!("{}.{}", call.service, call.api), r.clone(), key.clone(), call.site.clone());
            match out.entry(at) {
                std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().join_in(&call.stored),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(call.stored.clone());
                }
            }
        }
    }
    out.into_iter().map(|((store, api, resource, key, from), data)| StoreEntry { store, api, resource, key, data, from }).collect()
}
