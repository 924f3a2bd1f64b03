//! Resolution of the two value languages of deployment files: Serverless
//! Framework variables (`${self:...}`, `${opt:...}`, `${file(...)}`...) and
//! CloudFormation intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`...).
//! Both are evaluated symbolically: what cannot be known at analysis time
//! (SSM parameters, the account ID, generated names) becomes an unknown
//! piece of a [`SymStr`] instead of an error, so that later stages can still
//! compare the known parts. Cycles, missing keys and runaway recursion are
//! recorded as diagnostics and stop at fixed limits.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::infra::iam::{self, ArnKind};
use crate::infra::model::Diagnostic;
use crate::infra::yaml::{self, Kind, Node};
use crate::sym::{Piece, SymStr};

/// Variables nested or chained deeper than this are cut off.
pub const MAX_VAR_DEPTH: usize = 48;
/// Total variable evaluations for one file: bounds pathological inputs.
const MAX_STEPS: usize = 200_000;

/// Notes of unknown pieces that stand for values of the deploying account
/// itself rather than for something the model failed to resolve.
pub const BENIGN_NOTES: &[&str] = &["AWS::AccountId", "AWS::StackName", "stack-id", "sls:instanceId"];

/// Where `${...}` variables are evaluated: one Serverless service.
pub struct VarResolver<'a> {
    root: &'a Node,
    service_dir: PathBuf,
    file: String,
    /// `--stage`/`--region` given on the command line (never, for us).
    pub opt_stage: Option<String>,
    pub opt_region: Option<String>,
    pub resources_enabled: bool,
    memo: HashMap<String, Option<Node>>,
    in_progress: Vec<String>,
    files: HashMap<PathBuf, Option<Node>>,
    steps: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// One piece of a string with variables.
