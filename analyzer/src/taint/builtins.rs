//! Library functions whose effect on values the interpreter knows:
//! conversions that keep a string or a JSON document, containers and
//! their elements, `str.format` with a known template.

use crate::sym::SymStr;

use super::interp::{Args, Interp};
use super::label::{Site, Taint};
use super::models::CallModels;
use super::value::{names_created_file, Key, Kind, Value};

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// Library functions whose effect on values the interpreter knows.
    pub(super) fn call_builtin(&mut self, path: &str, models: &CallModels, args: &Args, site: &Site) -> Option<Value> {
        let arg0 = args.pos.first().cloned().unwrap_or_default();
        if models.keeps_string {
            let mut v = arg0.taint_only();
            v.kind = Kind::Str;
            v.str = arg0.str.clone();
            return Some(v);
        }
        if models.keeps_document {
            return Some(recoded(&arg0));
        }
        let v = match path {
            "str" | "repr" | "format" | "unicode" => {
                let mut v = arg0.taint_only();
                v.kind = Kind::Str;
                v.str = if path == "str" { arg0.str.clone() } else { None };
                v
            }
            "os.path.join" | "posixpath.join" | "ntpath.join" => {
                let mut s: Option<SymStr> = None;
                let mut taint = Taint::new();
                for a in &args.pos {
                    taint.union(&a.deep_taint());
                    let part = a.str.clone().unwrap_or_else(|| SymStr::any("path"));
                    s = Some(match s {
                        None => part,
                        Some(_) if part.known_prefix().starts_with('/') => part,
                        // A part that may be absolute may replace a created
                        // file's name.
                        Some(prev) if part.known_prefix().is_empty() && names_created_file(&prev) => SymStr::any("path").concat(&part),
                        Some(prev) => {
                            let mut joined = prev.clone();
                            if !prev.known_suffix().ends_with('/') || prev.as_lit() == Some("") {
                                joined.push_lit("/");
                            }
                            joined.concat(&part)
                        }
                    });
                }
                let mut v = Value::string(s.unwrap_or_default());
                v.taint = taint;
                v
            }
            "os.getenv" | "os.environ.get" => self.env_var(&arg0, args.get(1, "default"), site),
            "open" | "io.open" | "codecs.open" | "builtins.open" | "gzip.open" | "bz2.open" => {
                let mut f = Value::of_kind(Kind::File);
                f.set(Key::Id(0), args.get(0, "file").cloned().unwrap_or_default());
                f
            }
            "json.loads" | "json.load" | "simplejson.loads" | "ujson.loads" | "orjson.loads" | "ast.literal_eval" => {
                let src = if arg0.kind == Kind::File { self.file_content(&arg0) } else { arg0.clone() };
                match src.fields.get(&json_shape()) {
                    Some(shape) => {
                        // Text joined from another origin (a branch that
                        // built it otherwise) keeps that origin's taint whole.
                        let known = shape.deep_taint();
                        let mut v = shape.clone();
                        let other: Taint = src.taint.iter().filter(|l| !known.contains(l)).copied().collect();
                        v.add_taint(&other);
                        v
                    }
                    None => Value::tainted(src.deep_taint()),
                }
            }
            "json.dumps" | "simplejson.dumps" | "ujson.dumps" | "orjson.dumps" => {
                // The text is tainted as a whole (a sink reading it sees
                // every part), and keeps the structure it was made from for
                // the `json.loads` that reads it back, through queues and
                // topics too: a message's clean fields stay clean.
                let mut v = arg0.taint_only();
                v.kind = Kind::Str;
                if !arg0.fields.is_empty() {
                    v.set(json_shape(), arg0.truncated(JSON_SHAPE_DEPTH));
                }
                v
            }
            "json.dump" => {
                if let Some(f) = args.pos.get(1) {
                    self.file_write(f, &arg0);
                }
                Value::of_kind(Kind::None)
            }
            "dict" => {
                let mut v = if arg0.kind == Kind::Unknown && args.pos.is_empty() { Value::default() } else { arg0.clone() };
                v.kind = Kind::Dict;
                for (k, x) in &args.kw {
                    v.set(Key::item(&k), x.clone());
                }
                v
            }
            "list" | "tuple" | "set" | "sorted" | "reversed" | "frozenset" | "iter" => {
                let mut v = Value::of_kind(Kind::List);
                let elem = self.element_of(&arg0);
                v.set(Key::Elem, elem);
                v
            }
            "enumerate" => {
                let mut pair = Value::of_kind(Kind::Tuple);
                pair.set(Key::Index(0), Value::of_kind(Kind::Int));
                let elem = self.element_of(&arg0);
                pair.set(Key::Index(1), elem);
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, pair);
                v
            }
            "zip" => {
                let mut tuple = Value::of_kind(Kind::Tuple);
                for (i, a) in args.pos.iter().enumerate() {
                    let elem = self.element_of(a);
                    tuple.set(Key::Index(i as i64), elem);
                }
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, tuple);
                v
            }
            "next" => self.element_of(&arg0),
            "getattr" => {
                let name = args.pos.get(1).and_then(|n| n.str.as_ref()).and_then(|s| s.as_lit()).map(str::to_string);
                match name {
                    Some(n) => self.attribute(&arg0, &n),
                    None => arg0.taint_only(),
                }
            }
            "range" | "print" | "super" | "type" | "hasattr" | "setattr" | "delattr" => Value::default(),
            "copy.copy" | "copy.deepcopy" => arg0,
            "min" | "max" | "sum" | "any" | "all" => self.element_of(&arg0).taint_only(),
            "os.listdir" | "glob.glob" | "os.scandir" => {
                let mut v = Value::of_kind(Kind::List);
                v.set(Key::Elem, arg0.taint_only());
                v
            }
            "io.StringIO" | "io.BytesIO" => {
                let mut v = Value::of_kind(Kind::File);
                v.set(Key::Id(0), Value::string(SymStr::any("memory")));
                v.add_taint(&arg0.deep_taint());
                v
            }
            _ => return None,
        };
        Some(v)
    }

    pub(super) fn element_of(&mut self, v: &Value) -> Value {
        if v.kind == Kind::File {
            return self.file_content(v);
        }
        v.element()
    }
}

