//! CloudFormation intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`,
//! `Fn::Join`, `Fn::If`...) evaluated over a template's parameters,
//! mappings and resources.

use std::collections::BTreeMap;

use crate::catalog::catalog;
use crate::infra::model::Diagnostic;
use crate::infra::yaml::{Kind, Node};
use crate::names::{self, account};
use crate::sym::{Piece, SymStr};
use super::variables::BENIGN_NOTES;

/// What the evaluator knows about one logical resource.
#[derive(Clone, Debug)]
pub struct ResInfo {
    pub kind: String,
    /// The name property as written (evaluated on demand), if any.
    pub name_node: Option<Node>,
    /// A physical name already known (Serverless functions).
    pub name: Option<SymStr>,
}

/// The property that names a resource of a CloudFormation type, when a
/// model declares the type (`models/aws/*.toml`, `[[resource_type]]`).
pub fn name_property(kind: &str) -> Option<&'static str> {
    catalog().resource_type(kind).map(|t| t.name_property.as_str())
}

pub struct CfnEval {
    pub region: SymStr,
    pub stack_name: SymStr,
    pub parameters: BTreeMap<String, Node>,
    pub mappings: Node,
    pub resources: BTreeMap<String, ResInfo>,
    /// `InfraOptions.resources`: off, references to resources stay unknown.
    pub resources_enabled: bool,
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

const MAX_CFN_DEPTH: usize = 32;

impl CfnEval {
    pub fn new(region: SymStr, stack_name: SymStr, file: &str) -> CfnEval {
        CfnEval {
            region,
            stack_name,
            parameters: BTreeMap::new(),
            mappings: Node::null(0),
            resources: BTreeMap::new(),
            resources_enabled: true,
            file: file.to_string(),
            diagnostics: vec![],
        }
    }

    /// Registers every entry of a `Resources:` map.
    pub fn add_resources(&mut self, resources: &Node) {
        for (id, r) in resources.entries() {
            let kind = r.get("Type").and_then(Node::as_text).unwrap_or_default();
            let name_node = name_property(&kind).and_then(|p| r.path(&["Properties", p])).cloned();
            self.resources.insert(id.clone(), ResInfo { kind, name_node, name: None });
        }
    }

    fn diag(&mut self, line: u32, message: String) {
        let d = Diagnostic { file: self.file.clone(), line, message };
        if !self.diagnostics.contains(&d) {
            self.diagnostics.push(d);
        }
    }

    /// The physical name of a resource: its name property, or the name
    /// CloudFormation generates (`<stack>-<LogicalId>-<random>`).
    pub fn physical_name(&mut self, id: &str, depth: usize) -> Option<SymStr> {
        let info = self.resources.get(id)?.clone();
        if let Some(n) = info.name {
            return Some(n);
        }
        if let Some(node) = &info.name_node {
            if depth < MAX_CFN_DEPTH {
                let v = self.eval(node, depth + 1);
                if !v.is_null() {
                    return Some(v.to_sym());
                }
            }
        }
        Some(generated_name(&self.stack_name, id, &info.kind))
    }

    /// [`CfnEval::eval`] for a tree the caller gives up: what holds no
    /// intrinsic is moved, not copied (the deployment file is the biggest
    /// tree the analyzer builds, and copying it dominated loading).
    pub fn eval_tree(&mut self, n: Node, depth: usize) -> Node {
        let line = n.line;
        match n.kind {
            Kind::Map(m) if depth <= MAX_CFN_DEPTH && !(m.len() == 1 && is_intrinsic(&m[0].0)) => {
                Node::new(Kind::Map(m.into_iter().map(|(k, v)| (k, self.eval_tree(v, depth + 1))).collect()), line)
            }
            Kind::Seq(items) if depth <= MAX_CFN_DEPTH => {
                Node::new(Kind::Seq(items.into_iter().map(|x| self.eval_tree(x, depth + 1)).collect()), line)
            }
            kind @ (Kind::Map(_) | Kind::Seq(_)) => self.eval(&Node::new(kind, line), depth),
            kind => Node::new(kind, line),
        }
    }

    /// Evaluates every intrinsic in the tree.
    pub fn eval(&mut self, n: &Node, depth: usize) -> Node {
        if depth > MAX_CFN_DEPTH {
            self.diag(n.line, "intrinsic functions nested too deeply".to_string());
            return Node::str(SymStr::any("deep"), n.line);
        }
        match &n.kind {
            Kind::Map(m) if m.len() == 1 && is_intrinsic(&m[0].0) => {
                self.intrinsic(&m[0].0, &m[0].1, n.line, depth)
            }
            Kind::Map(m) => Node::new(
                Kind::Map(m.iter().map(|(k, v)| (k.clone(), self.eval(v, depth + 1))).collect()),
                n.line,
            ),
            Kind::Seq(items) => {
                Node::new(Kind::Seq(items.iter().map(|x| self.eval(x, depth + 1)).collect()), n.line)
            }
            _ => n.clone(),
        }
    }

