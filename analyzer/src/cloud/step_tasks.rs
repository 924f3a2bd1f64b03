//! Step Functions Tasks that call a service themselves
//! (`arn:aws:states:::sqs:sendMessage`, `...:aws-sdk:dynamodb:putItem`):
//! each is a cloud call made with the state's input. The input is what an
//! execution was started with, or what the function run by the previous
//! Task returned; the call is recorded before deliveries are computed, so it
//! stores and triggers like a call in the code.

use std::collections::{BTreeMap, HashMap};

use crate::engine::{CloudCall, Ctx, FnRef, World};
use crate::infra::model::State;
use crate::taint::label::{Hop, Site, Taint};
use crate::taint::value::{Key, Value};

use crate::catalog::Trigger;
use crate::names::same_resource;

/// What a Task state that runs a function hands to the next state: the
/// function's result placed into the state's input as its `ResultPath`
/// says. Absent or `$`, the result replaces the input; `null` discards the
/// result and passes the input on; `$.validation` puts the result at that
/// field of the input (joined with what the input held there). A path of
/// another form keeps both.
pub fn state_output(result_path: Option<&str>, input: &Value, result: &Value) -> Value {
    let field_path = |p: &str| {
        p.strip_prefix("$.")
            .filter(|fields| fields.split('.').all(|f| !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')))
            .map(str::to_string)
    };
    match result_path.map(str::trim) {
        None | Some("$") => result.clone(),
        Some("null") => input.clone(),
        Some(p) => match field_path(p) {
            Some(fields) => input.join(&Value::wrap_at_path(&fields, result.clone())),
            None => input.join(result),
        },
    }
}

/// How a witness path names what a Task state passed on.
pub fn output_name(st: &State) -> String {
    match st.result_path.as_deref() {
        None | Some("$") => format!("return of {}", st.name),
        Some(_) => format!("output of {}", st.name),
    }
}

/// The function a Task state of service `si` runs, and the state's output
/// when the function has returned: `events` holds each function's event as
/// it last ran, the state's input.
pub fn function_output(ctx: &Ctx, si: usize, st: &State, returns: &HashMap<FnRef, Value>, events: &HashMap<FnRef, Value>) -> Option<(FnRef, Value)> {
    let from = ctx.task_function(si, st)?;
    let input = events.get(&from).cloned().unwrap_or_default();
    Some((from, state_output(st.result_path.as_deref(), &input, returns.get(&from)?)))
}

/// Records the calls of every service Task whose input is tainted.
pub fn record(ctx: &Ctx, world: &mut World, returns: &HashMap<FnRef, Value>, events: &HashMap<FnRef, Value>) {
    if ctx.opts.disable.links {
        return;
    }
    let mut calls = Vec::new();
    for (si, service) in ctx.infra.services.iter().enumerate() {
        for m in service.state_machines.iter().filter(|m| m.states.iter().any(|s| s.service_action.is_some())) {
            // (state the input enters at, the input, where it comes from, how)
            let mut inputs: Vec<(String, Taint, Site, String)> = Vec::new();
            for call in world.calls.values() {
                let Some(api) = ctx.cloud.api(&call.service, &call.api) else { continue };
                if api.fires.as_ref().map(|f| f.trigger) != Some(Trigger::STEP_FUNCTIONS) {
                    continue;
                }
                if !call.resource.iter().any(|r| same_resource("stepfunctions", &m.physical_name, r).possible()) {
                    continue;
                }
                let input: Taint = call.args.iter().filter(|(k, _)| **k != api.resource).flat_map(|(_, v)| v.deep_taint()).collect();
                inputs.push((m.start_at.clone(), input, call.site.clone(), format!("{}.{}", call.service, call.api)));
            }
            for st in &m.states {
                let Some((from, output)) = function_output(ctx, si, st, returns, events) else { continue };
                let Some(site) = ctx.handler_site(from) else { continue };
                for next in &st.next {
                    inputs.push((next.clone(), output.deep_taint(), site.clone(), output_name(st)));
                }
            }
            for (start, input, from, how) in inputs.into_iter().filter(|i| !i.1.is_empty()) {
                for st in ctx.reached_states(m, &start) {
                    let Some((svc, action)) = &st.service_action else { continue };
                    let Some((service_name, api)) = ctx.cloud.integration(svc, action) else { continue };
                    let site = Site::in_deployment_file(&service.file, st.line);
                    let hop = Hop {
                        event: "states:task".into(),
                        call: how.clone(),
                        resource: format!("state machine {}, {}", m.physical_name, st.name),
                        from: from.clone(),
                        to: site.clone(),
                        conservative: false,
                    };
                    let hop = world.labels.hop(&hop);
                    let taint: Taint = input.iter().map(|&l| world.labels.with_hop(l, hop)).collect();
                    let mut parameters = Value::default();
                    for (path, fixed) in &st.parameters {
                        let leaf = match fixed {
                            Some(s) => Value::string(s.clone()),
                            None => Value::tainted(taint.clone()),
                        };
                        parameters = parameters.join(&Value::wrap_at_path(path, leaf));
                    }
                    let args: BTreeMap<String, Value> = parameters
                        .fields
                        .iter()
                        .filter_map(|(k, v)| if let Key::Item(name) = k { Some((name.to_string(), v.clone())) } else { None })
                        .collect();
                    let resource = api.resource_of(&args);
                    calls.push(CloudCall::by_aws(service_name, api, args, resource, taint, site));
                }
            }
        }
    }
    for c in calls {
        world.record_call(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(ids: &[u32]) -> Taint {
        ids.iter().copied().collect()
    }

    /// The execution input: an order whose address came from the request (label 1).
    fn order() -> Value {
        let mut v = Value::of_kind(crate::taint::value::Kind::Dict);
        v.set(Key::item("address"), Value::tainted(labels(&[1])));
        v
    }

    /// A result read back from a table written by another request (label 2).
    fn stored_note() -> Value {
        Value::tainted(labels(&[2]))
    }

    #[test]
    fn the_result_replaces_the_input_unless_the_result_path_keeps_it() {
        let (input, result) = (order(), stored_note());
        for default in [None, Some("$")] {
            let out = state_output(default, &input, &result);
            assert_eq!(out.deep_taint(), labels(&[2]), "{default:?}");
        }
        let discarded = state_output(Some("null"), &input, &result);
        assert_eq!(discarded.get(&Key::item("address")).taint, labels(&[1]));
        assert_eq!(discarded.deep_taint(), labels(&[1]), "ResultPath null passes the input on alone");
        let placed = state_output(Some("$.review.note"), &input, &result);
        assert_eq!(placed.get(&Key::item("address")).taint, labels(&[1]));
        assert_eq!(placed.get(&Key::item("review")).get(&Key::item("note")).taint, labels(&[2]));
        assert!(placed.get(&Key::item("review")).get(&Key::item("other")).taint.is_empty());
        let unread = state_output(Some("$['review']"), &input, &result);
        assert_eq!(unread.deep_taint(), labels(&[1, 2]), "a path of another form keeps both");
    }
}
