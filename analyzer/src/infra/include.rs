//! Local files a template pulls in: `Fn::Transform` with `AWS::Include`
//! (`Location: ./openapi.yaml`, which `sam package` uploads for the
//! template) and an API's `DefinitionUri` naming a local OpenAPI file. They
//! are inlined before evaluation so that routes written there are read like
//! inline ones. Lines inside an included file are those of the template
//! line that includes it, where findings and diagnostics can point.

use std::path::Path;

use crate::infra::model::Diagnostic;
use crate::infra::yaml::{self, Kind, Node};

/// Includes nested deeper than this are left as they are.
const MAX_DEPTH: usize = 8;

pub struct Includer<'a> {
    /// The template's folder.
    pub dir: &'a Path,
    /// The template, relative to the application, for diagnostics.
    pub template: &'a str,
    pub diagnostics: Vec<Diagnostic>,
}

impl Includer<'_> {
    /// `n` with every local include replaced by the file's content.
    pub fn inline(&mut self, n: Node, depth: usize) -> Node {
        let line = n.line;
        match n.kind {
            Kind::Map(m) if m.len() == 1 && m[0].0 == "Fn::Transform" => {
                let transform = &m[0].1;
                let is_include = transform.get("Name").and_then(Node::as_text).as_deref() == Some("AWS::Include");
                let location = transform.path(&["Parameters", "Location"]).and_then(Node::as_text);
                match (is_include, location) {
                    (true, Some(loc)) if depth < MAX_DEPTH && is_local(&loc) => match self.load(&loc, line) {
                        Some(included) => self.inline(included, depth + 1),
                        None => Node::new(Kind::Map(m), line),
                    },
                    _ => Node::new(Kind::Map(m), line),
                }
            }
            Kind::Map(m) => {
                let mut entries: Vec<(String, Node)> = m.into_iter().map(|(k, v)| (k, self.inline(v, depth))).collect();
                self.api_definition_uri(&mut entries, depth);
                Node::new(Kind::Map(entries), line)
            }
            Kind::Seq(items) => Node::new(Kind::Seq(items.into_iter().map(|v| self.inline(v, depth)).collect()), line),
            kind => Node::new(kind, line),
        }
    }

    /// A SAM API whose `DefinitionUri` is a local file gets that file as
    /// its `DefinitionBody`.
    fn api_definition_uri(&mut self, entries: &mut [(String, Node)], depth: usize) {
        let is_api = entries.iter().any(|(k, v)| {
            k == "Type" && matches!(v.as_text().as_deref(), Some("AWS::Serverless::Api" | "AWS::Serverless::HttpApi"))
        });
        let Some((_, props)) = entries.iter_mut().find(|(k, _)| k == "Properties") else { return };
        if !is_api || props.get("DefinitionBody").is_some() {
            return;
        }
        let Some(uri) = props.get("DefinitionUri") else { return };
        let (Some(loc), line) = (uri.as_text(), uri.line) else { return };
        if depth >= MAX_DEPTH || !is_local(&loc) {
            return;
        }
        let Some(body) = self.load(&loc, line) else { return };
        let body = self.inline(body, depth + 1);
        if let Kind::Map(m) = &mut props.kind {
            m.push(("DefinitionBody".to_string(), body));
        }
    }

    fn load(&mut self, location: &str, line: u32) -> Option<Node> {
        let diag = |message: String| Diagnostic { file: self.template.to_string(), line, message };
        let text = match crate::confine::read_text(self.dir, location) {
            Ok(t) => t,
            Err(crate::confine::Refusal::NotFound) => {
                self.diagnostics.push(diag(format!("included file `{location}` not found")));
                return None;
            }
            Err(refusal) => {
                self.diagnostics.push(diag(format!("included file `{location}` is {refusal}")));
                return None;
            }
        };
        match yaml::load_file_text(&text, location.ends_with(".json")) {
            Ok(n) => Some(relined(n, line)),
            Err(e) => {
                self.diagnostics.push(diag(format!("included file `{location}`:{}: {}", e.line, e.message)));
                None
            }
        }
    }
}

/// A path in the application rather than an S3 location or a URL.
fn is_local(location: &str) -> bool {
    !location.contains("://") && !location.starts_with('/')
}

fn relined(n: Node, line: u32) -> Node {
    let kind = match n.kind {
        Kind::Map(m) => Kind::Map(m.into_iter().map(|(k, v)| (k, relined(v, line))).collect()),
        Kind::Seq(items) => Kind::Seq(items.into_iter().map(|v| relined(v, line)).collect()),
        kind => kind,
    };
    Node::new(kind, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn includer(dir: &Path) -> Includer<'_> {
        Includer { dir, template: "template.yaml", diagnostics: vec![] }
    }

    #[test]
    fn aws_include_and_definition_uri_are_inlined_at_the_including_line() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("api.yaml"), "paths:\n  /a:\n    get: {}\n").unwrap();
        let template = yaml::load_str("Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      DefinitionBody:\n        Fn::Transform:\n          Name: AWS::Include\n          Parameters:\n            Location: api.yaml\n  Http:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      DefinitionUri: ./api.yaml\n").unwrap();
        let mut inc = includer(t.path());
        let out = inc.inline(template, 0);
        assert!(inc.diagnostics.is_empty(), "{:?}", inc.diagnostics);
        let body = out.path(&["Resources", "Api", "Properties", "DefinitionBody"]).unwrap();
        assert_eq!(body.path(&["paths", "/a"]).unwrap().line, 6);
        let body = out.path(&["Resources", "Http", "Properties", "DefinitionBody"]).unwrap();
        assert_eq!(body.path(&["paths", "/a"]).unwrap().line, 13);
    }

    #[test]
    fn missing_broken_and_remote_includes_stay_with_a_diagnostic() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("bad.yaml"), "a: [\n").unwrap();
        let template = yaml::load_str("A:\n  Fn::Transform:\n    Name: AWS::Include\n    Parameters:\n      Location: gone.yaml\nB:\n  Fn::Transform:\n    Name: AWS::Include\n    Parameters:\n      Location: bad.yaml\nC:\n  Fn::Transform:\n    Name: AWS::Include\n    Parameters:\n      Location: s3://bucket/api.yaml\n").unwrap();
        let mut inc = includer(t.path());
        let out = inc.inline(template, 0);
        let messages: Vec<String> = inc.diagnostics.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message)).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("template.yaml:2: included file `gone.yaml` not found"), "{messages:?}");
        assert!(messages[1].starts_with("template.yaml:7: included file `bad.yaml`:"), "{messages:?}");
        assert!(out.path(&["C", "Fn::Transform"]).is_some());
    }
}