    fn sym(&mut self, n: &Node, depth: usize) -> SymStr {
        self.eval(n, depth + 1).to_sym()
    }

    fn intrinsic(&mut self, f: &str, arg: &Node, line: u32, depth: usize) -> Node {
        let s = |x: SymStr| Node::str(x, line);
        match f {
            "Ref" => {
                let target = self.sym(arg, depth);
                match target.as_lit() {
                    Some(t) => s(self.reference(t, line, depth)),
                    None => s(SymStr::any("Ref")),
                }
            }
            "Fn::GetAtt" => {
                let (id, attr) = match &arg.kind {
                    Kind::Seq(items) if items.len() >= 2 => {
                        let a = self.sym(&items[0], depth);
                        let b = self.sym(&items[1], depth);
                        (a, b)
                    }
                    _ => {
                        let t = self.sym(arg, depth);
                        match t.as_lit().and_then(|x| x.split_once('.')) {
                            Some((a, b)) => (SymStr::lit(a), SymStr::lit(b)),
                            None => (t, SymStr::any("attr")),
                        }
                    }
                };
                match (id.as_lit(), attr.as_lit()) {
                    (Some(i), Some(a)) => s(self.get_att(i, a, line, depth)),
                    _ => s(SymStr::any("Fn::GetAtt")),
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.kind {
                    Kind::Seq(items) if !items.is_empty() => (items[0].clone(), items.get(1).cloned()),
                    _ => (arg.clone(), None),
                };
                let mut map = BTreeMap::new();
                if let Some(v) = vars {
                    for (k, x) in v.entries() {
                        let val = self.sym(x, depth);
                        map.insert(k.clone(), val);
                    }
                }
                let t = self.sym(&template, depth);
                s(self.sub(&t, &map, line, depth))
            }
            "Fn::Join" => {
                let items = arg.items();
                if items.len() != 2 {
                    return s(SymStr::any("Fn::Join"));
                }
                let delim = self.sym(&items[0], depth);
                let list = self.eval(&items[1], depth + 1);
                match &list.kind {
                    Kind::Seq(parts) => {
                        let mut out = SymStr::default();
                        for (i, p) in parts.iter().enumerate() {
                            if i > 0 {
                                out.push(&delim);
                            }
                            out.push(&p.to_sym());
                        }
                        s(out)
                    }
                    _ => s(SymStr::any("Fn::Join")),
                }
            }
            "Fn::Select" => {
                let items = arg.items();
                if items.len() != 2 {
                    return s(SymStr::any("Fn::Select"));
                }
                let idx = self.sym(&items[0], depth);
                let list = self.eval(&items[1], depth + 1);
                match (idx.as_lit().and_then(|i| i.parse::<usize>().ok()), &list.kind) {
                    (Some(i), Kind::Seq(parts)) if i < parts.len() => parts[i].clone(),
                    _ => s(SymStr::any("Fn::Select")),
                }
            }
            "Fn::Split" => {
                let items = arg.items();
                if items.len() != 2 {
                    return s(SymStr::any("Fn::Split"));
                }
                let delim = self.sym(&items[0], depth);
                let text = self.sym(&items[1], depth);
                match (delim.as_lit(), text.as_lit()) {
                    (Some(d), Some(t)) if !d.is_empty() => Node::new(
                        Kind::Seq(t.split(d).map(|x| Node::lit(x, line)).collect()),
                        line,
                    ),
                    _ => s(SymStr::any("Fn::Split")),
                }
            }
            "Fn::If" => {
                let items = arg.items();
                if items.len() != 3 {
                    return s(SymStr::any("Fn::If"));
                }
                let a = self.eval(&items[1], depth + 1);
                let b = self.eval(&items[2], depth + 1);
                match (&a.kind, &b.kind) {
                    (Kind::Str(x), Kind::Str(y)) => s(x.join(y)),
                    (Kind::Map(m), _) if m.first().is_some_and(|(k, _)| k == "Ref") => b,
                    _ if a.is_null() => b,
                    _ => a,
                }
            }
            "Fn::ImportValue" => {
                let v = self.sym(arg, depth);
                s(SymStr::any(format!("ImportValue:{v}")))
            }
            "Fn::FindInMap" => {
                let items = arg.items();
                let keys: Vec<SymStr> = items.iter().map(|x| self.sym(x, depth)).collect();
                if keys.len() == 3 {
                    if let (Some(a), Some(b), Some(c)) = (keys[0].as_lit(), keys[1].as_lit(), keys[2].as_lit()) {
                        if let Some(v) = self.mappings.path(&[a, b, c]).cloned() {
                            return self.eval(&v, depth + 1);
                        }
                    }
                }
                s(SymStr::any("Fn::FindInMap"))
            }
            "Fn::Base64" => self.eval(arg, depth + 1),
            "Fn::GetAZs" => s(SymStr::any("Fn::GetAZs")),
            _ => s(SymStr::any(f)),
        }
    }

    /// The value of `Ref`: pseudo parameter, template parameter or resource.
    pub fn reference(&mut self, target: &str, line: u32, depth: usize) -> SymStr {
        match target {
            "AWS::Region" => return self.region.clone(),
            "AWS::AccountId" => return account(),
            "AWS::Partition" => return SymStr::lit("aws"),
            "AWS::URLSuffix" => return SymStr::lit("amazonaws.com"),
            "AWS::StackName" => return self.stack_name.clone(),
            "AWS::StackId" => return SymStr::any("stack-id"),
            "AWS::NoValue" => return SymStr::default(),
            _ => {}
        }
        if let Some(p) = self.parameters.get(target).cloned() {
            return match p.get("Default") {
                Some(d) => self.sym(d, depth),
                None => SymStr::any(format!("parameter:{target}")),
            };
        }
        let Some(info) = self.resources.get(target).cloned() else {
            self.diag(line, format!("Ref to unknown `{target}`"));
            return SymStr::any(format!("Ref:{target}"));
        };
        if !self.resources_enabled {
            return SymStr::any(format!("Ref:{target}"));
        }
        let name = self.physical_name(target, depth).unwrap_or_default();
        names::reference(&info.kind, &name, &self.region).unwrap_or_else(|| SymStr::any(format!("Ref:{target}")))
    }

    pub fn get_att(&mut self, id: &str, attr: &str, line: u32, depth: usize) -> SymStr {
        let Some(info) = self.resources.get(id).cloned() else {
            self.diag(line, format!("Fn::GetAtt of unknown `{id}.{attr}`"));
            return SymStr::any(format!("GetAtt:{id}.{attr}"));
        };
        if !self.resources_enabled {
            return SymStr::any(format!("GetAtt:{id}.{attr}"));
        }
        let name = self.physical_name(id, depth).unwrap_or_default();
        names::attribute(&info.kind, attr, &name, &self.region).unwrap_or_else(|| SymStr::any(format!("GetAtt:{id}.{attr}")))
    }

    /// `Fn::Sub`: `${Param}`, `${Res.Attr}`, `${AWS::Region}`, `${!Literal}`.
    pub fn sub(&mut self, template: &SymStr, vars: &BTreeMap<String, SymStr>, line: u32, depth: usize) -> SymStr {
        let mut out = SymStr::default();
        for p in template.pieces() {
            let text = match p {
                Piece::Lit(t) => t,
                Piece::Any(n) => {
                    out.push_any(n);
                    continue;
                }
            };
            let mut rest = text.as_str();
            while let Some(i) = rest.find("${") {
                out.push_lit(&rest[..i]);
                let after = &rest[i + 2..];
                let Some(end) = after.find('}') else {
                    out.push_lit(&rest[i..]);
                    rest = "";
                    break;
                };
                let name = after[..end].trim();
                if let Some(lit) = name.strip_prefix('!') {
                    out.push_lit("${");
                    out.push_lit(lit);
                    out.push_lit("}");
                } else if let Some(v) = vars.get(name) {
                    out.push(v);
                } else if name.contains('.') && !name.starts_with("AWS::") {
                    let (a, b) = name.split_once('.').unwrap_or((name, ""));
                    let v = self.get_att(a, b, line, depth + 1);
                    out.push(&v);
                } else {
                    let v = self.reference(name, line, depth + 1);
                    out.push(&v);
                }
                rest = &after[end + 1..];
            }
            out.push_lit(rest);
        }
        out
    }
}

fn is_intrinsic(k: &str) -> bool {
    k == "Ref" || k.starts_with("Fn::")
}

/// The name CloudFormation makes up for an unnamed resource. S3 lowercases
/// it; the random suffix stays unknown.
pub fn generated_name(stack: &SymStr, id: &str, kind: &str) -> SymStr {
    let id = if kind == "AWS::S3::Bucket" { id.to_ascii_lowercase() } else { id.to_string() };
    let mut out = stack.clone();
    if out.pieces().is_empty() {
        out = SymStr::any("AWS::StackName");
    }
    out.push_lit(&format!("-{id}-"));
    out.push_any(&format!("{id}-suffix"));
    out
}

/// Whether a symbolic value has unknown pieces that are not the account,
/// stack and similar deploy-time facts.
pub fn has_unresolved(s: &SymStr) -> bool {
    s.pieces().iter().any(|p| match p {
        Piece::Any(n) => !BENIGN_NOTES.contains(&n.as_str()) && !n.ends_with("-suffix") && n != "stream-label" && n != "secret-suffix",
        Piece::Lit(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::yaml::load_str;

    fn cfn(text: &str) -> (Node, CfnEval) {
        let root = load_str(text).unwrap();
        let mut e = CfnEval::new(SymStr::lit("us-east-1"), SymStr::lit("svc-dev"), "t.yml");
        if let Some(p) = root.get("Parameters") {
            for (k, v) in p.entries() {
                e.parameters.insert(k.clone(), v.clone());
            }
        }
        e.add_resources(root.get("Resources").unwrap());
        let out = e.eval(root.get("Out").unwrap(), 0);
        (out, e)
    }

    const RES: &str = "Parameters:\n  Env:\n    Default: prod\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${Env}-bucket'\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: jobs\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: news\n  D:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Join ['-', [!Ref Env, items]]\n  U:\n    Type: AWS::S3::Bucket\n";

    #[test]
    fn refs_and_getatts() {
        let (o, _) = cfn(&format!("{RES}Out:\n  - !Ref B\n  - !Ref Q\n  - !Ref T\n  - !GetAtt Q.Arn\n  - !GetAtt D.StreamArn\n  - !Ref AWS::Region\n  - !Ref U\n  - !GetAtt [Q, QueueName]\n  - !GetAtt D.Arn\n"));
        let v: Vec<String> = o.items().iter().map(|x| x.to_sym().to_string()).collect();
        assert_eq!(v[0], "prod-bucket");
        assert_eq!(v[1], "https://sqs.us-east-1.amazonaws.com/${?AWS::AccountId}/jobs");
        assert_eq!(v[2], "arn:aws:sns:us-east-1:${?AWS::AccountId}:news");
        assert_eq!(v[3], "arn:aws:sqs:us-east-1:${?AWS::AccountId}:jobs");
        assert!(v[4].starts_with("arn:aws:dynamodb:us-east-1:${?AWS::AccountId}:table/prod-items/stream/"));
        assert_eq!(v[5], "us-east-1");
        assert!(v[6].starts_with("svc-dev-u-"));
        assert_eq!(v[7], "jobs");
        assert_eq!(v[8], "arn:aws:dynamodb:us-east-1:${?AWS::AccountId}:table/prod-items");
    }

    #[test]
    fn sub_join_select_split_if() {
        let (o, _) = cfn(&format!("{RES}Out:\n  - !Sub 'arn:aws:s3:::${{B}}/*'\n  - !Sub ['${{x}}-${{AWS::Region}}-${{Q.QueueName}}', {{x: !Ref T}}]\n  - !Select [1, !Split [',', 'a,b,c']]\n  - !If [C, one-a, one-b]\n  - !ImportValue Shared\n  - !Sub '${{!Literal}}'\n"));
        let v: Vec<String> = o.items().iter().map(|x| x.to_sym().to_string()).collect();
        assert_eq!(v[0], "arn:aws:s3:::prod-bucket/*");
        assert_eq!(v[1], "arn:aws:sns:us-east-1:${?AWS::AccountId}:news-us-east-1-jobs");
        assert_eq!(v[2], "b");
        assert_eq!(v[3], "one-${?join}");
        assert!(v[4].starts_with("${?ImportValue"));
        assert_eq!(v[5], "${Literal}");
    }

    #[test]
    fn resources_switch_keeps_refs_opaque() {
        let root = load_str(RES).unwrap();
        let mut e = CfnEval::new(SymStr::lit("us-east-1"), SymStr::lit("s"), "t");
        e.add_resources(root.get("Resources").unwrap());
        e.resources_enabled = false;
        assert!(!e.reference("B", 1, 0).is_known());
        assert!(!e.get_att("Q", "Arn", 1, 0).is_known());
        assert_eq!(e.reference("AWS::Region", 1, 0), SymStr::lit("us-east-1"));
    }

    #[test]
    fn deep_and_cyclic_intrinsics_stop() {
        let (o, _) = cfn("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref B\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref A\nOut: !Ref A\n");
        // Each name is the other's: the name stays unknown.
        assert!(o.to_sym().as_lit().is_none() && has_unresolved(&o.to_sym()), "{}", o.to_sym());
        let nested = (0..40).fold("x".to_string(), |inner, _| format!("{{'Fn::Join': ['', [a, {inner}]]}}"));
        let (o, e) = cfn(&format!("Resources: {{}}\nOut: {nested}\n"));
        // Forty joins deep, the innermost are cut off: the text is known
        // only up to the limit.
        let text = o.to_sym();
        assert!(text.as_lit().is_none() && text.known_prefix().len() < 40, "{text}");
        assert!(!e.diagnostics.is_empty());
    }
}
