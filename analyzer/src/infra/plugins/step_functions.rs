//! Step Functions state machines: the serverless-step-functions plugin's
//! `stepFunctions.stateMachines`, and the Amazon States Language
//! definitions shared with SAM/CloudFormation state machines. A Task state
//! that runs a function of the service is how data moves from one function
//! to the next without any code calling the other, so each such function
//! gets a `StepFunctions` event naming the machine and the state.

use crate::infra::function_refs::{match_function, normalize_name};
use crate::infra::model::{Event, EventFilter, Function, State, StateMachine, Trigger};
use crate::infra::yaml::{Kind, Node};
use crate::sym::SymStr;

const MAX_DEPTH: usize = 16;

/// The logical IDs a machine can be referred to by (`Ref`, `Fn::GetAtt`):
/// first the plugin's current naming, `id:` or `name:` normalised the way
/// Serverless normalises function keys (`orders-dev` -> `OrdersDashdev`),
/// else `<Key>StepFunctionsStateMachine`; then that key-based form, which
/// older plugin versions used whatever the machine's name.
pub fn logical_ids(key: &str, machine: &Node) -> Vec<String> {
    let legacy = format!("{}StepFunctionsStateMachine", normalize_name(key));
    let custom = machine.get("id").and_then(Node::as_text).or_else(|| machine.get("name").and_then(Node::as_text));
    match custom {
        Some(c) => vec![normalize_name(&c), legacy],
        None => vec![legacy],
    }
}

/// Physical name: `name:` when given, else CloudFormation's
/// `<LogicalId>-<random>`.
pub fn physical_name(logical: &str, machine: &Node) -> SymStr {
    match machine.get("name") {
        Some(n) if !n.is_null() => n.to_sym(),
        _ => {
            let mut s = SymStr::lit(format!("{logical}-"));
            s.push_any(&format!("{logical}-suffix"));
            s
        }
    }
}

/// Reads `StartAt`/`States` (evaluated nodes).
pub fn parse_definition(def: &Node, functions: &[(String, SymStr)]) -> (String, Vec<State>) {
    let start = def.get("StartAt").and_then(Node::as_text).unwrap_or_default();
    let mut states = vec![];
    if let Some(s) = def.get("States") {
        parse_states(s, functions, &mut states, 0);
    }
    (start, states)
}

fn parse_states(states: &Node, functions: &[(String, SymStr)], out: &mut Vec<State>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, s) in states.entries() {
        let kind = s.get("Type").and_then(Node::as_text).unwrap_or_default();
        let mut next = vec![];
        let mut push = |n: Option<String>| {
            if let Some(n) = n {
                if !next.contains(&n) {
                    next.push(n);
                }
            }
        };
        push(s.get("Next").and_then(Node::as_text));
        push(s.get("Default").and_then(Node::as_text));
        for c in s.get("Choices").map(Node::items).unwrap_or_default() {
            push(c.get("Next").and_then(Node::as_text));
        }
        for c in s.get("Catch").map(Node::items).unwrap_or_default() {
            push(c.get("Next").and_then(Node::as_text));
        }
        let mut branches: Vec<&Node> = s.get("Branches").map(|b| b.items().iter().collect()).unwrap_or_default();
        if let Some(it) = s.get("Iterator").or_else(|| s.get("ItemProcessor")) {
            branches.push(it);
        }
        for b in branches {
            push(b.get("StartAt").and_then(Node::as_text));
            if let Some(inner) = b.get("States") {
                parse_states(inner, functions, out, depth + 1);
            }
        }
        let function = if kind == "Task" { task_function(s, functions) } else { None };
        let service_action = if kind == "Task" && function.is_none() { service_action(s) } else { None };
        let mut parameters = vec![];
        if service_action.is_some() {
            if let Some(p) = s.get("Parameters").or_else(|| s.get("Arguments")) {
                flatten_parameters(p, "", &mut parameters, 0);
            }
        }
        let result_path = s.get("ResultPath").map(|r| match &r.kind {
            Kind::Null => "null".to_string(),
            _ => r.to_sym().to_string(),
        });
        out.push(State { name: name.clone(), kind, function, next, result_path, service_action, parameters, line: s.line });
    }
}

fn task_function(s: &Node, functions: &[(String, SymStr)]) -> Option<String> {
    let resource = s.get("Resource")?.to_sym();
    let text = resource.to_string();
    if text.contains(":states:::lambda:invoke") {
        let p = s.get("Parameters").or_else(|| s.get("Arguments"))?;
        let f = p.get("FunctionName").or_else(|| p.get("FunctionName.$"))?;
        return match_function(functions, &f.to_sym());
    }
    if text.contains(":states:::") {
        return None;
    }
    match_function(functions, &resource)
}

/// `arn:aws:states:::sqs:sendMessage.waitForTaskToken` -> (`sqs`,
/// `SendMessage`); AWS SDK integrations (`aws-sdk:eventbridge:putEvents`)
/// name services as the SDK does, mapped to their IAM prefix.
fn service_action(s: &Node) -> Option<(String, String)> {
    let text = s.get("Resource")?.to_sym().to_string();
    let rest = &text[text.find(":states:::")? + ":states:::".len()..];
    let rest = rest.strip_prefix("aws-sdk:").unwrap_or(rest);
    let (service, action) = rest.split_once(':')?;
    let action = action.split('.').next().unwrap_or(action);
    let service = match service {
        "eventbridge" => "events",
        "sfn" => "states",
        other => other,
    };
    let mut chars = action.chars();
    let first = chars.next()?;
    Some((service.to_string(), first.to_ascii_uppercase().to_string() + chars.as_str()))
}

