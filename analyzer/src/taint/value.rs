//! Abstract values of the taint interpreter.
//!
//! A value is a small tree: its own taint (which every part inherits),
//! precise fields (dict items, attributes, list elements, tuple positions),
//! what is known of it as a string, and what kind of object it is (an app
//! function, a boto3 client, an external library object named by its
//! dotted path...). Field-sensitivity is what lets the analysis tell an S3
//! event's tainted object key from its constant bucket name.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::program::{ClassId, FuncId};
use crate::sym::SymStr;

use super::label::Taint;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// `d["k"]` with a known string key.
    Item(Rc<str>),
    /// `t[0]` on tuples and other positional values.
    Index(i64),
    /// Any element of a list, set or iterable; unknown dict keys.
    Elem,
    /// `obj.attr`.
    Attr(Rc<str>),
    /// Identifiers of a boto3 resource object (`Bucket(name)`), the path of
    /// a file handle, the receiver of a bound method.
    Id(u8),
}

impl Key {
    pub fn item(name: &str) -> Key {
        Key::Item(Rc::from(name))
    }

    pub fn attr(name: &str) -> Key {
        Key::Attr(Rc::from(name))
    }
}

/// A boto3 object: a client, a service resource, or one of its sub-resources.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Boto {
    pub service: String,
    /// `client`, `resource`, `session`, or a resource class from the API
    /// models (`Bucket`, `Object`, `Table`, `Queue`, `Topic`) or a
    /// collection (`collection:objects`).
    pub class: String,
    /// Signed with credentials the code passes itself (access keys, a
    /// profile, an assumed role's token) rather than the function's role,
    /// whose statements then decide nothing about its calls.
    pub own_credentials: bool,
}

impl Boto {
    /// Another object of the same origin: what a client, resource or
    /// session hands out is signed as it is.
    pub fn derived(&self, service: &str, class: impl Into<String>) -> Boto {
        Boto { service: service.to_string(), class: class.into(), own_credentials: self.own_credentials }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    #[default]
    Unknown,
    None,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    Dict,
    List,
    Tuple,
    /// An application module.
    Module(usize),
    /// Something from outside the application, named by the dotted path
    /// through which it was reached: `os.system`, `pymysql.connect()`.
    Qual(Rc<str>),
    Func(FuncId),
    Class(ClassId),
    Instance(ClassId),
    /// A method bound to the receiver stored at `Key::Id(0)`.
    Bound(FuncId),
    /// Shared: clients are read at every call made through them.
    Boto(Rc<Boto>),
    /// An open file; its path is at `Key::Id(0)`.
    File,
}

impl Kind {
    pub fn boto(b: Boto) -> Kind {
        Kind::Boto(Rc::new(b))
    }
}

/// A scope's variables. Environments are copied at every branch, so the
/// names are shared rather than copied.
pub type Env = rustc_hash::FxHashMap<Rc<str>, Value>;

/// A module's globals. The map is shared with the snapshots taken of it
/// until a run writes to it: restoring a snapshot then copies nothing, and
/// copying every module's globals at each handler run cost apps whose
/// handlers run in several rounds 2-4% of their taint stage.
pub type Globals = Rc<std::cell::RefCell<Rc<Env>>>;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value {
    pub taint: Taint,
    /// Shared until written: environments are copied at every branch, so
    /// copies must be cheap.
    pub fields: Rc<BTreeMap<Key, Value>>,
    pub str: Option<SymStr>,
    pub kind: Kind,
}

thread_local! {
    /// The field map of every value without fields. Most values have none,
    /// and a map made and dropped for each, with its empty label set
    /// (`label.rs`), cost the slowest apps 6-10% of their taint stage; one
    /// shared map is also equal to another at a glance.
    static NO_FIELDS: Rc<BTreeMap<Key, Value>> = Rc::new(BTreeMap::new());
}

fn no_fields() -> Rc<BTreeMap<Key, Value>> {
    NO_FIELDS.with(Rc::clone)
}

impl Default for Value {
    fn default() -> Value {
        Value { taint: Taint::new(), fields: no_fields(), str: None, kind: Kind::Unknown }
    }
}

/// Key order, deciding at once for keys that share their name: fields
/// copied from one value to another do.
fn key_order(a: &Key, b: &Key) -> Ordering {
    match (a, b) {
        (Key::Item(x), Key::Item(y)) | (Key::Attr(x), Key::Attr(y)) if Rc::ptr_eq(x, y) => Ordering::Equal,
        _ => a.cmp(b),
    }
}

/// Deeper values are folded into their taint, which keeps recursive data
/// structures and long event chains finite.
const MAX_DEPTH: usize = 10;

/// The note of a string that is the name of a file the code created
/// (`[[created_file]]` in `sinks.toml`).
const CREATED_FILE: &str = "created file";

/// Whether a path starts with the name of a file the code created.
pub fn names_created_file(path: &SymStr) -> bool {
    matches!(path.pieces().first(), Some(crate::sym::Piece::Any(n)) if n == CREATED_FILE)
}

impl Value {
    /// The name of a file the code created, as a string.
    pub fn created_file_name() -> Value {
        Value::string(SymStr::any(CREATED_FILE))
    }


