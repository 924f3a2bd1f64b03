//! `undefined-trigger-resource`: an event of a function that listens to a
//! resource the deployment file does not define: a `Ref` or `Fn::GetAtt`
//! of a logical ID that is not among its resources (the reader leaves such
//! references as `Ref:ID` / `GetAtt:ID.Attr` unknowns), or the stream of a
//! DynamoDB table declared without one. ARNs and names written out, and
//! imports from other stacks, point outside the file and are not judged.

use super::{describe, event_line, Risk};
use crate::outcome::Analysis;
use crate::names::same_resource;
use crate::infra::model::{Event, Service, Trigger};
use crate::sym::{Piece, Truth};

pub fn check(a: &Analysis) -> Vec<Risk> {
    let mut out = Vec::new();
    for s in &a.infra.services {
        for f in &s.functions {
            for e in &f.events {
                let Some(problem) = missing_reference(s, e).or_else(|| streamless_table(s, e)) else { continue };
                let what = describe(e);
                out.push(Risk {
                    rule: "undefined-trigger-resource".into(),
                    file: s.file.clone(),
                    line: event_line(a, s, e),
                    function: Some(f.name.clone()),
                    message: format!("the {what} trigger of function {} listens to {problem}: it can never fire as written", f.name),
                    subject: format!("{what} {problem}"),
                });
            }
        }
    }
    out
}

fn defined(s: &Service, id: &str) -> bool {
    s.resources.iter().any(|r| r.logical_id == id) || s.functions.iter().any(|f| f.name == id) || s.state_machines.iter().any(|m| m.name == id)
}

fn missing_reference(s: &Service, e: &Event) -> Option<String> {
    e.resource.as_ref()?.pieces().iter().find_map(|p| {
        let Piece::Any(note) = p else { return None };
        let id = note.strip_prefix("Ref:").or_else(|| note.strip_prefix("GetAtt:").map(|r| r.split('.').next().unwrap_or(r)))?;
        (!defined(s, id)).then(|| format!("`{id}`, which the deployment file does not define"))
    })
}

fn streamless_table(s: &Service, e: &Event) -> Option<String> {
    if e.trigger != Trigger::DYNAMODB_STREAM {
        return None;
    }
    let stream = e.resource.as_ref()?;
    let table = s.resources.iter().filter(|r| r.kind == "AWS::DynamoDB::Table" && !r.has_stream).find(|r| {
        let name = r.physical_name.clone().unwrap_or_else(|| crate::sym::SymStr::lit(&r.logical_id));
        same_resource("dynamodb", &name, stream) == Truth::Yes
    })?;
    Some(format!("the stream of table `{}`, which declares no StreamSpecification", table.logical_id))
}