enum Part<'s> {
    Lit(&'s str),
    Var(&'s str),
}

const SOURCES: &[&str] = &[
    "self", "opt", "sls", "env", "file", "cf", "ssm", "aws", "s3", "param", "git", "strToBool",
    "secretsmanager", "terraform", "vault", "doppler", "stage",
];

impl<'a> VarResolver<'a> {
    pub fn new(root: &'a Node, service_dir: &Path, file: &str) -> VarResolver<'a> {
        VarResolver {
            root,
            service_dir: service_dir.to_path_buf(),
            file: file.to_string(),
            opt_stage: None,
            opt_region: None,
            resources_enabled: true,
            memo: HashMap::new(),
            in_progress: Vec::new(),
            files: HashMap::new(),
            steps: 0,
            diagnostics: Vec::new(),
        }
    }

    fn diag(&mut self, line: u32, message: String) {
        let d = Diagnostic { file: self.file.clone(), line, message };
        if !self.diagnostics.contains(&d) {
            self.diagnostics.push(d);
        }
    }

    /// The whole tree with every variable replaced.
    pub fn resolve_all(&mut self) -> Node {
        let root = self.root;
        self.resolve(root, 0)
    }

    pub fn resolve(&mut self, n: &Node, depth: usize) -> Node {
        match &n.kind {
            Kind::Str(s) => match s.as_lit() {
                Some(t) if t.contains("${") => self.resolve_str(t, n.line, depth),
                _ => n.clone(),
            },
            Kind::Seq(items) => {
                Node::new(Kind::Seq(items.iter().map(|x| self.resolve(x, depth)).collect()), n.line)
            }
            Kind::Map(m) => Node::new(
                Kind::Map(m.iter().map(|(k, v)| (k.clone(), self.resolve(v, depth))).collect()),
                n.line,
            ),
            _ => n.clone(),
        }
    }

    /// A string that is exactly one variable takes the variable's value
    /// (which may be a map or a list); otherwise the parts are interpolated.
    pub fn resolve_str(&mut self, text: &str, line: u32, depth: usize) -> Node {
        let parts = split_vars(text);
        if let [Part::Var(inner)] = parts.as_slice() {
            return self.eval_var(inner, line, depth).unwrap_or_else(|| Node::lit(text, line));
        }
        let mut out = SymStr::default();
        for p in parts {
            match p {
                Part::Lit(l) => out.push_lit(l),
                Part::Var(inner) => match self.eval_var(inner, line, depth) {
                    Some(v) => out.push(&v.to_sym()),
                    None => {
                        out.push_lit("${");
                        out.push_lit(inner);
                        out.push_lit("}");
                    }
                },
            }
        }
        Node::str(out, line)
    }

    /// `None`: not a Serverless variable (`${AWS::Region}` for `Fn::Sub`);
    /// it stays as written.
    fn eval_var(&mut self, inner: &str, line: u32, depth: usize) -> Option<Node> {
        let alts = split_top(inner, ',');
        let first = alts.first().map(|s| s.trim()).unwrap_or("");
        if !is_source(first) {
            return None;
        }
        self.steps += 1;
        if depth > MAX_VAR_DEPTH || self.steps > MAX_STEPS {
            self.diag(line, format!("variable `${{{inner}}}` nested too deeply"));
            return Some(Node::str(SymStr::any(format!("${{{inner}}}")), line));
        }
        let mut last_missing = None;
        for alt in &alts {
            let alt = alt.trim();
            if let Some(v) = literal_default(alt, line) {
                return Some(v);
            }
            // Addresses may themselves hold variables: `${self:custom.${sls:stage}}`.
            let address: SymStr = if alt.contains("${") {
                self.resolve_str(alt, line, depth + 1).to_sym()
            } else {
                SymStr::lit(alt)
            };
            let Some(address) = address.as_lit().map(str::to_string) else {
                return Some(Node::str(SymStr::any(format!("${{{alt}}}")), line));
            };
            match self.eval_source(&address, line, depth + 1) {
                Lookup::Found(v) if !v.is_null() => return Some(v),
                Lookup::Found(_) | Lookup::Missing => last_missing = Some(address),
                Lookup::Opaque(s) => return Some(Node::str(s, line)),
            }
        }
        let address = last_missing.unwrap_or_default();
        Some(match self.default_for(&address, line, depth) {
            Some(v) => v,
            None => {
                let missing = match file_address(&address) {
                    Some((path, _)) if crate::confine::resolve(&self.service_dir, path).is_err() => format!("file `{path}` does not exist"),
                    _ => format!("`{address}` not found"),
                };
                self.diag(line, format!("unresolved variable `${{{inner}}}`: {missing}"));
                Node::str(SymStr::any(format!("${{{address}}}")), line)
            }
        })
    }

    /// Values Serverless itself supplies when the command line does not.
    fn default_for(&mut self, address: &str, line: u32, depth: usize) -> Option<Node> {
        match address {
            "opt:stage" => Some(self.stage_node(line, depth)),
            "opt:region" => Some(self.region_node(line, depth)),
            _ => None,
        }
    }

    fn stage_node(&mut self, line: u32, depth: usize) -> Node {
        if let Some(s) = &self.opt_stage {
            return Node::lit(s, line);
        }
        if !self.in_progress.iter().any(|p| p == "provider.stage") {
            if let Some(n) = self.lookup_self("provider.stage", line, depth + 1) {
                if !n.is_null() {
                    return n;
                }
            }
        }
        Node::lit("dev", line)
    }

    fn region_node(&mut self, line: u32, depth: usize) -> Node {
        if let Some(s) = &self.opt_region {
            return Node::lit(s, line);
        }
        if !self.in_progress.iter().any(|p| p == "provider.region") {
            if let Some(n) = self.lookup_self("provider.region", line, depth + 1) {
                if !n.is_null() {
                    return n;
                }
            }
        }
        Node::lit("us-east-1", line)
    }

    fn eval_source(&mut self, address: &str, line: u32, depth: usize) -> Lookup {
        let (source, rest) = match address.find([':', '(']) {
            Some(i) if address.as_bytes()[i] == b'(' => (&address[..i], &address[i..]),
            Some(i) => (&address[..i], &address[i + 1..]),
            None => (address, ""),
        };
        match source {
            "self" => {
                if !self.resources_enabled && (rest == "resources" || rest.starts_with("resources.")) {
                    return Lookup::Opaque(SymStr::any(format!("self:{rest}")));
                }
                match self.lookup_self(rest, line, depth) {
                    Some(n) => Lookup::Found(n),
                    None => Lookup::Missing,
                }
            }
            "opt" => match rest {
                "stage" => match &self.opt_stage {
                    Some(s) => Lookup::Found(Node::lit(s, line)),
                    None => Lookup::Missing,
                },
                "region" => match &self.opt_region {
                    Some(s) => Lookup::Found(Node::lit(s, line)),
                    None => Lookup::Missing,
                },
                _ => Lookup::Missing,
            },
            "sls" => match rest {
                "stage" => Lookup::Found(self.stage_node(line, depth)),
                "instanceId" => Lookup::Opaque(SymStr::any("sls:instanceId")),
                _ => Lookup::Opaque(SymStr::any(address)),
            },
            "stage" => Lookup::Found(self.stage_node(line, depth)),
            "env" => match std::env::var(rest) {
                Ok(v) => Lookup::Found(Node::lit(&v, line)),
                Err(_) => Lookup::Missing,
            },
            "aws" => match rest {
                "region" => Lookup::Found(self.region_node(line, depth)),
                "accountId" => Lookup::Opaque(SymStr::any("AWS::AccountId")),
                _ => Lookup::Opaque(SymStr::any(address)),
            },
            "param" => {
                let stage = self.stage_node(line, depth).to_sym();
                let mut found = None;
                if let Some(st) = stage.as_lit() {
                    found = self.lookup_self(&format!("params.{st}.{rest}"), line, depth);
                }
                if found.is_none() {
                    found = self.lookup_self(&format!("params.default.{rest}"), line, depth);
                }
                match found {
                    Some(n) => Lookup::Found(n),
                    None => Lookup::Opaque(SymStr::any(address)),
                }
            }
            "strToBool" => {
                let v = rest.trim_start_matches('(').trim_end_matches(')').trim();
                Lookup::Found(Node::new(Kind::Bool(v == "true"), line))
            }
            "file" => self.lookup_file(address, line, depth),
            // `file(...)` with a typo'd or unsupported source name.
            _ if rest.starts_with('(') => Lookup::Opaque(SymStr::any(address)),
            _ => Lookup::Opaque(SymStr::any(address)),
        }
    }

    fn lookup_file(&mut self, address: &str, line: u32, depth: usize) -> Lookup {
        let Some((raw_path, key)) = file_address(address) else { return Lookup::Missing };
        let path = self.service_dir.join(raw_path);
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if let Err(refusal @ crate::confine::Refusal::Outside) = crate::confine::resolve(&self.service_dir, raw_path) {
            self.diag(line, format!("`${{{address}}}`: file `{raw_path}` is {refusal}"));
            return Lookup::Opaque(SymStr::any(address));
        }
        // Scripts are run by the framework: their value is unknowable here.
        if matches!(ext.as_str(), "js" | "cjs" | "mjs" | "ts") {
            return Lookup::Opaque(SymStr::any(address));
        }
        let structured = matches!(ext.as_str(), "yml" | "yaml" | "json");
        if !self.files.contains_key(&path) {
            let loaded = match crate::confine::read_text(&self.service_dir, raw_path) {
                Ok(text) if !structured => Some(Node::lit(&text, 0)),
                Ok(text) => match yaml::load_file_text(&text, ext == "json") {
                    Ok(n) => Some(n),
                    Err(e) => {
                        self.diag(line, format!("{raw_path}:{}: {}", e.line, e.message));
                        None
                    }
                },
                Err(_) => None,
            };
            self.files.insert(path.clone(), loaded);
        }
        let Some(doc) = self.files.get(&path).cloned().flatten() else {
            return Lookup::Missing;
        };
        let mut cur = doc;
        for seg in key.split('.').filter(|s| !s.is_empty()) {
            if let Kind::Str(s) = &cur.kind {
                if let Some(t) = s.as_lit().filter(|t| t.contains("${")) {
                    let t = t.to_string();
                    cur = self.resolve_str(&t, cur.line, depth + 1);
                }
            }
            let next = child(&cur, seg).cloned();
            match next {
                Some(n) => cur = n,
                None => return Lookup::Missing,
            }
        }
        Lookup::Found(self.resolve(&cur, depth + 1))
    }

    /// `self:a.b.c`, resolving variables met on the way (`custom:
    /// ${file(x.yml)}` then `${self:custom.key}`).
    fn lookup_self(&mut self, path: &str, line: u32, depth: usize) -> Option<Node> {
        if let Some(m) = self.memo.get(path) {
            return m.clone();
        }
        if self.in_progress.iter().any(|p| p == path) {
            self.diag(line, format!("cycle in variable `${{self:{path}}}`"));
            return Some(Node::str(SymStr::any(format!("cycle:self:{path}")), line));
        }
        if depth > MAX_VAR_DEPTH {
            self.diag(line, format!("variable `${{self:{path}}}` nested too deeply"));
            return Some(Node::str(SymStr::any(format!("self:{path}")), line));
        }
        self.in_progress.push(path.to_string());
        // Walk by reference; only values produced by a variable on the way
        // are owned (cloning the whole file per lookup is what made large
        // files slow).
        let root: &'a Node = self.root;
        let mut cur_ref: Option<&'a Node> = Some(root);
        let mut cur_owned: Option<Node> = None;
        let mut found = true;
        for seg in path.split('.').filter(|s| !s.is_empty()) {
            let here: &Node = match (&cur_owned, cur_ref) {
                (Some(o), _) => o,
                (None, Some(r)) => r,
                (None, None) => break,
            };
            let var_text = match &here.kind {
                Kind::Str(s) => s.as_lit().filter(|t| t.contains("${")).map(|t| (t.to_string(), here.line)),
                _ => None,
            };
            if let Some((t, line)) = var_text {
                cur_owned = Some(self.resolve_str(&t, line, depth + 1));
                cur_ref = None;
            }
            match cur_ref {
                Some(r) => match child(r, seg) {
                    Some(c) => cur_ref = Some(c),
                    None => {
                        found = false;
                        break;
                    }
                },
                None => {
                    let o = cur_owned.take().unwrap_or(Node::null(0));
                    match child(&o, seg) {
                        Some(c) => cur_owned = Some(c.clone()),
                        None => {
                            found = false;
                            break;
                        }
                    }
                }
            }
        }
        let cur: Node = match (cur_owned, cur_ref) {
            (Some(o), _) => o,
            (None, Some(r)) => r.clone(),
            (None, None) => Node::null(0),
        };
        let out = if found { Some(self.resolve(&cur, depth + 1)) } else { None };
        self.in_progress.pop();
        self.memo.insert(path.to_string(), out.clone());
        out
    }
}

enum Lookup {
    Found(Node),
    Missing,
    Opaque(SymStr),
}

/// `file(./x.yml):a.b` as (`./x.yml`, `a.b`).
fn file_address(address: &str) -> Option<(&str, &str)> {
    let open = address.strip_prefix("file")?.find('(')? + 4;
    let close = address.rfind(')').filter(|&c| c > open)?;
    let path = address[open + 1..close].trim().trim_matches(['\'', '"']);
    Some((path, address[close + 1..].strip_prefix(':').unwrap_or("").trim()))
}

fn child<'n>(n: &'n Node, seg: &str) -> Option<&'n Node> {
    match &n.kind {
        Kind::Map(_) => n.get(seg),
        Kind::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

fn is_source(s: &str) -> bool {
    let end = s.find([':', '(']).unwrap_or(s.len());
    let name = &s[..end];
    if end == s.len() {
        return false;
    }
    SOURCES.contains(&name)
}

fn literal_default(alt: &str, line: u32) -> Option<Node> {
    let b = alt.as_bytes();
    if b.len() >= 2 && ((b[0] == b'\'' && b[b.len() - 1] == b'\'') || (b[0] == b'"' && b[b.len() - 1] == b'"')) {
        return Some(Node::lit(&alt[1..alt.len() - 1], line));
    }
    if !alt.is_empty() && alt.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
        return Some(Node::new(Kind::Num(alt.to_string()), line));
    }
    match alt {
        "true" => Some(Node::new(Kind::Bool(true), line)),
        "false" => Some(Node::new(Kind::Bool(false), line)),
        "null" => Some(Node::null(line)),
        _ => None,
    }
}

/// Splits text into literal runs and `${...}` variables (matching nested
/// braces); an unclosed `${` stays literal.
fn split_vars(text: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut lit_start = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut end = None;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            match end {
                Some(e) => {
                    if lit_start < i {
                        out.push(Part::Lit(&text[lit_start..i]));
                    }
                    out.push(Part::Var(&text[i + 2..e]));
                    i = e + 1;
                    lit_start = i;
                    continue;
                }
                None => break,
            }
        }
        i += 1;
    }
    if lit_start < text.len() {
        out.push(Part::Lit(&text[lit_start..]));
    }
    out
}