    pub fn of_kind(kind: Kind) -> Value {
        Value { kind, ..Value::default() }
    }

    pub fn qual(path: impl Into<String>) -> Value {
        Value::of_kind(Kind::Qual(Rc::from(path.into())))
    }

    pub fn string(s: SymStr) -> Value {
        Value { str: Some(s), kind: Kind::Str, ..Value::default() }
    }

    pub fn tainted(taint: Taint) -> Value {
        Value { taint, ..Value::default() }
    }

    /// Whether the two differ at most in which labels they carry: the same
    /// kinds, strings and fields, each part tainted in both or in neither.
    pub fn same_shape(&self, other: &Value) -> bool {
        self.kind == other.kind
            && self.str == other.str
            && self.taint.is_empty() == other.taint.is_empty()
            && (Rc::ptr_eq(&self.fields, &other.fields)
                || (self.fields.len() == other.fields.len()
                    && self.fields.iter().zip(other.fields.iter()).all(|((ka, a), (kb, b))| ka == kb && a.same_shape(b))))
    }

    /// Hashes what equal values share down to `depth` levels: kinds,
    /// strings, field keys, and the size and ends of each label set.
    pub fn hash_outline(&self, h: &mut impl std::hash::Hasher, depth: usize) {
        use std::hash::Hash;
        self.kind.hash(h);
        self.str.hash(h);
        (self.taint.len(), self.taint.first(), self.taint.last()).hash(h);
        self.fields.len().hash(h);
        if depth > 0 {
            for (k, v) in self.fields.iter() {
                k.hash(h);
                v.hash_outline(h, depth - 1);
            }
        }
    }

    /// Whether any part carries a label: [`Value::deep_taint`] is not
    /// empty, found without collecting it.
    pub fn is_tainted(&self) -> bool {
        !self.taint.is_empty() || self.fields.values().any(|v| !matches!(v.kind, Kind::Func(_) | Kind::Class(_) | Kind::Module(_)) && v.is_tainted())
    }

    /// Taint of the value and of every part of it.
    pub fn deep_taint(&self) -> Taint {
        let mut t = self.taint.clone();
        self.add_field_taint(&mut t);
        t
    }

    fn add_field_taint(&self, t: &mut Taint) {
        for v in self.fields.values() {
            if matches!(v.kind, Kind::Func(_) | Kind::Class(_) | Kind::Module(_)) {
                continue;
            }
            t.union(&v.taint);
            v.add_field_taint(t);
        }
    }

    /// Reads a field; parts inherit the taint of the whole, but for a part
    /// known to be `None`, which carries no data whoever sent the whole.
    pub fn get(&self, key: &Key) -> Value {
        let found = self.fields.get(key).cloned().or_else(|| match key {
            Key::Index(_) | Key::Item(_) => self.fields.get(&Key::Elem).cloned(),
            _ => None,
        });
        let mut v = found.unwrap_or_default();
        if v.kind != Kind::None {
            v.taint.union(&self.taint);
        }
        v
    }

    /// Reads a field whose key is not known: any part may be meant.
    pub fn get_any(&self) -> Value {
        let mut out = Value::default();
        for (k, v) in self.fields.iter() {
            if matches!(k, Key::Item(_) | Key::Index(_) | Key::Elem) {
                out = out.join(v);
            }
        }
        out.taint.union(&self.taint);
        out
    }

    /// The element type of an iterable (list items, dict keys of a
    /// comprehension...).
    pub fn element(&self) -> Value {
        if self.kind == Kind::Dict {
            // Iterating a dict yields its keys, which are tainted only when
            // the dict as a whole is.
            return Value::tainted(self.taint.clone());
        }
        self.get_any()
    }

    pub fn set(&mut self, key: Key, v: Value) {
        Rc::make_mut(&mut self.fields).insert(key, v);
    }

