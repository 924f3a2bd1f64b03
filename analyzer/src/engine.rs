//! The state the taint interpreter works on, below the interpreter and
//! the cloud links that read and extend it: the analysis options, the
//! read-only inputs of one app ([`Ctx`]) and what runs accumulate across
//! handlers and rounds ([`World`]: labels, findings, cloud calls, stores,
//! IAM requests, web routes). The driver (`analysis.rs`) builds them and
//! turns them into findings.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::rc::Rc;

use serde::Serialize;

use crate::cloud::api::{Api, CloudModels};
use crate::names::{normalize, same_resource};
use crate::exclude::Exclude;
use crate::infra::iam::IamOptions;
use crate::infra::model::{Code, Decision, Function, InfraModel, Service, State, StateMachine, Trigger};
use crate::program::handler::{self, HandlerCode};
use crate::program::{FuncId, Index, Program};
use crate::sym::SymStr;
use crate::taint::label::{Hop, LabelId, Labels, Site, Taint};
use crate::taint::models::TaintModels;
use crate::taint::value::{Globals, Key, Value};

/// Capabilities that can be switched off, to measure what each brings
/// (CloudFlow's ablation study).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Disabled {
    /// Environment variable values from the deployment file.
    pub env: bool,
    /// Plugin semantics (iam-roles-per-function, step-functions).
    pub plugins: bool,
    /// Resolution of resource references to physical names.
    pub resources: bool,
    /// IAM checks: every call is allowed.
    pub permissions: bool,
    /// Event filters (S3 prefix/suffix, EventBridge patterns).
    pub filters: bool,
    /// Cloud links between handlers and stores.
    pub links: bool,
}

