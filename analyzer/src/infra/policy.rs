//! IAM policy documents as the model stores them: statements from inline
//! policies, SAM policy templates and well-known AWS managed policies.
//! Template and managed policy contents are data
//! (`analyzer/models/sam-policy-templates.toml`), so supporting another
//! template is a data change.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::infra::model::{Effect, Statement};
use crate::infra::resolve::CfnEval;
use crate::infra::yaml::{Kind, Node};
use crate::sym::SymStr;

#[derive(Deserialize)]
struct TemplateFile {
    #[serde(default)]
    templates: HashMap<String, Template>,
    #[serde(default)]
    managed: HashMap<String, Template>,
}

#[derive(Deserialize)]
struct Template {
    statements: Vec<TemplateStatement>,
}

#[derive(Deserialize)]
struct TemplateStatement {
    actions: Vec<String>,
    resources: Vec<String>,
}

fn templates() -> &'static TemplateFile {
    static T: OnceLock<TemplateFile> = OnceLock::new();
    T.get_or_init(|| {
        toml::from_str(include_str!("../../models/sam-policy-templates.toml"))
            .expect("models/sam-policy-templates.toml is valid")
    })
}

pub fn is_policy_template(name: &str) -> bool {
    templates().templates.contains_key(name)
}

/// `Statement:` entries of a policy document (or a bare list of them).
pub fn statements_of(doc: &Node, origin: &str) -> Vec<Statement> {
    let list = match doc.get_ci("Statement") {
        Some(s) => s.one_or_many(),
        None => doc.one_or_many(),
    };
    list.into_iter().filter(|s| s.is_map()).map(|s| statement(s, origin)).collect()
}

fn syms(n: Option<&Node>) -> Vec<SymStr> {
    n.map(|n| n.one_or_many().into_iter().map(Node::to_sym).collect()).unwrap_or_default()
}

/// One statement. A missing Effect is read as Allow, which is what the
/// author meant far more often than not (AWS would reject the template).
pub fn statement(s: &Node, origin: &str) -> Statement {
    let effect = match s.get_ci("Effect").and_then(Node::as_text).as_deref() {
        Some(e) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
        _ => Effect::Allow,
    };
    let (actions, not_action) = match s.get_ci("Action") {
        Some(a) => (syms(Some(a)), false),
        None => (syms(s.get_ci("NotAction")), true),
    };
    let (resources, not_resource) = match s.get_ci("Resource") {
        Some(r) => (syms(Some(r)), false),
        None => (syms(s.get_ci("NotResource")), s.get_ci("NotResource").is_some()),
    };
    Statement { effect, actions, not_action, resources, not_resource, origin: origin.to_string(), line: s.line }
}

/// Expands `{S3CrudPolicy: {BucketName: ...}}`. Parameter values must
/// already be evaluated (they are Fn::Sub variables of the template).
pub fn expand_template(name: &str, params: &Node, cfn: &mut CfnEval, line: u32) -> Option<Vec<Statement>> {
    let t = templates().templates.get(name)?;
    Some(expand(t, params, cfn, line, &format!("Policies: {name}")))
}

/// Statements of an AWS managed policy given by name or ARN, when its
/// content is known.
pub fn expand_managed(name_or_arn: &SymStr, cfn: &mut CfnEval, line: u32) -> Option<Vec<Statement>> {
    let text = name_or_arn.as_lit()?;
    let name = text.rsplit('/').next().unwrap_or(text);
    if text.starts_with("arn:") && !text.contains(":iam::aws:policy/") {
        return None;
    }
    let t = templates().managed.get(name)?;
    Some(expand(t, &Node::null(line), cfn, line, &format!("managed policy {name}")))
}

fn expand(t: &Template, params: &Node, cfn: &mut CfnEval, line: u32, origin: &str) -> Vec<Statement> {
    let mut vars = BTreeMap::new();
    for (k, v) in params.entries() {
        vars.insert(k.clone(), v.to_sym());
    }
    t.statements
        .iter()
        .map(|s| Statement {
            effect: Effect::Allow,
            actions: s.actions.iter().map(|a| SymStr::lit(a.as_str())).collect(),
            not_action: false,
            resources: s
                .resources
                .iter()
                .map(|r| {
                    let mut v = vars.clone();
                    // Parameters the policy leaves out stay unknown.
                    for p in placeholders(r) {
                        if !p.starts_with("AWS::") && !v.contains_key(&p) {
                            v.insert(p.clone(), SymStr::any(format!("parameter:{p}")));
                        }
                    }
                    cfn.sub(&SymStr::lit(r.as_str()), &v, line, 0)
                })
                .collect(),
            not_resource: false,
            origin: origin.to_string(),
            line,
        })
        .collect()
}

fn placeholders(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        match after.find('}') {
            Some(e) => {
                out.push(after[..e].to_string());
                rest = &after[e + 1..];
            }
            None => break,
        }
    }
    out
}

/// Permissions attached to a role: statements, and managed policies the
/// model cannot see into.
#[derive(Default, Debug, Clone)]
pub struct RolePolicies {
    pub statements: Vec<Statement>,
    pub managed: Vec<SymStr>,
}

