//! Our own YAML tree. Deployment files need three things a generic YAML
//! value does not give: the line of every node (diagnostics and findings
//! point into the file), CloudFormation short tags turned into the `Fn::`
//! form the resolver understands, and hard limits so that a hostile file
//! (deep nesting, alias bombs) cannot exhaust the analyzer.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::sym::SymStr;

/// Nesting deeper than this is not a deployment file.
pub const MAX_DEPTH: usize = 256;
/// Total nodes one file may expand to, aliases included.
pub const MAX_NODES: usize = 1_000_000;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// 1-based line, 0 when unknown.
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// Numbers keep their text: they are only ever printed or compared.
    Num(String),
    Str(SymStr),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// A load failure, with the line where the parser stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub line: u32,
    pub message: String,
}

impl Node {
    pub fn new(kind: Kind, line: u32) -> Node {
        Node { kind, line }
    }
    pub fn null(line: u32) -> Node {
        Node::new(Kind::Null, line)
    }
    pub fn str(s: SymStr, line: u32) -> Node {
        Node::new(Kind::Str(s), line)
    }
    pub fn lit(s: &str, line: u32) -> Node {
        Node::new(Kind::Str(SymStr::lit(s)), line)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Case-insensitive key lookup, for hand-written files that vary the
    /// case of well-known keys (`Effect`/`effect`).
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        self.get(key).or_else(|| match &self.kind {
            Kind::Map(m) => m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v),
            _ => None,
        })
    }

    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut cur = self;
        for k in keys {
            cur = cur.get(k)?;
        }
        Some(cur)
    }

    pub fn entries(&self) -> &[(String, Node)] {
        match &self.kind {
            Kind::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(s) => s,
            _ => &[],
        }
    }

    /// A value that may be one item or a list of items.
    pub fn one_or_many(&self) -> Vec<&Node> {
        match &self.kind {
            Kind::Seq(s) => s.iter().collect(),
            Kind::Null => vec![],
            _ => vec![self],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }
    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn as_sym(&self) -> Option<&SymStr> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a fully known scalar.
    pub fn as_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => s.as_lit().map(str::to_string),
            Kind::Num(n) => Some(n.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The node as a symbolic string: scalars print, anything else
    /// (an unevaluated intrinsic, a list) is unknown.
    pub fn to_sym(&self) -> SymStr {
        match &self.kind {
            Kind::Str(s) => s.clone(),
            Kind::Num(n) => SymStr::lit(n.as_str()),
            Kind::Bool(b) => SymStr::lit(b.to_string()),
            Kind::Null => SymStr::default(),
            Kind::Seq(_) => SymStr::any("list"),
            Kind::Map(m) => SymStr::any(m.first().map(|(k, _)| k.as_str()).unwrap_or("map")),
        }
    }

    pub fn truthy(&self) -> bool {
        match &self.kind {
            Kind::Bool(b) => *b,
            Kind::Str(s) => matches!(s.as_lit(), Some("true" | "True" | "TRUE" | "yes")),
            _ => false,
        }
    }

    /// Plain JSON, unknown pieces printed as `${?note}`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Num(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(n.clone())),
            Kind::Str(s) => Value::String(s.to_string()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    pub fn from_json(v: &serde_json::Value, line: u32) -> Node {
        use serde_json::Value;
        let kind = match v {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Bool(*b),
            Value::Number(n) => Kind::Num(n.to_string()),
            Value::String(s) => Kind::Str(SymStr::lit(s.as_str())),
            Value::Array(a) => Kind::Seq(a.iter().map(|x| Node::from_json(x, line)).collect()),
            Value::Object(o) => {
                Kind::Map(o.iter().map(|(k, x)| (k.clone(), Node::from_json(x, line))).collect())
            }
        };
        Node::new(kind, line)
    }

    fn count(&self) -> usize {
        match &self.kind {
            Kind::Seq(s) => 1 + s.iter().map(Node::count).sum::<usize>(),
            Kind::Map(m) => 1 + m.iter().map(|(_, v)| v.count()).sum::<usize>(),
            _ => 1,
        }
    }
}

/// Loads the first document of a YAML (or JSON) text.
pub fn load_str(text: &str) -> Result<Node, LoadError> {
    let mut b = Builder::default();
    let mut parser = Parser::new_from_str(text);
    let res = parser.load(&mut b, false);
    if let Some(e) = b.error {
        return Err(e);
    }
    if let Err(e) = res {
        return Err(LoadError { line: e.marker().line() as u32, message: e.info().to_string() });
    }
    Ok(b.doc.unwrap_or(Node::null(1)))
}

/// Loads a file by extension: JSON that YAML cannot read (tabs...) falls
/// back to serde_json, losing line numbers but not content.
pub fn load_file_text(text: &str, is_json: bool) -> Result<Node, LoadError> {
    match load_str(text) {
        Ok(n) => Ok(n),
        Err(e) if is_json => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => Ok(Node::from_json(&v, 0)),
            Err(je) => Err(LoadError { line: je.line() as u32, message: je.to_string() }),
        }
        .or(Err(e)),
        Err(e) => Err(e),
    }
}

enum Frame {
    Seq { items: Vec<Node>, line: u32, anchor: usize, tag: Option<Tag> },
    Map { entries: Vec<(String, Node)>, key: Option<String>, line: u32, anchor: usize, tag: Option<Tag> },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    doc: Option<Node>,
    error: Option<LoadError>,
    nodes: usize,
    done: bool,
}

impl Builder {
    fn fail(&mut self, line: u32, msg: &str) {
        if self.error.is_none() {
            self.error = Some(LoadError { line, message: msg.to_string() });
        }
    }

    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            let n = node.count();
            self.anchors.insert(anchor, (node.clone(), n));
        }
        match self.stack.last_mut() {
            None => {
                if self.doc.is_none() {
                    self.doc = Some(node);
                }
                self.done = true;
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(key_text(&node)),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

fn key_text(n: &Node) -> String {
    match &n.kind {
        Kind::Null => String::new(),
        Kind::Str(s) => s.to_string(),
        Kind::Num(x) => x.clone(),
        Kind::Bool(b) => b.to_string(),
        _ => "?".to_string(),
    }
}

fn scalar_kind(v: String, style: TScalarStyle, tag: &Option<Tag>) -> Kind {
    let plain = style == TScalarStyle::Plain;
    let forced_str = matches!(tag, Some(t) if t.handle == "!!" && t.suffix == "str");
    if !plain || forced_str {
        return Kind::Str(SymStr::lit(v));
    }
    match v.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        s if looks_numeric(s) => Kind::Num(v),
        _ => Kind::Str(SymStr::lit(v)),
    }
}

fn looks_numeric(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '_')
        && t.chars().filter(|c| *c == '.').count() <= 1
}

/// Turns `!Ref x` into `{Ref: x}`, `!GetAtt a.b` into `{Fn::GetAtt: [a, b]}`
/// and every other CloudFormation short tag into its `Fn::` long form.
fn apply_tag(node: Node, tag: Option<Tag>) -> Node {
    let Some(tag) = tag else { return node };
    if tag.handle != "!" {
        return node;
    }
    let line = node.line;
    let key = match tag.suffix.as_str() {
        "Ref" => "Ref".to_string(),
        "Condition" => "Condition".to_string(),
        "GetAtt" => {
            let value = match &node.kind {
                Kind::Str(s) => match s.as_lit().and_then(|t| t.split_once('.')) {
                    Some((a, b)) => Node::new(Kind::Seq(vec![Node::lit(a, line), Node::lit(b, line)]), line),
                    None => node,
                },
                _ => node,
            };
            return Node::new(Kind::Map(vec![("Fn::GetAtt".to_string(), value)]), line);
        }
        s @ ("Sub" | "Join" | "ImportValue" | "If" | "Select" | "Split" | "FindInMap" | "Base64"
        | "GetAZs" | "Equals" | "Not" | "And" | "Or" | "Cidr" | "Transform" | "Length"
        | "ToJsonString") => format!("Fn::{s}"),
        _ => return node,
    };
    Node::new(Kind::Map(vec![(key, node)]), line)
}

/// `<<: *defaults` merges the aliased map's keys the entry lacks.
fn merge_keys(entries: Vec<(String, Node)>) -> Vec<(String, Node)> {
    if !entries.iter().any(|(k, _)| k == "<<") {
        return entries;
    }
    let mut own: Vec<(String, Node)> = Vec::new();
    let mut merged: Vec<(String, Node)> = Vec::new();
    for (k, v) in entries {
        if k == "<<" {
            for m in v.one_or_many() {
                for (mk, mv) in m.entries() {
                    if !merged.iter().any(|(x, _)| x == mk) {
                        merged.push((mk.clone(), mv.clone()));
                    }
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for (k, v) in merged {
        if !own.iter().any(|(x, _)| *x == k) {
            own.push((k, v));
        }
    }
    own
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() || self.done {
            return;
        }
        let line = mark.line() as u32;
        match ev {
            Event::Scalar(v, style, anchor, tag) => {
                self.nodes += 1;
                let node = apply_tag(Node::new(scalar_kind(v, style, &tag), line), tag);
                self.finish(node, anchor);
            }
            Event::SequenceStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(line, "nesting too deep");
                }
                self.stack.push(Frame::Seq { items: vec![], line, anchor, tag });
            }
            Event::MappingStart(anchor, tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(line, "nesting too deep");
                }
                self.stack.push(Frame::Map { entries: vec![], key: None, line, anchor, tag });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.nodes += 1;
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { items, line, anchor, tag }) => {
                        (apply_tag(Node::new(Kind::Seq(items), line), tag), anchor)
                    }
                    Some(Frame::Map { entries, line, anchor, tag, .. }) => {
                        (apply_tag(Node::new(Kind::Map(merge_keys(entries)), line), tag), anchor)
                    }
                    None => return self.fail(line, "unbalanced collection"),
                };
                self.finish(node, anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id) {
                Some((n, size)) => {
                    self.nodes += size;
                    if self.nodes > MAX_NODES {
                        return self.fail(line, "too many nodes (alias expansion)");
                    }
                    let mut n = n.clone();
                    n.line = line;
                    self.finish(n, 0);
                }
                None => self.fail(line, "unknown alias"),
            },
            _ => {}
        }
        if self.nodes > MAX_NODES {
            self.fail(line, "too many nodes");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let n = load_str("a: 1\nb:\n  c: x\n").unwrap();
        assert_eq!(n.get("a").unwrap().line, 1);
        assert_eq!(n.path(&["b", "c"]).unwrap().line, 3);
        assert_eq!(n.get("a").unwrap().kind, Kind::Num("1".into()));
    }

    #[test]
    fn short_tags_become_long_form() {
        let n = load_str(
            "a: !Ref Bucket\nb: !GetAtt Queue.Arn\nc: !GetAtt [T, StreamArn]\nd: !Sub 'x-${AWS::Region}'\ne: !Join ['-', [a, b]]\nf: !ImportValue x\ng: !If [c, a, b]\nh: !Condition C\n",
        )
        .unwrap();
        assert_eq!(n.path(&["a", "Ref"]).unwrap().as_text().unwrap(), "Bucket");
        let g = n.path(&["b", "Fn::GetAtt"]).unwrap().items();
        assert_eq!(g[0].as_text().unwrap(), "Queue");
        assert_eq!(g[1].as_text().unwrap(), "Arn");
        assert_eq!(n.path(&["c", "Fn::GetAtt"]).unwrap().items().len(), 2);
        assert!(n.path(&["d", "Fn::Sub"]).is_some());
        assert!(n.path(&["e", "Fn::Join"]).is_some());
        assert!(n.path(&["f", "Fn::ImportValue"]).is_some());
        assert!(n.path(&["g", "Fn::If"]).is_some());
        assert!(n.path(&["h", "Condition"]).is_some());
        for t in ["Select", "Split", "FindInMap", "Base64", "GetAZs", "Equals", "Not", "And", "Or"] {
            let n = load_str(&format!("x: !{t} [a, b]\n")).unwrap();
            assert!(n.path(&["x", &format!("Fn::{t}")]).is_some(), "{t}");
        }
    }

    #[test]
    fn malformed_yaml_is_an_error_with_line() {
        let e = load_str("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = load_str("a:\n  b: 1\n c: 2\n").unwrap_err();
        assert!(e.line >= 2);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(MAX_DEPTH + 10) + &"]".repeat(MAX_DEPTH + 10);
        assert!(load_str(&text).is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load_str(&text).unwrap_err();
        assert!(e.message.contains("too many"));
    }

    #[test]
    fn merge_keys_and_aliases() {
        let n = load_str("d: &d {a: 1, b: 2}\ne:\n  <<: *d\n  b: 3\n").unwrap();
        assert_eq!(n.path(&["e", "a"]).unwrap().as_text().unwrap(), "1");
        assert_eq!(n.path(&["e", "b"]).unwrap().as_text().unwrap(), "3");
    }

    #[test]
    fn json_loads_too() {
        let n = load_file_text("{\"a\": {\"b\": [1, \"x\"]}}", true).unwrap();
        assert_eq!(n.path(&["a", "b"]).unwrap().items().len(), 2);
        let n = load_file_text("{\n\t\"a\": \"b\"\n}", true).unwrap();
        assert_eq!(n.get("a").unwrap().as_text().unwrap(), "b");
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let n = load_str("a: 'true'\nb: \"1\"\nc: true\nd: ~\n").unwrap();
        assert!(matches!(n.get("a").unwrap().kind, Kind::Str(_)));
        assert!(matches!(n.get("b").unwrap().kind, Kind::Str(_)));
        assert_eq!(n.get("c").unwrap().kind, Kind::Bool(true));
        assert!(n.get("d").unwrap().is_null());
    }
}
