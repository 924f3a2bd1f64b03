//! API Gateway service integrations as cloud calls. A route wired straight
//! to `sqs:SendMessage` is a `send_message` that API Gateway makes with the
//! request as its arguments: recorded before any handler runs, it then
//! stores, links and triggers like a call in the code, and the handler the
//! queue feeds receives attacker data with the route as its source.

use std::collections::BTreeMap;

use crate::engine::{CloudCall, Ctx, World};
use crate::infra::model::ServiceIntegration;
use crate::sym::SymStr;
use crate::taint::label::{Site, Source, SourceKind, Taint};
use crate::taint::value::{Key, Kind, Value};

use super::api::Api;

/// The calls every integrated route of the application makes.
pub fn calls(ctx: &Ctx, world: &mut World) -> Vec<CloudCall> {
    let mut out = vec![];
    for service in &ctx.infra.services {
        for i in &service.integrations {
            let Some((service_name, api)) = ctx.cloud.integration(&i.service, &i.action) else { continue };
            let site = Site::in_deployment_file(&service.file, i.line);
            let what = format!("{} (API Gateway -> {}:{})", i.route, i.service, i.action);
            let taint: Taint = std::iter::once(world.labels.source(Source::input(SourceKind::Http, site.clone(), what))).collect();
            let resource = i
                .resource
                .clone()
                .or_else(|| i.params.get(&api.resource).cloned())
                .or_else(|| api.resource_default.as_deref().map(SymStr::lit))
                .unwrap_or_else(|| SymStr::any("resource"));
            let args = arguments(api, i, &resource, &taint);
            out.push(CloudCall::by_aws(service_name, api, args, vec![resource], taint, site));
        }
    }
    out
}

/// The action's parameters: the resource, what the route fixes, and the
/// request for everything else. A list parameter the call fires once per
/// element (`Entries` of PutEvents) gets one such element.
fn arguments(api: &Api, i: &ServiceIntegration, resource: &SymStr, taint: &Taint) -> BTreeMap<String, Value> {
    let value = |name: &str| -> Value {
        if name == api.resource {
            return Value::string(resource.clone());
        }
        match i.params.get(name) {
            Some(s) => {
                let mut v = Value::string(s.clone());
                if !s.is_known() {
                    v.add_taint(taint);
                }
                v
            }
            None => Value::tainted(taint.clone()),
        }
    };
    let each = api.fires.as_ref().and_then(|f| f.each.as_deref());
    let mut args: BTreeMap<String, Value> = api.params.iter().filter(|p| Some(p.as_str()) != each).map(|p| (p.clone(), value(p))).collect();
    if let (Some(list), Some(fires)) = (each, &api.fires) {
        let mut element = Value::of_kind(Kind::Dict);
        let names = fires.fields.values().map(|s| s.trim_end_matches("!deep")).chain(fires.pattern.values().map(String::as_str)).chain([api.resource.as_str()]);
        for name in names {
            element.set(Key::item(&name), value(name));
        }
        args.insert(list.to_string(), Value::wrap_at_path("[]", element));
    }
    args
}