impl RolePolicies {
    /// Adds a managed policy: known ones become statements.
    pub fn add_managed(&mut self, m: &Node, cfn: &mut CfnEval) {
        for item in m.one_or_many() {
            let s = item.to_sym();
            match expand_managed(&s, cfn, item.line) {
                Some(st) => self.statements.extend(st),
                None => self.managed.push(s),
            }
        }
    }
}

/// The permissions of an `AWS::IAM::Role` declared in the same file
/// (inline `Policies`, `ManagedPolicyArns`, and `AWS::IAM::Policy` /
/// `AWS::IAM::ManagedPolicy` resources attached to it). `resources` is the
/// evaluated `Resources:` map.
pub fn role_policies(role_id: &str, resources: &Node, cfn: &mut CfnEval) -> Option<RolePolicies> {
    let role = resources.get(role_id)?;
    if role.get("Type").and_then(Node::as_text).as_deref() != Some("AWS::IAM::Role") {
        return None;
    }
    let mut out = RolePolicies::default();
    let props = role.get("Properties").cloned().unwrap_or(Node::null(role.line));
    for p in props.get("Policies").map(Node::one_or_many).unwrap_or_default() {
        if let Some(doc) = p.get("PolicyDocument") {
            out.statements.extend(statements_of(doc, &format!("{role_id}.Policies")));
        }
    }
    if let Some(m) = props.get("ManagedPolicyArns") {
        out.add_managed(m, cfn);
    }
    let role_name = cfn.physical_name(role_id, 0);
    for (id, r) in resources.entries() {
        let kind = r.get("Type").and_then(Node::as_text).unwrap_or_default();
        if kind != "AWS::IAM::Policy" && kind != "AWS::IAM::ManagedPolicy" {
            continue;
        }
        let attached = r.path(&["Properties", "Roles"]).map(Node::one_or_many).unwrap_or_default();
        let hit = attached.iter().any(|x| match &x.kind {
            Kind::Str(s) => Some(s) == role_name.as_ref() || s.as_lit() == Some(role_id),
            _ => false,
        });
        if hit {
            if let Some(doc) = r.path(&["Properties", "PolicyDocument"]) {
                out.statements.extend(statements_of(doc, id));
            }
        }
    }
    Some(out)
}

/// The logical ID a role reference points to (`!GetAtt R.Arn`, `!Ref R`,
/// or a bare logical ID), read before intrinsics are evaluated.
pub fn role_reference(raw: &Node) -> Option<String> {
    match &raw.kind {
        Kind::Str(s) => s.as_lit().filter(|t| !t.starts_with("arn:") && !t.contains('/')).map(str::to_string),
        Kind::Map(m) if m.len() == 1 => {
            let (k, v) = &m[0];
            match k.as_str() {
                "Ref" => v.as_text(),
                "Fn::GetAtt" => match &v.kind {
                    Kind::Seq(items) => items.first().and_then(Node::as_text),
                    _ => v.as_text().and_then(|t| t.split('.').next().map(str::to_string)),
                },
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::yaml::load_str;

    #[test]
    fn statements_with_variants() {
        let doc = load_str("Statement:\n  - Effect: Deny\n    NotAction: s3:*\n    NotResource: ['arn:aws:s3:::x']\n  - effect: Allow\n    action: [sqs:SendMessage]\n    resource: '*'\n").unwrap();
        let s = statements_of(&doc, "t");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].effect, Effect::Deny);
        assert!(s[0].not_action && s[0].not_resource);
        assert_eq!(s[1].actions[0], SymStr::lit("sqs:SendMessage"));
        assert_eq!(s[1].line, 5);
    }

    #[test]
    fn every_template_parses_and_expands() {
        let mut cfn = CfnEval::new(SymStr::lit("us-east-1"), SymStr::lit("s"), "t");
        let params = load_str("BucketName: b\nTableName: t\nQueueName: q\nTopicName: n\n").unwrap();
        for name in templates().templates.keys() {
            let st = expand_template(name, &params, &mut cfn, 1).unwrap();
            assert!(!st.is_empty(), "{name}");
        }
        let st = expand_template("S3CrudPolicy", &params, &mut cfn, 1).unwrap();
        assert_eq!(st[0].resources[0], SymStr::lit("arn:aws:s3:::b"));
        assert_eq!(st[0].resources[1], SymStr::lit("arn:aws:s3:::b/*"));
        let st = expand_template("DynamoDBCrudPolicy", &params, &mut cfn, 1).unwrap();
        assert_eq!(st[0].resources[0].to_string(), "arn:aws:dynamodb:us-east-1:${?AWS::AccountId}:table/t");
    }

    #[test]
    fn managed_policies_by_name_or_arn() {
        let mut cfn = CfnEval::new(SymStr::lit("us-east-1"), SymStr::lit("s"), "t");
        assert!(expand_managed(&SymStr::lit("AWSLambdaBasicExecutionRole"), &mut cfn, 1).is_some());
        assert!(expand_managed(&SymStr::lit("arn:aws:iam::aws:policy/AmazonS3FullAccess"), &mut cfn, 1).is_some());
        assert!(expand_managed(&SymStr::lit("arn:aws:iam::123:policy/Custom"), &mut cfn, 1).is_none());
    }
}