impl Disabled {
    pub const NAMES: [&'static str; 6] = ["env", "plugins", "resources", "permissions", "filters", "links"];

    pub fn set(&mut self, name: &str) -> Result<(), String> {
        match name {
            "env" => self.env = true,
            "plugins" => self.plugins = true,
            "resources" => self.resources = true,
            "permissions" => self.permissions = true,
            "filters" => self.filters = true,
            "links" => self.links = true,
            other => return Err(format!("unknown feature {other:?}; expected one of {}", Disabled::NAMES.join(", "))),
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreatModel {
    /// The contract's threat model: entry-point events, object listings,
    /// command-line input.
    #[default]
    Default,
    /// Every handler's event is a source (CloudFlow's model).
    AllEvents,
}

impl ThreatModel {
    pub fn name(self) -> &'static str {
        match self {
            ThreatModel::Default => "default",
            ThreatModel::AllEvents => "all-events",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub threat_model: ThreatModel,
    pub disable: Disabled,
    /// Count permissions that cannot be decided as denied.
    pub unknown_permissions_denied: bool,
    /// Analyse only these deployment files (every one found when empty).
    pub deployment_files: Vec<PathBuf>,
    /// Extra model files (`*.toml`): taint models or `aws/` service models.
    pub models: Vec<PathBuf>,
    /// Paths kept out of the analysis.
    pub exclude: Exclude,
    /// Vulnerability classes not reported.
    pub disabled_rules: BTreeSet<String>,
}

/// A function of the infrastructure model: (service index, function index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FnRef {
    pub service: usize,
    pub function: usize,
}

/// A modelled cloud call that writes or triggers, as seen so far.
#[derive(Clone, Debug, PartialEq)]
pub struct CloudCall {
    pub service: String,
    pub api: String,
    pub args: BTreeMap<String, Value>,
    pub resource: Vec<SymStr>,
    /// The data the call stores: its shape when the model keeps it, else
    /// its taint.
    pub stored: Value,
    pub site: Site,
    pub caller: Option<FnRef>,
    pub decision: Decision,
}

impl CloudCall {
    /// A call AWS makes for the application itself (an integrated API
    /// route, a state machine Task) with data carrying `taint`, under the
    /// role the plugin or template grants for exactly that action.
    pub fn by_aws(service: &str, api: &Api, args: BTreeMap<String, Value>, resource: Vec<SymStr>, taint: Taint, site: Site) -> CloudCall {
        CloudCall {
            service: service.to_string(),
            api: api.name.clone(),
            args,
            resource,
            stored: if api.writes.is_some() { Value::tainted(taint) } else { Value::default() },
            site,
            caller: None,
            decision: Decision::Allowed,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreEntry {
    pub store: String,
    /// The call that wrote it (`s3.put_object`).
    pub api: String,
    pub resource: SymStr,
    pub key: Option<SymStr>,
    pub data: Value,
    pub from: Site,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RawFinding {
    pub(crate) sink: Site,
    pub(crate) vulnerability: String,
    pub(crate) callee: String,
    pub(crate) label: LabelId,
}

/// A call site: where, which service and API, in which function.
pub type CallKey = (Site, String, String, Option<FnRef>);

/// What a call delivered when last linked, with the call's stamp then
/// and the witness versions of its labels summed: a call that is the
/// same, its labels' witnesses too, delivers the same.
pub struct Delivered {
    pub stamp: u64,
    pub witnesses: u64,
    pub to: Vec<(FnRef, Value)>,
}

/// What the interpreter accumulates across handlers and rounds.
#[derive(Default)]
pub struct World {
    pub labels: Labels,
    pub(crate) findings: BTreeSet<RawFinding>,
    pub calls: BTreeMap<CallKey, CloudCall>,
    /// When each call last changed (`calls_recorded` then): a call whose
    /// stamp is the same is the same.
    pub call_stamps: rustc_hash::FxHashMap<CallKey, u64>,
    /// What each call delivered when last linked (`cloud/links.rs`).
    pub delivered: rustc_hash::FxHashMap<CallKey, Delivered>,
    /// The deliveries of all calls joined per function, as last linked.
    pub delivered_joined: HashMap<FnRef, Value>,
    pub stores: Vec<StoreEntry>,
    pub api_sites: BTreeSet<(Option<FnRef>, Site, String, String, String)>,
    /// What each function's code asked IAM for (least privilege, in the
    /// driver's `privilege.rs`).
    pub permission_uses: BTreeSet<PermissionUse>,
    /// boto3 calls no model describes, by calling function: their IAM
    /// needs are unknown.
    pub unmodelled_calls: BTreeSet<UnmodelledCall>,
    /// Module environments shared by every script (see Interp::module_env);
    /// dropped when stores change ([`World::set_stores`]), since module
    /// code may read them.
    pub shared_modules: HashMap<usize, Globals>,
    /// What each store read gave since stores last changed
    /// ([`World::read_store`]).
    pub store_reads: rustc_hash::FxHashMap<StoreRead, Value>,
    /// The reads of the entry point running now, with what they gave: the
    /// driver keeps them to tell whether a run would see anything new.
    pub run_reads: Vec<(StoreRead, Value)>,
    /// Request sources whose signature a handler verified, with the
    /// platforms that signed them (`taint/signed.rs`).
    pub signed_sources: BTreeMap<u32, BTreeSet<usize>>,
    /// Views of web frameworks, registered as their modules ran.
    pub routes: BTreeMap<FuncId, Route>,
    /// Functions whose event an adapter hands to the views of an
    /// interface (`wsgi`, `asgi`...).
    pub dispatches: BTreeSet<(FnRef, String)>,
    /// Calls recorded so far that were new or changed a recorded one,
    /// counted: the driver delivers again within a round only after such.
    pub calls_recorded: u64,
    /// What a read at an unknown key of a field map gives, by map
    /// (`Interp::get_any`). An entry holds its map weakly: it answers while
    /// the map lives unchanged (a write in place disassociates it, and the
    /// address is not reused while it is held), without keeping every
    /// version of every table read alive. Kept across runs: a module's
    /// tables are the same maps in every run that starts from its snapshot.
    pub(crate) any_field: rustc_hash::FxHashMap<*const BTreeMap<Key, Value>, (std::rc::Weak<BTreeMap<Key, Value>>, Value)>,
}

/// One IAM request a function's code makes: a modelled call, the action it
/// needs, the resource ARN as far as it is known, and the role's answer
/// (unknown when the call is signed with credentials of its own).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PermissionUse {
    pub function: FnRef,
    pub action: String,
    pub arn: SymStr,
    /// `s3.put_object`.
    pub call: String,
    pub site: Site,
    pub decision: Decision,
    /// Signed with the code's own credentials: the role needs nothing for it.
    pub own_credentials: bool,
}

/// A boto3 call no model describes: what it needs from IAM is unknown,
/// except the service's action prefix.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnmodelledCall {
    pub function: FnRef,
    pub site: Site,
    /// `ses.send_email`.
    pub call: String,
    /// The IAM action prefix of the service (`states` for
    /// `stepfunctions`), `?` when the service is unknown.
    pub iam_prefix: String,
}

/// One read of a store, as the memo of reads keys it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StoreRead {
    pub store: String,
    pub resource: Vec<SymStr>,
    pub key: Option<SymStr>,
    pub site: Site,
}

impl World {
    /// The value as it arrives across `hop`: each label replaced by the one
    /// that crossed it.
    pub fn cross(&mut self, value: &Value, hop: &Hop) -> Value {
        let hop = self.labels.hop(hop);
        value.map_labels(&mut |l| self.labels.with_hop(l, hop))
    }

    pub fn add_findings(&mut self, vulnerability: &str, callee: &str, sink: &Site, taint: &Taint) {
        for &l in taint {
            if self.labels.is_sanitized(l, vulnerability) || !self.labels.source_of(l).reaches(vulnerability) {
                continue;
            }
            self.findings.insert(RawFinding {
                sink: sink.clone(),
                vulnerability: vulnerability.to_string(),
                callee: callee.to_string(),
                label: l,
            });
        }
    }

    /// What the calls recorded so far have stored, replacing what was
    /// stored before: module code and store reads cached for the old
    /// stores may read otherwise now.
    pub fn set_stores(&mut self, stores: Vec<StoreEntry>) {
        self.stores = stores;
        self.shared_modules.clear();
        self.store_reads.clear();
    }

    /// Data stored in a resource by earlier calls and readable at a site.
    /// Stores change only between the runs of handlers, so a read site
    /// reading the same resource and key gets the same data all run:
    /// handlers that share a data layer read it many times.
    pub fn read_store(&mut self, read: &StoreRead) -> Value {
        if let Some(v) = self.store_reads.get(read) {
            return v.clone();
        }
        let mut out = Value::default();
        for i in 0..self.stores.len() {
            let e = &self.stores[i];
            if e.store != read.store {
                continue;
            }
            let same_resource = read.resource.iter().any(|r| same_resource(&read.store, &e.resource, r).possible());
            if !same_resource {
                continue;
            }
            if let (Some(written), Some(key)) = (&e.key, &read.key) {
                if !written.may_equal(key).possible() {
                    continue;
                }
            }
            let hop = Hop {
                event: format!("{}:stored", read.store),
                call: e.api.clone(),
                resource: format!("{} {}", read.store, e.resource),
                from: e.from.clone(),
                to: read.site.clone(),
                conservative: !e.resource.is_known(),
            };
            let data = e.data.clone();
            out.join_in(&self.cross(&data, &hop));
        }
        self.store_reads.insert(read.clone(), out.clone());
        out
    }

    /// Whether every read of an earlier run still gives what it gave then:
    /// a run with the same input would then repeat itself exactly.
    pub(crate) fn reads_unchanged(&mut self, reads: Option<&Vec<(StoreRead, Value)>>) -> bool {
        reads.is_some_and(|reads| self.reads_give_the_same(reads))
    }

    pub(crate) fn reads_give_the_same(&mut self, reads: &[(StoreRead, Value)]) -> bool {
        reads.iter().all(|(read, seen)| self.read_store(read) == *seen)
    }

    /// Records a call, joined with what the same call site made for the
    /// same function before.
    pub fn record_call(&mut self, call: CloudCall) {
        let key = (call.site.clone(), call.service.clone(), call.api.clone(), call.caller);
        let changed = match self.calls.get_mut(&key) {
            Some(existing) => {
                let mut changed = false;
                for (k, v) in call.args {
                    match existing.args.get_mut(&k) {
                        Some(known) => changed |= join_changes(known, &v),
                        None => {
                            existing.args.insert(k, v);
                            changed = true;
                        }
                    }
                }
                changed |= join_changes(&mut existing.stored, &call.stored);
                for r in call.resource {
                    if !existing.resource.contains(&r) {
                        existing.resource.push(r);
                        changed = true;
                    }
                }
                changed
            }
            None => {
                self.calls.insert(key.clone(), call);
                true
            }
        };
        if changed {
            self.calls_recorded += 1;
            self.call_stamps.insert(key, self.calls_recorded);
        }
    }
}

/// Joins `more` into `value`, telling whether that changed it: a handler
/// that runs again makes most of its calls as it made them.
fn join_changes(value: &mut Value, more: &Value) -> bool {
    if value == more {
        return false;
    }
    let before = value.clone();
    value.join_in(more);
    *value != before
}

/// Shared, read-only inputs of the analysis.
pub struct Ctx<'a, 'p> {
    pub program: &'p Program,
    pub index: &'a Index<'p>,
    pub infra: &'a InfraModel,
    pub taint: &'a TaintModels,
    pub cloud: &'a CloudModels,
    pub opts: &'a Options,
    listeners: OnceCell<HashMap<Trigger, Vec<Listener>>>,
    /// Each loop body's exposed reads (`taint/loops.rs`), by the body's
    /// address: a loop runs in every round of every handler that reaches it.
    loop_reads: RefCell<HashMap<usize, Option<Rc<HashSet<String>>>>>,
    /// IAM answers by function, action and resource: every run of every
    /// round asks again for each call it makes, and matching the role's
    /// patterns was a tenth of a large app's taint stage. Kept by a hash of
    /// the three, each entry with them (a collision is never a hit): a key
    /// of owned strings built for each question was most of the asking.
    decisions: RefCell<rustc_hash::FxHashMap<u64, Vec<(FnRef, String, SymStr, Decision)>>>,
}

/// A function's event of some trigger, with the name of the resource it
/// listens to as the trigger's service identifies it (`names.rs`),
/// computed once: the cloud links compare every call of every round
/// against it.
pub struct Listener {
    pub function: FnRef,
    /// The event's index in the function's `events`.
    pub event: usize,
    /// The resource as the deployment file names it, if it names one.
    pub resource: Option<SymStr>,
    /// `resource` brought to its identifying name.
    pub identity: Option<SymStr>,
}

impl<'a, 'p> Ctx<'a, 'p> {
    pub fn new(program: &'p Program, index: &'a Index<'p>, infra: &'a InfraModel, taint: &'a TaintModels, cloud: &'a CloudModels, opts: &'a Options) -> Self {
        Ctx { program, index, infra, taint, cloud, opts, listeners: OnceCell::new(), loop_reads: RefCell::default(), decisions: RefCell::default() }
    }

    /// The variables a loop body may read before writing them, with the
    /// loop's `target` written first; `None` when it may read any.
    pub fn loop_reads(&self, body: &'p [ruff_python_ast::Stmt], target: Option<&ruff_python_ast::Expr>) -> Option<Rc<HashSet<String>>> {
        let key = body.as_ptr() as usize;
        if let Some(reads) = self.loop_reads.borrow().get(&key) {
            return reads.clone();
        }
        let reads = crate::taint::loops::exposed_reads(body, target).map(Rc::new);
        self.loop_reads.borrow_mut().insert(key, reads.clone());
        reads
    }

    /// May function `f`'s role call `action` on `arn`?
    pub fn allows(&self, f: FnRef, action: &str, arn: &SymStr) -> Decision {
        let key = {
            let mut h = rustc_hash::FxHasher::default();
            (f, action, arn).hash(&mut h);
            h.finish()
        };
        let known = self.decisions.borrow().get(&key).and_then(|es| es.iter().find(|e| e.0 == f && e.1 == action && e.2 == *arn).map(|e| e.3));
        if let Some(d) = known {
            return d;
        }
        let d = self.function(f).1.allows(action, arn, &self.iam_options());
        self.decisions.borrow_mut().entry(key).or_default().push((f, action.to_string(), arn.clone(), d));
        d
    }

    /// The events of a trigger across the app's functions, in function
    /// and event order.
    pub fn listeners(&self, trigger: Trigger) -> &[Listener] {
        let all = self.listeners.get_or_init(|| {
            let mut out: HashMap<Trigger, Vec<Listener>> = HashMap::new();
            for (function, _, f) in self.all_functions() {
                for (event, e) in f.events.iter().enumerate() {
                    let identity = e.resource.as_ref().map(|r| normalize(e.trigger.name(), r));
                    out.entry(e.trigger).or_default().push(Listener { function, event, resource: e.resource.clone(), identity });
                }
            }
            out
        });
        all.get(&trigger).map_or(&[], Vec::as_slice)
    }

    /// The listeners of a trigger that name a resource which may be the
    /// one given.
    pub fn listening<'s>(&'s self, trigger: Trigger, resource: &SymStr) -> impl Iterator<Item = &'s Listener> + 's {
        let wanted = normalize(trigger.name(), resource);
        self.listeners(trigger).iter().filter(move |l| l.identity.as_ref().is_some_and(|i| i.may_equal(&wanted).possible()))
    }

    pub fn function(&self, f: FnRef) -> (&'a Service, &'a Function) {
        let s = &self.infra.services[f.service];
        (s, &s.functions[f.function])
    }

    pub fn all_functions(&self) -> impl Iterator<Item = (FnRef, &'a Service, &'a Function)> + 'a {
        self.infra.services.iter().enumerate().flat_map(|(si, s)| {
            s.functions.iter().enumerate().map(move |(fi, f)| (FnRef { service: si, function: fi }, s, f))
        })
    }

    pub fn iam_options(&self) -> IamOptions {
        IamOptions { unknown_as_denied: self.opts.unknown_permissions_denied }
    }

    /// Whether some function or subscription of the app consumes what a
    /// call on these resources fires (a queue some function reads).
    pub fn resource_consumed(&self, api: &Api, resources: &[SymStr]) -> bool {
        let Some(fires) = &api.fires else { return false };
        let trigger = fires.trigger.name();
        let by_function = resources.iter().any(|r| self.listening(fires.trigger, r).next().is_some());
        let by_subscription = self.infra.services.iter().any(|s| {
            s.subscriptions.iter().any(|sub| {
                matches!(sub.protocol.as_str(), "sqs" | "lambda" | "firehose")
                    && resources.iter().any(|r| same_resource(trigger, &sub.topic, r).possible())
            })
        });
        by_function || by_subscription
    }

    /// Whether an unknown string piece stands for configuration: an
    /// environment variable, or a deployment-file value of some function's
    /// environment that the analysis could not resolve (`${ssm:...}`, an
    /// account id), never request data.
    pub fn configured_note(&self, note: &str) -> bool {
        note.starts_with("env:")
            || self.infra.services.iter().flat_map(|s| &s.functions).flat_map(|f| f.environment.values()).any(|v| v.pieces().iter().any(|p| matches!(p, crate::sym::Piece::Any(n) if n == note)))
    }

    /// The Python code a handler names, when it exists (see
    /// [`crate::program::handler`] for the shapes followed).
    pub fn handler_code(&self, f: FnRef) -> Option<HandlerCode> {
        handler::resolve(self.index, self.handler_file(f)?, &self.function(f).1.handler.function)
    }

    /// The Python file a handler's module names (or its inline code).
    pub fn handler_file(&self, f: FnRef) -> Option<usize> {
        let (service, func) = self.function(f);
        match func.code {
            Code::Inline { .. } => self.program.embedded(&service.file, &func.name),
            _ => self.program.file_by_path(&func.handler.file).or_else(|| self.program.resolve_module(&func.handler.module, None)),
        }
    }

    /// Where a handler's code starts.
    pub fn handler_site(&self, f: FnRef) -> Option<Site> {
        let code = self.handler_code(f)?;
        let info = self.index.func(code.func);
        Some(Site { file: self.program.files[info.file].rel.clone(), line: info.line, function: self.index.fqn(code.func) })
    }

    /// The states that receive the input given at `state`: it and those
    /// after it, up to and including the first Tasks that run a function.
    pub fn reached_states<'m>(&self, machine: &'m StateMachine, state: &str) -> Vec<&'m State> {
        let mut out = Vec::new();
        let mut todo = vec![state.to_string()];
        let mut seen = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) || seen.len() > 256 {
                continue;
            }
            let Some(st) = machine.states.iter().find(|s| s.name == name) else { continue };
            out.push(st);
            if st.function.is_none() {
                todo.extend(st.next.iter().cloned());
            }
        }
        out
    }

    /// The functions run by the first Task states reached from `state`.
    pub fn first_tasks(&self, service: usize, machine: &StateMachine, state: &str) -> Vec<FnRef> {
        let mut out = Vec::new();
        for r in self.reached_states(machine, state).into_iter().filter_map(|st| self.task_function(service, st)) {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// The function of service `service` that a Task state runs.
    pub fn task_function(&self, service: usize, st: &State) -> Option<FnRef> {
        let name = st.function.as_ref()?;
        let function = self.infra.services[service].functions.iter().position(|f| &f.name == name)?;
        Some(FnRef { service, function })
    }
}

/// A view and the routes that reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub func: FuncId,
    pub interface: String,
    /// `GET /cubes/<cube_id>`, one per registration.
    pub routes: Vec<String>,
    /// Parameters filled from the request; `None` = all of them.
    pub input_parameters: Option<Vec<String>>,
    pub site: Site,
}

impl Route {
    pub fn what(&self) -> String {
        self.routes.join(", ")
    }
}
