//! Serverless Framework variables: `${self:...}`, `${opt:...}`,
//! `${file(...)}`, `${ssm:...}`, `${cf:...}` and the rest, resolved over one
//! service's YAML tree.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::infra::model::Diagnostic;
use crate::infra::yaml::{self, Kind, Node};
use crate::sym::SymStr;


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
}
