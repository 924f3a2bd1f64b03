//! Taint labels: where tainted data came from and which cloud events it
//! crossed on the way.
//!
//! A label is interned once per (source, last hop, sanitized classes) and
//! values carry small sets of label ids, so that copying taint is cheap and a
//! finding can still print a whole path. Keying on the last hop rather than
//! the whole path matters: with several functions writing to each other's
//! triggers, the number of distinct paths grows factorially with their
//! length (a real two-handler S3 cycle exhausted 10 GB), while one witness
//! path per source and last hop is all a finding prints.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use rustc_hash::FxHashMap;
use serde::Serialize;

/// A place in the program: file, line and the function it lies in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Site {
    pub file: String,
    pub line: u32,
    /// Fully qualified function name (`handlers.httphandler.onHTTPPostEvent`,
    /// `scripts.admin.<module>`).
    pub function: String,
}

impl Site {
    /// A line of a deployment file (an integrated route, a state machine
    /// Task), as module-level code of a module named after the file
    /// (`api/template.yaml` -> `api.template.<module>`).
    pub fn in_deployment_file(file: &str, line: u32) -> Site {
        let stem = file.rsplit_once('.').map(|(s, _)| s).unwrap_or(file);
        Site { file: file.to_string(), line, function: format!("{}.<module>", stem.replace('/', ".")) }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Http,
    Event,
    CloudApi,
    Cli,
    Env,
    /// Traceback text; a finding only when it reaches an HTTP response.
    Traceback,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Http => "http",
            SourceKind::Event => "event",
            SourceKind::CloudApi => "cloud-api",
            SourceKind::Cli => "cli",
            SourceKind::Env => "env",
            SourceKind::Traceback => "traceback",
        }
    }

    pub fn parse(s: &str) -> Option<SourceKind> {
        Some(match s {
            "http" => SourceKind::Http,
            "event" => SourceKind::Event,
            "cloud-api" => SourceKind::CloudApi,
            "cli" => SourceKind::Cli,
            "env" => SourceKind::Env,
            "traceback" => SourceKind::Traceback,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    pub site: Site,
    /// What the source is, for people: `POST /produce`, `s3.list_objects`.
    pub what: String,
    /// Secret material (a Secrets Manager value, a decrypted parameter, an
    /// environment variable filled with a secret) rather than attacker
    /// input: it reaches only the sinks of [`SECRET_CLASS`], and only it
    /// does.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// The class whose sinks secret material reaches: where a secret becomes
/// readable by someone it was not meant for (logs, HTTP responses, data
/// that leaves the application). Attacker input reaching a log is no
/// finding, and a secret passed to `os.system` is no injection.
pub const SECRET_CLASS: &str = "secret-exposure";

impl Source {
    /// Attacker-controlled input.
    pub fn input(kind: SourceKind, site: Site, what: impl Into<String>) -> Source {
        Source { kind, site, what: what.into(), secret: false }
    }

    /// Secret material.
    pub fn secret(kind: SourceKind, site: Site, what: impl Into<String>) -> Source {
        Source { kind, site, what: what.into(), secret: true }
    }

    /// Secret material or attacker input, as a model says.
    pub fn new(kind: SourceKind, site: Site, what: impl Into<String>, secret: bool) -> Source {
        Source { kind, site, what: what.into(), secret }
    }

    /// Whether data from this source counts at the sinks of `class`.
    pub fn reaches(&self, class: &str) -> bool {
        self.secret == (class == SECRET_CLASS) && self.kind != SourceKind::Traceback
    }
}

/// One crossing of a cloud service between two functions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Hop {
    /// `s3:ObjectCreated`, `dynamodb:stream`, `sqs:message`, `s3:stored`...
    pub event: String,
    /// The resource crossed (bucket, table, queue...), with filter details.
    pub resource: String,
    /// The cloud API call that wrote the data (`s3.upload_file`).
    pub call: String,
    /// The cloud API call that wrote the data.
    pub from: Site,
    /// The function that receives or reads it back.
    pub to: Site,
    /// Linked without knowing the resource for sure.
    pub conservative: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub source: u32,
    /// The witness path: the shortest (then smallest) one found so far
    /// from the source to the label's last hop, as interned hops
    /// ([`Labels::path`] spells it out).
    pub hops: Vec<HopId>,
    /// Vulnerability classes this data was sanitized for.
    pub sanitized: BTreeSet<String>,
}

/// What makes two labels the same: everything but the path before the
/// last hop.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LabelKey {
    source: u32,
    last: Option<HopId>,
    sanitized: BTreeSet<String>,
}

impl Label {
    fn key(&self) -> LabelKey {
        LabelKey { source: self.source, last: self.hops.last().copied(), sanitized: self.sanitized.clone() }
    }
}

pub type LabelId = u32;

/// A set of labels, shared until written: every value carries one and
/// environments are copied at every branch, so a copy must not copy the
/// set. The labels are kept sorted in a vector: sets are small, and a
/// union is then one merge, not a tree insertion per label. The empty set,
/// what most values carry, holds no vector at all: making and dropping one
/// for each fresh value, with its empty field map (`value.rs`), cost the
/// slowest apps 6-10% of their taint stage.
#[derive(Clone, Debug, Default)]
pub struct Taint(Option<Rc<Vec<LabelId>>>);

/// Label by label: most sets compared are empty or short, and comparing
/// them as memory (a call per comparison) made a generated app's joins a
/// third slower.
impl PartialEq for Taint {
    fn eq(&self, other: &Taint) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b) || (a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y)),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Eq for Taint {}