/// How deep a JSON text keeps the structure it was made from: two levels
/// (`message["scenes"][date]`); below, each part is tainted as a whole, so
/// that texts carried through calls, queues and stores stay small. Real
/// pipelines nest one map per activity in their messages (a data-cube
/// builder's scenes by date), where one level made every date the caller's
/// tile name; a third level removed nothing more on the real corpus.
const JSON_SHAPE_DEPTH: usize = 2;

/// A JSON text encoded or decoded (base64, bytes, compression): another
/// text, the same document.
pub(super) fn recoded(text: &Value) -> Value {
    let mut v = text.taint_only();
    v.kind = Kind::Str;
    if let Some(shape) = text.fields.get(&json_shape()) {
        v.set(json_shape(), shape.clone());
    }
    v
}

/// Where a JSON text keeps the value it was made from.
pub(super) fn json_shape() -> Key {
    Key::attr("__json__")
}

/// `"{} {name}".format(a, name=b)` with a known template.
pub(super) fn str_format(template: Option<&SymStr>, args: &Args) -> SymStr {
    let Some(text) = template.and_then(|t| t.as_lit()) else {
        return template.cloned().unwrap_or_default().concat(&SymStr::any("format"));
    };
    let mut out = SymStr::default();
    let mut auto = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push_lit("{");
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push_lit("}");
            }
            '{' => {
                let mut field = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    field.push(n);
                }
                let name: String = field.chars().take_while(|c| !matches!(c, '!' | ':' | '.' | '[')).collect();
                let plain = name.len() == field.len();
                let arg = if name.is_empty() {
                    auto += 1;
                    args.pos.get(auto - 1)
                } else if let Ok(i) = name.parse::<usize>() {
                    args.pos.get(i)
                } else {
                    args.kw(&name)
                };
                match arg.and_then(|a| a.str.as_ref()) {
                    Some(s) if plain => out.push(s),
                    _ => out.push_any("format"),
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.push_lit(c.encode_utf8(&mut buf));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_format_fills_known_arguments() {
        let args = Args { pos: vec![Value::string(SymStr::lit("a"))], kw: vec![("n".into(), Value::string(SymStr::lit("b")))], spread: None };
        assert_eq!(str_format(Some(&SymStr::lit("x/{}/{n}")), &args), SymStr::lit("x/a/b"));
        let s = str_format(Some(&SymStr::lit("select {0:d} from t")), &args);
        assert_eq!(s.known_prefix(), "select ");
    }
}
