//! Lambda destinations: after an asynchronous invocation, Lambda sends the
//! function's return value (`OnSuccess`) or the event it failed on
//! (`OnFailure`) to a queue, topic, function or event bus, inside an
//! invocation record (`responsePayload`, `requestPayload`). Synchronous
//! triggers (HTTP, queues and streams polled by Lambda, Step Functions)
//! never use them.

use std::collections::HashMap;

use crate::engine::{Ctx, FnRef, World};
use crate::infra::model::{Function, Trigger};
use crate::infra::function_refs::match_function;
use crate::sym::SymStr;
use crate::taint::label::Hop;
use crate::taint::value::Value;

use super::links::{bus_listeners, unattributed_message_consumers};
use crate::names::normalize;

/// What the destinations of the functions run so far receive.
pub fn deliveries(ctx: &Ctx, world: &mut World, returns: &HashMap<FnRef, Value>, inputs: &HashMap<FnRef, Value>) -> Vec<(FnRef, Value)> {
    let mut out = Vec::new();
    if ctx.opts.disable.links {
        return out;
    }
    for (fr, service, func) in ctx.all_functions() {
        if func.destinations.is_empty() || !invoked_asynchronously(func) {
            continue;
        }
        let Some(from) = ctx.handler_site(fr) else { continue };
        let names: Vec<(String, SymStr)> = service.functions.iter().map(|f| (f.name.clone(), f.physical_name.clone())).collect();
        for d in &func.destinations {
            let (payload, field, outcome) = match d.on_success {
                true => (returns.get(&fr), "responsePayload", "on success"),
                false => (inputs.get(&fr), "requestPayload", "on failure"),
            };
            let Some(payload) = payload.filter(|p| p.is_tainted()) else { continue };
            let hop_to = |to, resource: String| Hop {
                event: format!("lambda:destination ({outcome})"),
                call: format!("invocation of {}", func.name),
                resource,
                from: from.clone(),
                to,
                // The destination's own name decides: an unknown account
                // in its ARN does not.
                conservative: !d.target.last_segment().is_known(),
            };
            let mut record = |world: &mut World, target: FnRef, path: &str, resource: String, value: Value| {
                let Some(to) = ctx.handler_site(target) else { return };
                out.push((target, world.cross(&Value::wrap_at_path(path, value), &hop_to(to, resource))));
            };
            if let Some(target) = match_function(&names, &d.target).and_then(|n| service.functions.iter().position(|f| f.name == n)) {
                let to = FnRef { service: fr.service, function: target };
                record(world, to, field, format!("function {}", service.functions[target].name), payload.clone());
                continue;
            }
            match Trigger::of_message_target(&d.target) {
                Some(to @ (Trigger::SQS | Trigger::SNS)) => {
                    // Destination records carry no message attributes.
                    for c in unattributed_message_consumers(ctx, to, &d.target) {
                        record(world, c.function, c.path, c.resource, payload.taint_only());
                    }
                }
                Some(Trigger::EVENTBRIDGE) => {
                    let detail_type = if d.on_success { "Lambda Function Invocation Result - Success" } else { "Lambda Function Invocation Result - Failure" };
                    for (to, bus) in bus_listeners(ctx, &d.target, "lambda", detail_type) {
                        let resource = format!("event bus {}", normalize("eventbridge", &bus));
                        record(world, to, &format!("detail.{field}"), resource, payload.clone());
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether something may invoke the function asynchronously: an
/// asynchronous trigger, or none at all (`lambda.invoke` with
/// `InvocationType='Event'`).
fn invoked_asynchronously(func: &Function) -> bool {
    func.events.is_empty() || func.events.iter().any(|e| e.trigger.asynchronous())
}