impl PartialOrd for Taint {
    fn partial_cmp(&self, other: &Taint) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Taint {
    fn cmp(&self, other: &Taint) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl std::hash::Hash for Taint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl Taint {
    pub fn new() -> Taint {
        Taint::default()
    }

    /// The set of these labels, sorted and distinct.
    fn of_sorted(v: Vec<LabelId>) -> Taint {
        Taint((!v.is_empty()).then(|| Rc::new(v)))
    }

    pub fn contains(&self, l: &LabelId) -> bool {
        self.binary_search(l).is_ok()
    }

    pub fn insert(&mut self, l: LabelId) -> bool {
        match self.binary_search(&l) {
            Ok(_) => false,
            Err(at) => {
                Rc::make_mut(self.0.get_or_insert_default()).insert(at, l);
                true
            }
        }
    }

    /// Keeps the labels `keep` accepts, asking once for each; the set is
    /// copied only when one goes.
    pub fn retain(&mut self, mut keep: impl FnMut(&LabelId) -> bool) {
        let mut kept: Option<Vec<LabelId>> = None;
        for (i, l) in self.iter().enumerate() {
            match (keep(l), &mut kept) {
                (true, Some(v)) => v.push(*l),
                (false, None) => kept = Some(self[..i].to_vec()),
                _ => {}
            }
        }
        if let Some(v) = kept {
            *self = Taint::of_sorted(v);
        }
    }

    /// Adds the labels of `other`, sharing its set when this one is empty
    /// or holds no label of its own: most joins add a value's taint to an
    /// untainted one, or to itself.
    pub fn union(&mut self, other: &Taint) {
        let Some(theirs) = &other.0 else { return };
        let Some(mine) = &self.0 else {
            self.0 = other.0.clone();
            return;
        };
        if Rc::ptr_eq(mine, theirs) {
            return;
        }
        let (a, b) = (&mine[..], &theirs[..]);
        let (mut i, mut j) = (0, 0);
        while j < b.len() && i < a.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        if j == b.len() {
            return;
        }
        let mut merged = Vec::with_capacity(a.len() + b.len() - j);
        merged.extend_from_slice(&a[..i]);
        let (mut i, mut j) = (i, j);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => {
                    merged.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Equal => {
                    merged.push(a[i]);
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Greater => {
                    merged.push(b[j]);
                    j += 1;
                }
            }
        }
        merged.extend_from_slice(&a[i..]);
        merged.extend_from_slice(&b[j..]);
        if merged.len() == b.len() {
            self.0 = other.0.clone();
        } else {
            self.0 = Some(Rc::new(merged));
        }
    }

    pub fn clear(&mut self) {
        self.0 = None;
    }
}

impl std::ops::Deref for Taint {
    type Target = [LabelId];

    fn deref(&self) -> &[LabelId] {
        self.0.as_deref().map_or(&[], |v| v.as_slice())
    }
}

impl Extend<LabelId> for Taint {
    fn extend<I: IntoIterator<Item = LabelId>>(&mut self, labels: I) {
        let added: Taint = labels.into_iter().collect();
        self.union(&added);
    }
}

impl<'t> Extend<&'t LabelId> for Taint {
    fn extend<I: IntoIterator<Item = &'t LabelId>>(&mut self, labels: I) {
        self.extend(labels.into_iter().copied());
    }
}

impl FromIterator<LabelId> for Taint {
    fn from_iter<I: IntoIterator<Item = LabelId>>(labels: I) -> Taint {
        let mut v: Vec<LabelId> = labels.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Taint::of_sorted(v)
    }
}

impl IntoIterator for Taint {
    type Item = LabelId;
    type IntoIter = std::vec::IntoIter<LabelId>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.map(Rc::unwrap_or_clone).unwrap_or_default().into_iter()
    }
}

