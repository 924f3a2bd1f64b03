//! Step Functions Tasks that call a service themselves
//! (`arn:aws:states:::sqs:sendMessage`, `...:aws-sdk:dynamodb:putItem`):
//! each is a cloud call made with the state's input. The input is what an
//! execution was started with, or what the function run by the previous
//! Task returned; the call is recorded before deliveries are computed, so it
//! stores and triggers like a call in the code.

use std::collections::{BTreeMap, HashMap};

use crate::engine::{CloudCall, Ctx, FnRef, World};
use crate::taint::label::{Hop, Site, Taint};
use crate::taint::value::{Key, Value};

use crate::catalog::Trigger;
use crate::names::same_resource;

/// Records the calls of every service Task whose input is tainted.
pub fn record(ctx: &Ctx, world: &mut World, returns: &HashMap<FnRef, Value>) {
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
                let Some(fi) = st.function.as_ref().and_then(|f| service.functions.iter().position(|x| &x.name == f)) else { continue };
                let from = FnRef { service: si, function: fi };
                let (Some(ret), Some(site)) = (returns.get(&from), ctx.handler_site(from)) else { continue };
                for next in &st.next {
                    inputs.push((next.clone(), ret.deep_taint(), site.clone(), format!("return of {}", st.name)));
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