    pub fn add_taint(&mut self, t: &Taint) {
        self.taint.union(t);
    }

    /// The least value describing both.
    pub fn join(&self, other: &Value) -> Value {
        self.join_at(other, 0)
    }

    fn join_at(&self, other: &Value, depth: usize) -> Value {
        let mut v = self.clone();
        v.join_in_at(other, depth);
        v
    }

    pub fn join_in(&mut self, other: &Value) {
        self.join_in_at(other, 0);
    }

    /// Joins in place: parts equal on both sides, and field maps shared
    /// with other environments, are left as they are, so that merging two
    /// branches that changed one variable's field copies nothing else.
    fn join_in_at(&mut self, other: &Value, depth: usize) {
        if self != other {
            self.join_unequal(other, depth);
        }
    }

    /// [`Value::join_in_at`] once the two are known to differ: each level
    /// compares a field only before descending into it, not again below.
    fn join_unequal(&mut self, other: &Value, depth: usize) {
        self.taint.union(&other.taint);
        let str = match (&self.str, &other.str) {
            (Some(a), Some(b)) if a == b => self.str.take(),
            (Some(a), Some(b)) => Some(a.join(b)),
            (Some(_), None) if other.kind == Kind::None => self.str.take(),
            (None, Some(b)) if self.kind == Kind::None => Some(b.clone()),
            _ => None,
        };
        self.str = str;
        if self.kind != other.kind {
            self.kind = match (&self.kind, &other.kind) {
                (Kind::Unknown | Kind::None, k) | (k, Kind::Unknown | Kind::None) => k.clone(),
                // A session opened with access keys where the role has
                // none (`if session.get_credentials() is None:`), a
                // developer's profile outside Lambda: the deployed
                // function signs with its role.
                (Kind::Boto(a), Kind::Boto(b)) if a.service == b.service && a.class == b.class => {
                    Kind::boto(Boto { own_credentials: a.own_credentials && b.own_credentials, ..(**a).clone() })
                }
                _ => Kind::Unknown,
            };
        }
        if depth >= MAX_DEPTH {
            self.taint = self.deep_taint();
            self.taint.union(&other.deep_taint());
            self.fields = no_fields();
            return;
        }
        if Rc::ptr_eq(&self.fields, &other.fields) || other.fields.is_empty() {
            return;
        }
        if self.fields.is_empty() {
            self.fields = other.fields.clone();
            return;
        }
        // Both maps are sorted: one walk over the two finds the fields that
        // differ, and only those are looked up again to be changed (a
        // search per field of the other side was a tenth of a large app's
        // taint stage, most of it comparing equal keys).
        let mut differ: Vec<(&Key, &Value)> = Vec::new();
        let mut mine = self.fields.iter().peekable();
        'theirs: for (k, b) in other.fields.iter() {
            while let Some((mk, a)) = mine.peek() {
                match key_order(mk, k) {
                    Ordering::Less => {
                        mine.next();
                    }
                    Ordering::Equal => {
                        if *a != b {
                            differ.push((k, b));
                        }
                        mine.next();
                        continue 'theirs;
                    }
                    Ordering::Greater => break,
                }
            }
            differ.push((k, b));
        }
        drop(mine);
        if differ.is_empty() {
            return;
        }
        let fields = Rc::make_mut(&mut self.fields);
        for (k, b) in differ {
            match fields.get_mut(k) {
                Some(a) => a.join_unequal(b, depth + 1),
                None => {
                    fields.insert(k.clone(), b.clone());
                }
            }
        }
    }

    /// The value with its structure kept `depth` levels down and each part
    /// below folded into its taint. Parts already shallow enough are
    /// shared, not rebuilt: `json.dumps` keeps the shape of every message
    /// it encodes.
    pub fn truncated(&self, depth: usize) -> Value {
        let mut v = self.clone();
        v.truncate(depth);
        v
    }

    fn truncate(&mut self, depth: usize) {
        if !self.deeper_than(depth) {
            return;
        }
        if depth == 0 {
            let mut t = Taint::new();
            self.add_field_taint(&mut t);
            self.taint.union(&t);
            self.fields = no_fields();
            return;
        }
        for v in Rc::make_mut(&mut self.fields).values_mut() {
            v.truncate(depth - 1);
        }
    }

    /// Whether some part lies more than `depth` levels down.
    fn deeper_than(&self, depth: usize) -> bool {
        !self.fields.is_empty() && (depth == 0 || self.fields.values().any(|v| v.deeper_than(depth - 1)))
    }