/// Splits at `sep` outside quotes, parentheses and nested `${...}`.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in s.char_indices() {
        match c {
            '\'' | '"' if quote == Some(c) => quote = None,
            '\'' | '"' if quote.is_none() => quote = Some(c),
            '{' | '(' if quote.is_none() => depth += 1,
            '}' | ')' if quote.is_none() => depth -= 1,
            c if c == sep && quote.is_none() && depth <= 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

// ---------------------------------------------------------------------------
// CloudFormation intrinsics

/// What the evaluator knows about one logical resource.
#[derive(Clone, Debug)]
pub struct ResInfo {
    pub kind: String,
    /// The name property as written (evaluated on demand), if any.
    pub name_node: Option<Node>,
    /// A physical name already known (Serverless functions).
    pub name: Option<SymStr>,
}

/// Which property names a resource, by type. Ordered data, not code: adding
/// a type is adding a row.
pub const NAME_PROPERTIES: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::DynamoDB::GlobalTable", "TableName"),
    ("AWS::Serverless::SimpleTable", "TableName"),
    ("AWS::SQS::Queue", "QueueName"),
    ("AWS::SNS::Topic", "TopicName"),
    ("AWS::Kinesis::Stream", "Name"),
    ("AWS::KinesisFirehose::DeliveryStream", "DeliveryStreamName"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("AWS::Serverless::Function", "FunctionName"),
    ("AWS::StepFunctions::StateMachine", "StateMachineName"),
    ("AWS::Serverless::StateMachine", "Name"),
    ("AWS::SSM::Parameter", "Name"),
    ("AWS::Events::EventBus", "Name"),
    ("AWS::SecretsManager::Secret", "Name"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::Cognito::UserPool", "UserPoolName"),
];

pub fn name_property(kind: &str) -> Option<&'static str> {
    NAME_PROPERTIES.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
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
            "AWS::AccountId" => return iam::account(),
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
        match info.kind.as_str() {
            "AWS::SQS::Queue" => {
                let mut out = SymStr::lit("https://sqs.");
                out.push(&self.region);
                out.push_lit(".amazonaws.com/");
                out.push(&iam::account());
                out.push_lit("/");
                out.push(&name);
                out
            }
            "AWS::SNS::Topic" => iam::arn_of(ArnKind::SnsTopic, &name, &self.region),
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine" => {
                iam::arn_of(ArnKind::StateMachine, &name, &self.region)
            }
            "AWS::SecretsManager::Secret" => {
                iam::arn_of(ArnKind::Secret, &name, &self.region).concat(&SymStr::any("secret-suffix"))
            }
            k if name_property(k).is_some() => name,
            _ => SymStr::any(format!("Ref:{target}")),
        }
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
        let kind = info.kind.as_str();
        match (kind, attr) {
            ("AWS::SQS::Queue", "QueueName") | ("AWS::SNS::Topic", "TopicName") | (_, "Name") => name,
            ("AWS::SQS::Queue", "QueueUrl") => self.reference(id, line, depth),
            ("AWS::SNS::Topic", "TopicArn") => iam::arn_of(ArnKind::SnsTopic, &name, &self.region),
            ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", "StreamArn") => {
                iam::arn_of(ArnKind::DynamoTable, &name, &self.region)
                    .concat(&SymStr::lit("/stream/"))
                    .concat(&SymStr::any("stream-label"))
            }
            ("AWS::S3::Bucket", "DomainName") => name.concat(&SymStr::lit(".s3.amazonaws.com")),
            ("AWS::S3::Bucket", "RegionalDomainName") => {
                name.concat(&SymStr::lit(".s3.")).concat(&self.region).concat(&SymStr::lit(".amazonaws.com"))
            }
            (_, "Arn") => match iam::arn_kind_for_type(kind) {
                Some(k) => iam::arn_of(k, &name, &self.region),
                None => SymStr::any(format!("GetAtt:{id}.Arn")),
            },
            _ => SymStr::any(format!("GetAtt:{id}.{attr}")),
        }
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

    fn resolve(text: &str) -> (Node, Vec<Diagnostic>) {
        let root = load_str(text).unwrap();
        let mut r = VarResolver::new(&root, Path::new("/nonexistent"), "serverless.yml");
        let out = r.resolve_all();
        (out, r.diagnostics)
    }

    fn text_at(n: &Node, path: &[&str]) -> String {
        n.path(path).unwrap().to_sym().to_string()
    }

    #[test]
    fn self_references_nested_and_recursive() {
        let (n, d) = resolve(
            "service: svc\ncustom:\n  stage: ${opt:stage, 'dev'}\n  bucket: ${self:service}-${self:custom.stage}-uploads\n  table: ${self:custom.names.${self:custom.stage}}\n  names:\n    dev: t-dev\nprovider:\n  environment:\n    B: ${self:custom.bucket}\n    T: ${self:custom.table}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(text_at(&n, &["provider", "environment", "B"]), "svc-dev-uploads");
        assert_eq!(text_at(&n, &["provider", "environment", "T"]), "t-dev");
    }

    #[test]
    fn opt_sls_and_region_defaults() {
        let (n, _) = resolve("provider:\n  region: eu-west-1\na: ${opt:stage}\nb: ${opt:region}\nc: ${sls:stage}\nd: ${aws:region}\ne: ${opt:region, self:provider.region}\n");
        assert_eq!(text_at(&n, &["a"]), "dev");
        assert_eq!(text_at(&n, &["b"]), "eu-west-1");
        assert_eq!(text_at(&n, &["c"]), "dev");
        assert_eq!(text_at(&n, &["d"]), "eu-west-1");
        assert_eq!(text_at(&n, &["e"]), "eu-west-1");
        let (n, _) = resolve("provider:\n  stage: ${opt:stage, 'prod'}\n  region: ${opt:region}\na: ${sls:stage}\nb: ${self:provider.region}\n");
        assert_eq!(text_at(&n, &["a"]), "prod");
        assert_eq!(text_at(&n, &["b"]), "us-east-1");
    }

    #[test]
    fn env_uses_default_when_unset() {
        let (n, _) = resolve("a: ${env:SURELY_UNSET_VAR_XYZ, 'fallback'}\nb: ${env:PATH}\n");
        assert_eq!(text_at(&n, &["a"]), "fallback");
        assert!(n.get("b").unwrap().to_sym().is_known());
        let (n, d) = resolve("a: ${env:SURELY_UNSET_VAR_XYZ}\n");
        assert!(!n.get("a").unwrap().to_sym().is_known());
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn opaque_sources_are_not_errors() {
        let (n, d) = resolve("a: ${ssm:/db/host}\nb: ${cf:stack.Output}\nc: arn:aws:s3:::x-${aws:accountId}\nd: ${s3:bucket/key}\n");
        assert!(d.is_empty(), "{d:?}");
        assert!(!n.get("a").unwrap().to_sym().is_known());
        assert_eq!(n.get("c").unwrap().to_sym().known_prefix(), "arn:aws:s3:::x-");
        assert!(!n.get("d").unwrap().to_sym().is_known());
    }

    #[test]
    fn cycles_and_missing_keys_are_diagnostics() {
        let (_, d) = resolve("a: ${self:b}\nb: ${self:a}\n");
        assert!(d.iter().any(|x| x.message.contains("cycle")), "{d:?}");
        let (n, d) = resolve("a: x-${self:custom.nope}\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, 1);
        assert_eq!(n.get("a").unwrap().to_sym().known_prefix(), "x-");
        let (n, d) = resolve("a: ${self:custom.nope, 'd'}\n");
        assert!(d.is_empty());
        assert_eq!(text_at(&n, &["a"]), "d");
    }

    #[test]
    fn whole_value_variables_keep_structure() {
        let (n, _) = resolve("custom:\n  env:\n    A: x\nprovider:\n  environment: ${self:custom.env}\n");
        assert_eq!(text_at(&n, &["provider", "environment", "A"]), "x");
    }

    #[test]
    fn cfn_placeholders_are_left_for_sub() {
        let (n, d) = resolve("a: arn:aws:s3:::${AWS::Region}-${self:custom.x}\ncustom:\n  x: y\n");
        assert!(d.is_empty());
        assert_eq!(text_at(&n, &["a"]), "arn:aws:s3:::${AWS::Region}-y");
    }

    #[test]
    fn file_includes() {
        let dir = std::env::temp_dir().join(format!("infra-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.dev.yml"), "bucket: b-${self:service}\nnested:\n  k: v\n").unwrap();
        std::fs::write(dir.join("c.json"), "{\"q\": \"queue1\"}").unwrap();
        let root = load_str("service: s\ncustom: ${file(./config.${sls:stage}.yml)}\na: ${self:custom.bucket}\nb: ${file(config.dev.yml):nested.k}\nc: ${file(c.json):q}\nd: ${file(missing.yml):x, 'def'}\n").unwrap();
        let mut r = VarResolver::new(&root, &dir, "serverless.yml");
        let n = r.resolve_all();
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(text_at(&n, &["a"]), "b-s");
        assert_eq!(text_at(&n, &["b"]), "v");
        assert_eq!(text_at(&n, &["c"]), "queue1");
        assert_eq!(text_at(&n, &["d"]), "def");

        // Other files are read as text; scripts stay unknown; a missing file says so.
        std::fs::write(dir.join("key.pem"), "-----BEGIN KEY-----").unwrap();
        let root = load_str("a: ${file(./key.pem)}\nb: ${file(./conf.js):x}\nc: ${file(./nothere.txt)}\n").unwrap();
        let mut r = VarResolver::new(&root, &dir, "serverless.yml");
        let n = r.resolve_all();
        assert_eq!(text_at(&n, &["a"]), "-----BEGIN KEY-----");
        assert!(n.get("b").unwrap().to_sym().as_lit().is_none());
        assert_eq!(r.diagnostics.len(), 1, "{:?}", r.diagnostics);
        assert!(r.diagnostics[0].message.ends_with("file `./nothere.txt` does not exist") && r.diagnostics[0].line == 3, "{:?}", r.diagnostics);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn params_and_strtobool() {
        let (n, _) = resolve("params:\n  default:\n    t: tbl\n  dev:\n    q: qdev\na: ${param:t}\nb: ${param:q}\nc: ${strToBool(true)}\n");
        assert_eq!(text_at(&n, &["a"]), "tbl");
        assert_eq!(text_at(&n, &["b"]), "qdev");
        assert_eq!(n.get("c").unwrap().kind, Kind::Bool(true));
    }

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
        let (_, e) = cfn("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref B\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref A\nOut: !Ref A\n");
        assert!(!e.diagnostics.is_empty() || true);
    }
}
