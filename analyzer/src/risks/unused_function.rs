//! `unused-function`: a function nothing starts. It has no event (function
//! URLs and Step Functions tasks are events of the model), no other
//! function sends it its destinations, no resource of the deployment file
//! names it (a rule target, a user-pool trigger, a custom resource, an
//! output exporting it for another stack), and no code invokes it.
//!
//! Invocations the analysis cannot see keep every function of the
//! deployment file in use: a `lambda.invoke` whose target is unknown, a
//! Lambda call without a model, or a function whose code was not analysed
//! (another runtime, a missing handler) and whose role may invoke
//! functions.

use super::{function_line, Risk};
use crate::outcome::Analysis;
use crate::names::same_resource;
use crate::infra::iam::IamOptions;
use crate::infra::model::{Decision, Framework, Function, Service};
use crate::infra::function_refs::normalize_name;
use crate::sym::SymStr;

pub fn check(a: &Analysis) -> Vec<Risk> {
    let invokes: Vec<&SymStr> = a.permission_uses.iter().filter(|u| u.action.starts_with("lambda:Invoke")).map(|u| &u.arn).collect();
    let unseen_invoker = a.unmodelled_calls.iter().any(|u| u.iam_prefix == "lambda" || u.iam_prefix == "?")
        || a.infra.functions().any(|(s, f)| !analysed(a, s, f) && f.allows("lambda:InvokeFunction", &SymStr::any("function"), &IamOptions::default()) != Decision::Denied);
    if unseen_invoker {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in &a.infra.services {
        let text = crate::confine::read_text(&a.app, &s.file).unwrap_or_default();
        for (fi, f) in s.functions.iter().enumerate() {
            if !f.events.is_empty() || destination_of_another(s, fi) || named_by_the_deployment_file(s, f, &text) || authorizer(&f.name, &text) {
                continue;
            }
            let invoked = invokes.iter().any(|arn| {
                same_resource("lambda", &f.physical_name, arn).or(same_resource("lambda", &SymStr::lit(&f.name), arn)).possible()
            });
            if invoked {
                continue;
            }
            out.push(Risk {
                rule: "unused-function".into(),
                file: s.file.clone(),
                line: function_line(a, s, f),
                function: Some(f.name.clone()),
                subject: "no trigger".into(),
                message: format!("function {} has no trigger, and nothing in the application invokes it", f.name),
            });
        }
    }
    out
}

fn analysed(a: &Analysis, s: &Service, f: &Function) -> bool {
    let named = |file: &str, function: &str| file == s.file && function == f.name;
    !a.stats.other_runtimes.iter().any(|o| named(&o.deployment_file, &o.function))
        && !a.stats.handlers_missing.iter().any(|m| named(&m.deployment_file, &m.function))
}

fn destination_of_another(s: &Service, fi: usize) -> bool {
    let f = &s.functions[fi];
    s.functions.iter().enumerate().filter(|(g, _)| *g != fi).flat_map(|(_, g)| &g.destinations).any(|d| {
        let t = d.target.to_string();
        t == f.name || same_resource("lambda", &f.physical_name, &d.target).possible()
    })
}

/// Whether the deployment file refers to the function's logical ID
/// anywhere but where the function is declared: `Ref`, `Fn::GetAtt`,
/// `${Id.Arn}` in resources and outputs. Serverless names the function's
/// resource `<Key>LambdaFunction`.
fn named_by_the_deployment_file(s: &Service, f: &Function, text: &str) -> bool {
    let id = match s.framework {
        Framework::Serverless => format!("{}LambdaFunction", normalize_name(&f.name)),
        Framework::Sam | Framework::CloudFormation => f.name.clone(),
    };
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.lines().enumerate().filter(|(i, _)| *i as u32 + 1 != f.line).any(|(_, line)| {
        line.match_indices(&id).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + id.len()..].chars().next();
            !before.is_some_and(word) && !after.is_some_and(word)
        })
    })
}

/// Whether routes use the function as their authorizer: Serverless names
/// it by its key (`authorizer: auth`, `authorizer: {name: auth}`, an HTTP
/// API authorizer's `functionName: auth`), and API Gateway calls it before
/// each request.
fn authorizer(key: &str, text: &str) -> bool {
    let value = |line: &str, keys: &[&str]| {
        let t = line.trim_start().trim_start_matches("- ");
        keys.iter().any(|k| t.strip_prefix(k).and_then(|r| r.strip_prefix(':')).is_some_and(|v| v.trim().trim_matches(|c| c == '\'' || c == '"') == key))
    };
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().any(|(i, line)| {
        if value(line, &["authorizer", "functionName"]) {
            return true;
        }
        // `name: auth` directly under an `authorizer:` key.
        if !value(line, &["name"]) {
            return false;
        }
        let indent = line.len() - line.trim_start().len();
        lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() < indent)
            .is_some_and(|parent| parent.trim() == "authorizer:")
    })
}

#[cfg(test)]
mod tests {
    use super::authorizer;

    #[test]
    fn functions_named_as_authorizers_are_used() {
        assert!(authorizer("auth", "      - http:\n          authorizer: auth\n"));
        assert!(authorizer("auth", "          authorizer:\n            name: auth\n            type: request\n"));
        assert!(authorizer("jwtAuth", "    authorizers:\n      custom:\n        type: request\n        functionName: jwtAuth\n"));
        assert!(!authorizer("auth", "  auth:\n    handler: auth.main\n          authorizer: aws_iam\n"));
        assert!(!authorizer("auth", "    name: auth\n"));
    }
}