    /// Keeps only the labels `keep` accepts, in every part.
    pub fn retain_labels(&mut self, keep: &mut dyn FnMut(u32) -> bool) {
        self.taint.retain(|&l| keep(l));
        if !self.fields.is_empty() {
            for v in Rc::make_mut(&mut self.fields).values_mut() {
                v.retain_labels(keep);
            }
        }
    }

    /// A value carrying only the taint of this one (results of unknown
    /// computations on it).
    pub fn taint_only(&self) -> Value {
        Value::tainted(self.deep_taint())
    }

    /// Replaces every label in the value (hops across cloud links,
    /// sanitizers).
    pub fn map_labels(&self, f: &mut dyn FnMut(u32) -> u32) -> Value {
        let mut v = self.clone();
        v.map_in_place(f, 0);
        v
    }

    fn map_in_place(&mut self, f: &mut dyn FnMut(u32) -> u32, depth: usize) {
        self.taint = self.taint.iter().map(|&l| f(l)).collect();
        if depth > MAX_DEPTH {
            return;
        }
        if self.fields.is_empty() {
            return;
        }
        for v in Rc::make_mut(&mut self.fields).values_mut() {
            v.map_in_place(f, depth + 1);
        }
    }

    /// Every label of the value, its fields' included (as far down as
    /// `map_labels` goes), with repeats.
    pub fn for_each_label(&self, f: &mut dyn FnMut(u32)) {
        self.for_each_label_at(f, 0);
    }

    fn for_each_label_at(&self, f: &mut dyn FnMut(u32), depth: usize) {
        self.taint.iter().for_each(|&l| f(l));
        if depth > MAX_DEPTH {
            return;
        }
        for v in self.fields.values() {
            v.for_each_label_at(f, depth + 1);
        }
    }

    /// Follows a path like `Records[].s3.object.key` (`[]` = any element)
    /// and returns the value found there.
    pub fn at_path(&self, path: &str) -> Value {
        let mut cur = self.clone();
        for step in parse_path(path) {
            cur = match step {
                Key::Elem => cur.get_any(),
                k => cur.get(&k),
            };
        }
        cur
    }

    /// Builds a value that holds `leaf` at `path`.
    pub fn wrap_at_path(path: &str, leaf: Value) -> Value {
        let steps = parse_path(path);
        let mut v = leaf;
        for step in steps.into_iter().rev() {
            let mut outer = Value::default();
            outer.kind = if step == Key::Elem { Kind::List } else { Kind::Dict };
            outer.set(step, v);
            v = outer;
        }
        v
    }
}

/// `Records[].s3.object.key` -> [Item(Records), Elem, Item(s3), ...].
pub fn parse_path(path: &str) -> Vec<Key> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, elems) = match part.find("[]") {
            Some(i) => (&part[..i], part[i..].matches("[]").count()),
            None => (part, 0),
        };
        if !name.is_empty() {
            out.push(Key::item(&name));
        }
        out.extend(std::iter::repeat_n(Key::Elem, elems));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ids: &[u32]) -> Taint {
        ids.iter().copied().collect()
    }

    #[test]
    fn fields_inherit_the_taint_of_the_whole() {
        let event = Value::tainted(t(&[1]));
        assert_eq!(event.get(&Key::item("body")).taint, t(&[1]));
    }

    #[test]
    fn paths_build_and_read_event_shapes() {
        let key = Value::tainted(t(&[7]));
        let event = Value::wrap_at_path("Records[].s3.object.key", key);
        assert_eq!(event.at_path("Records[].s3.object.key").taint, t(&[7]));
        assert!(event.at_path("Records[].s3.bucket.name").taint.is_empty());
        let first = event.get(&Key::item("Records")).get(&Key::Index(0));
        assert_eq!(first.at_path("s3.object.key").taint, t(&[7]));
    }

    #[test]
    fn join_keeps_both_sides() {
        let mut a = Value::default();
        a.set(Key::item("x"), Value::tainted(t(&[1])));
        let mut b = Value::default();
        b.set(Key::item("y"), Value::tainted(t(&[2])));
        let j = a.join(&b);
        assert_eq!(j.deep_taint(), t(&[1, 2]));
        assert_eq!(j.get(&Key::item("x")).taint, t(&[1]));
    }

    #[test]
    fn joining_strings_keeps_common_prefix() {
        let a = Value::string(SymStr::lit("uploads/a"));
        let b = Value::string(SymStr::lit("uploads/b"));
        assert_eq!(a.join(&b).str.unwrap().known_prefix(), "uploads/");
    }
}