/// Task parameters by path; `Key.$` takes its value from the input.
fn flatten_parameters(n: &Node, prefix: &str, out: &mut Vec<(String, Option<SymStr>)>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &n.kind {
        Kind::Map(m) => {
            for (k, v) in m {
                match k.strip_suffix(".$") {
                    Some(name) => out.push((format!("{prefix}{name}"), None)),
                    None => flatten_parameters(v, &format!("{prefix}{k}."), out, depth + 1),
                }
            }
        }
        Kind::Seq(items) => {
            let list = prefix.trim_end_matches('.');
            for item in items {
                flatten_parameters(item, &format!("{list}[]."), out, depth + 1);
            }
        }
        _ => out.push((prefix.trim_end_matches('.').to_string(), Some(n.to_sym()))),
    }
}

/// Gives each function run by a Task state its `StepFunctions` event.
pub fn attach_task_events(machines: &[StateMachine], functions: &mut [Function]) {
    for m in machines {
        for st in &m.states {
            let Some(fname) = &st.function else { continue };
            if let Some(f) = functions.iter_mut().find(|f| &f.name == fname) {
                f.events.push(Event {
                    trigger: Trigger::STEP_FUNCTIONS,
                    raw_type: "stepFunctions".to_string(),
                    resource: Some(m.physical_name.clone()),
                    filter: EventFilter { state: Some(st.name.clone()), ..Default::default() },
                    http: None,
                    line: st.line,
                });
            }
        }
    }
}

/// `stepFunctions.stateMachines` of a Serverless service (evaluated).
pub fn machines(
    step_functions: &Node,
    functions: &[(String, SymStr)],
    parse_events: &mut dyn FnMut(&Node) -> Vec<Event>,
) -> Vec<StateMachine> {
    let mut out = vec![];
    let Some(sms) = step_functions.get("stateMachines") else { return out };
    for (key, m) in sms.entries() {
        let logical = logical_ids(key, m).swap_remove(0);
        let def = m.get("definition").cloned().unwrap_or(Node::null(m.line));
        let (start_at, states) = parse_definition(&def, functions);
        let events = m.get("events").map(|e| parse_events(e)).unwrap_or_default();
        out.push(StateMachine {
            name: key.clone(),
            physical_name: physical_name(&logical, m),
            start_at,
            states,
            events,
            line: m.line,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::yaml::load_str;

    #[test]
    fn service_tasks_name_their_action_and_parameters() {
        let def = load_str("StartAt: S\nStates:\n  S:\n    Type: Task\n    Resource: arn:aws:states:::aws-sdk:eventbridge:putEvents.waitForTaskToken\n    Parameters:\n      Entries:\n        - Source: app\n          Detail.$: $.order\n    End: true\n").unwrap();
        let (_, states) = parse_definition(&def, &[]);
        assert_eq!(states[0].service_action, Some(("events".to_string(), "PutEvents".to_string())));
        let params: Vec<(String, Option<String>)> = states[0].parameters.iter().map(|(p, v)| (p.clone(), v.as_ref().map(|s| s.to_string()))).collect();
        assert_eq!(params, [("Entries[].Source".to_string(), Some("app".to_string())), ("Entries[].Detail".to_string(), None)]);
    }

    #[test]
    fn logical_ids_follow_the_plugin_naming() {
        let m = load_str("name: orders-dev\n").unwrap();
        assert_eq!(logical_ids("ordersMachine", &m), ["OrdersDashdev", "OrdersMachineStepFunctionsStateMachine"]);
        let m = load_str("id: MyMachine\nname: x\n").unwrap();
        assert_eq!(logical_ids("k", &m)[0], "MyMachine");
        assert_eq!(logical_ids("my_flow", &load_str("definition: {}\n").unwrap()), ["MyUnderscoreflowStepFunctionsStateMachine"]);
    }

    #[test]
    fn states_branches_and_tasks() {
        let def = load_str(
            "StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: arn:aws:lambda:us-east-1:1:function:svc-dev-first\n    Next: C\n    Catch:\n      - ErrorEquals: [States.ALL]\n        Next: F\n  C:\n    Type: Choice\n    Choices:\n      - Variable: $.x\n        Next: P\n    Default: F\n  P:\n    Type: Parallel\n    Branches:\n      - StartAt: B1\n        States:\n          B1:\n            Type: Task\n            Resource: arn:aws:states:::lambda:invoke\n            Parameters:\n              FunctionName: svc-dev-second:$LATEST\n            ResultPath: null\n            End: true\n    End: true\n  F:\n    Type: Fail\n",
        )
        .unwrap();
        let fns = vec![("first".to_string(), SymStr::lit("svc-dev-first")), ("second".to_string(), SymStr::lit("svc-dev-second"))];
        let (start, states) = parse_definition(&def, &fns);
        assert_eq!(start, "A");
        let a = states.iter().find(|s| s.name == "A").unwrap();
        assert_eq!(a.function.as_deref(), Some("first"));
        assert_eq!(a.next, vec!["C", "F"]);
        let c = states.iter().find(|s| s.name == "C").unwrap();
        assert_eq!(c.next, vec!["F", "P"]);
        let p = states.iter().find(|s| s.name == "P").unwrap();
        assert_eq!(p.next, vec!["B1"]);
        let b1 = states.iter().find(|s| s.name == "B1").unwrap();
        assert_eq!(b1.function.as_deref(), Some("second"));
        assert_eq!(b1.result_path.as_deref(), Some("null"));
    }
}