impl<'t> IntoIterator for &'t Taint {
    type Item = &'t LabelId;
    type IntoIter = std::slice::Iter<'t, LabelId>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Paths longer than this stop growing, so that cycles between functions
/// (A writes what B reads, B writes what A reads) converge.
pub const MAX_HOPS: usize = 8;

#[derive(Default)]
pub struct Labels {
    pub sources: Vec<Source>,
    source_ids: HashMap<Source, u32>,
    pub labels: Vec<Label>,
    label_ids: HashMap<LabelKey, LabelId>,
    /// How often each label's witness path was shortened: a hop added
    /// to an older path may give another answer.
    witness_versions: Vec<u32>,
    /// How many witness paths were shortened in all.
    witness_changes: u64,
    /// Hops by number, and what adding one to a label gave, with the
    /// label's witness version then: every round delivers the same values
    /// across the same hops again, and building and hashing a label each
    /// time was most of a large app's linking.
    hop_ids: FxHashMap<Hop, HopId>,
    hops: Vec<Hop>,
    with_hop_memo: FxHashMap<(LabelId, HopId), (LabelId, u32)>,
}

/// A hop interned by [`Labels::hop`]: a delivery maps every label of a
/// value across the same hop, which is then hashed once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HopId(u32);

impl Labels {
    pub fn source(&mut self, source: Source) -> LabelId {
        let next = self.sources.len() as u32;
        let id = *self.source_ids.entry(source.clone()).or_insert_with(|| next);
        if id == next {
            self.sources.push(source);
        }
        self.intern(Label { source: id, hops: Vec::new(), sanitized: BTreeSet::new() })
    }

    fn intern(&mut self, label: Label) -> LabelId {
        let key = label.key();
        if let Some(&id) = self.label_ids.get(&key) {
            let known = &self.labels[id as usize].hops;
            let hops = &self.hops;
            let spelled = |path: &[HopId]| path.iter().map(|h| &hops[h.0 as usize]).collect::<Vec<_>>();
            if (label.hops.len(), spelled(&label.hops)) < (known.len(), spelled(known)) {
                self.labels[id as usize].hops = label.hops;
                self.witness_versions[id as usize] += 1;
                self.witness_changes += 1;
            }
            return id;
        }
        let id = self.labels.len() as LabelId;
        self.labels.push(label);
        self.witness_versions.push(0);
        self.label_ids.insert(key, id);
        id
    }

    /// How often a label's witness path got shorter: labels derived from
    /// it earlier may be derived differently once it changed.
    pub fn witness_version(&self, id: LabelId) -> u32 {
        self.witness_versions[id as usize]
    }

    /// How many witness paths got shorter so far, over all labels.
    pub fn witness_changes(&self) -> u64 {
        self.witness_changes
    }

    /// The label's witness path, hop by hop.
    pub fn path(&self, id: LabelId) -> Vec<Hop> {
        self.labels[id as usize].hops.iter().map(|h| self.hops[h.0 as usize].clone()).collect()
    }

    pub fn get(&self, id: LabelId) -> &Label {
        &self.labels[id as usize]
    }

    pub fn source_of(&self, id: LabelId) -> &Source {
        &self.sources[self.labels[id as usize].source as usize]
    }

    pub fn hop(&mut self, hop: &Hop) -> HopId {
        if let Some(&h) = self.hop_ids.get(hop) {
            return h;
        }
        let h = HopId(self.hops.len() as u32);
        self.hops.push(hop.clone());
        self.hop_ids.insert(hop.clone(), h);
        h
    }

    pub fn with_hop(&mut self, id: LabelId, hop: HopId) -> LabelId {
        let version = self.witness_versions[id as usize];
        if let Some(&(out, seen)) = self.with_hop_memo.get(&(id, hop)) {
            if seen == version {
                return out;
            }
        }
        let label = &self.labels[id as usize];
        let out = if label.hops.len() >= MAX_HOPS || label.hops.contains(&hop) {
            id
        } else {
            let mut next = label.clone();
            next.hops.push(hop);
            self.intern(next)
        };
        self.with_hop_memo.insert((id, hop), (out, self.witness_versions[id as usize]));
        out
    }

    pub fn sanitize(&mut self, id: LabelId, class: &str) -> LabelId {
        let label = &self.labels[id as usize];
        if label.sanitized.contains(class) {
            return id;
        }
        let mut next = label.clone();
        next.sanitized.insert(class.to_string());
        self.intern(next)
    }

    /// The label as what does not reveal a secret carries it: sanitized
    /// for the secret class when its source is secret material.
    pub fn conceal(&mut self, id: LabelId) -> LabelId {
        if self.source_of(id).secret {
            self.sanitize(id, SECRET_CLASS)
        } else {
            id
        }
    }

    pub fn is_sanitized(&self, id: LabelId, class: &str) -> bool {
        self.labels[id as usize].sanitized.contains(class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(function: &str) -> Site {
        Site { file: "h.py".into(), line: 1, function: function.into() }
    }

    fn hop(from: &str, to: &str) -> Hop {
        Hop {
            event: "s3:ObjectCreated".into(),
            resource: "uploads".into(),
            call: "s3.put_object".into(),
            from: site(from),
            to: site(to),
            conservative: false,
        }
    }

    /// Four handlers, each writing to the bucket that triggers every other
    /// one: round after round of deliveries, as the analysis does it.
    #[test]
    fn cycles_between_functions_keep_one_label_per_last_hop() {
        let fns = ["a", "b", "c", "d"];
        let hops: Vec<Hop> = fns.iter().flat_map(|x| fns.iter().filter(move |y| *y != x).map(move |y| hop(x, y))).collect();
        let mut labels = Labels::default();
        let src = labels.source(Source::input(SourceKind::Http, site("a"), "POST /"));
        let mut frontier = BTreeSet::from([src]);
        for _ in 0..2 * MAX_HOPS {
            let mut next = frontier.clone();
            for &id in &frontier {
                let at = labels.path(id).last().map(|h| h.to.function.clone()).unwrap_or("a".into());
                for h in hops.iter().filter(|h| h.from.function == at) {
                    let h = labels.hop(h);
                    next.insert(labels.with_hop(id, h));
                }
            }
            frontier = next;
        }
        assert_eq!(labels.labels.len(), 1 + hops.len());
        let c_to_d = (0..labels.labels.len() as LabelId).find(|&id| labels.path(id).last() == Some(&hop("c", "d"))).unwrap();
        assert_eq!(labels.path(c_to_d), [hop("a", "c"), hop("c", "d")], "the shortest witness");
    }

    #[test]
    fn sanitizing_makes_a_new_label_once() {
        let mut labels = Labels::default();
        let src = labels.source(Source::input(SourceKind::Http, site("a"), "POST /"));
        let clean = labels.sanitize(src, "sql-injection");
        assert_ne!(clean, src);
        assert_eq!(labels.sanitize(clean, "sql-injection"), clean);
        assert!(labels.is_sanitized(clean, "sql-injection") && !labels.is_sanitized(src, "sql-injection"));
        let (first, again) = (labels.hop(&hop("a", "b")), labels.hop(&hop("a", "b")));
        assert_eq!(labels.with_hop(clean, first), labels.with_hop(clean, again));
    }
}
