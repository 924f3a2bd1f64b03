//! The whole analysis of one application: load the infrastructure and the
//! program, run every handler (and every `__main__` script) through the
//! taint interpreter, connect handlers through cloud links, and repeat
//! until no event or store gains taint. From the second round on, what a
//! run sends or stores also reaches the handlers that run after it in the
//! same round, so that a chain of queues or tables takes one round, not
//! one per queue or table.
//! The result is a list of findings, each a sink reached from one or more
//! sources.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use crate::cloud::api::CloudModels;
use crate::cloud::{destinations, integrations, links, step_tasks};
use crate::infra::model::{Code, Event, InfraOptions};
use crate::program::handler;
use crate::program::{FuncId, Index, Program};
use crate::sym::SymStr;
// The analysis' own inputs and results name these; the rest of the
// engine state stays the interpreter's.
pub use crate::engine::{Disabled, FnRef, Options, PermissionUse, ThreatModel, UnmodelledCall};
pub use crate::outcome::{Analysis, AnalyzeError, ApiCallSite, Finding, Flow, MissingHandler, MissingReason, NotPython, Stats, Timings};
use crate::engine::{Ctx, Route, StoreRead, World};
use crate::carried_calls::Carried;
use crate::module_snapshots::ModuleSnapshots;
use crate::taint::interp::{Args, Entry, Interp};
use crate::taint::label::{Hop, Site, Source, SourceKind, Taint};
use crate::taint::models::TaintModels;
use crate::taint::value::{Key, Kind, Value};
use crate::twins::{self, Due};
use crate::web_views;

const MAX_ROUNDS: usize = 12;

/// Analyses the application in `app`.
pub fn analyze(app: &Path, opts: &Options) -> Result<Analysis, AnalyzeError> {
    if !app.is_dir() {
        return Err(AnalyzeError::NotAFolder(app.to_path_buf()));
    }
    // The built-in models are read once per process: a scan's worker
    // analyses hundreds of apps, and reading them took longer than
    // analysing a small one.
    static BUILTIN: OnceLock<(TaintModels, CloudModels)> = OnceLock::new();
    let builtin = BUILTIN.get_or_init(|| (TaintModels::builtin(), CloudModels::builtin()));
    let (mut taint_models, mut cloud_models) = (Cow::Borrowed(&builtin.0), Cow::Borrowed(&builtin.1));
    for m in &opts.models {
        // A service model names its service at the top level; taint model
        // files hold only tables of rows.
        let is_aws = std::fs::read_to_string(m).ok().and_then(|t| t.parse::<toml::Table>().ok()).is_some_and(|t| t.contains_key("service"));
        let r = if is_aws { cloud_models.to_mut().add_file(m) } else { taint_models.to_mut().add_file(m) };
        r.map_err(AnalyzeError::Model)?;
    }
    // Deeply nested hostile code recurses deeply; a large stack turns that
    // into bounded work instead of a crash.
    let app = app.to_path_buf();
    let opts = opts.clone();
    std::thread::Builder::new()
        .stack_size(512 * 1024 * 1024)
        .spawn(move || run(&app, &opts, &taint_models, &cloud_models))
        .map_err(|e| AnalyzeError::Thread(e.to_string()))?
        .join()
        .map_err(|e| AnalyzeError::Thread(panic_message(&e)))
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn run(app: &Path, opts: &Options, taint_models: &TaintModels, cloud_models: &CloudModels) -> Analysis {
    let t = Instant::now();
    let infra_opts = InfraOptions { plugins: !opts.disable.plugins, resources: !opts.disable.resources };
    let infra = crate::infra::load(app, &opts.deployment_files, &opts.exclude, &infra_opts);
    let infra_ms = ms(t);
    let t = Instant::now();
    let mut program = Program::load(app, &opts.exclude);
    for s in &infra.services {
        // Inline code of a Node.js function is JavaScript: not a Python
        // file that failed to parse.
        for f in s.functions.iter().filter(|f| f.runtime.as_deref().is_none_or(|r| r.to_ascii_lowercase().starts_with("python"))) {
            if let Code::Inline { text, line } = &f.code {
                program.add_embedded(&s.file, &f.name, text, *line);
            }
        }
    }
    let index = Index::new(&program);
    let parse_ms = ms(t);
    let t = Instant::now();
    let ctx = Ctx::new(&program, &index, &infra, taint_models, cloud_models, opts);
    let mut world = World::default();
    if !opts.disable.links {
        for call in integrations::calls(&ctx, &mut world) {
            world.record_call(call);
        }
    }
    let mut stats = Stats {
        python_files: program.files.len(),
        python_lines: program.files.iter().map(|f| f.lines.count()).sum(),
        python2_files: program.files.iter().filter(|f| f.python2).map(|f| f.rel.clone()).collect(),
        functions: index.funcs.len(),
        ..Stats::default()
    };
    let mut handlers = Vec::new();
    let mut web_handlers: Vec<(FnRef, usize)> = Vec::new();
    for (fr, service, func) in ctx.all_functions() {
        // A custom runtime (`provided`, `provided.al2`) whose handler names
        // a Python module of the app runs it through a Python runtime layer
        // or bootstrap: it is Python code like any other.
        let custom_python = |rt: &str| rt.to_ascii_lowercase().starts_with("provided") && ctx.handler_file(fr).is_some();
        let not_python = if let Some(rt) = func.runtime.as_deref().filter(|r| !r.to_ascii_lowercase().starts_with("python") && !custom_python(r)) {
            Some(rt.to_string())
        } else if func.code == Code::Image {
            Some("container image".to_string())
        } else if func.runtime.is_none() {
            other_language_handler(app, &func.handler.file).map(|f| format!("Node.js: no runtime given, the handler is {f}"))
        } else {
            None
        };
        if let Some(why) = not_python {
            stats.other_runtimes.push(NotPython { function: func.name.clone(), deployment_file: service.file.clone(), why });
            continue;
        }
        let web_file = ctx.handler_file(fr).filter(|&file| handler::binds_object(&index, file, &func.handler.function));
        match (ctx.handler_code(fr), web_file) {
            (Some(code), _) => handlers.push((fr, code)),
            (None, Some(file)) => web_handlers.push((fr, file)),
            (None, None) => {
                let reason = if ctx.handler_file(fr).is_some() {
                    MissingReason::FunctionNotDefined
                } else if program.failures.iter().any(|p| p.file == func.handler.file) {
                    MissingReason::FileNotParsed
                } else if opts.exclude.excludes(&func.handler.file) {
                    MissingReason::Excluded
                } else {
                    MissingReason::FileNotFound
                };
                stats.handlers_missing.push(MissingHandler::of(service, func, reason));
            }
        }
    }
    stats.handlers = handlers.len();
    let scripts: Vec<usize> = program.files.iter().enumerate().filter(|(_, f)| f.has_main_guard && !f.vendored).map(|(i, _)| i).collect();

    let base: HashMap<FnRef, Value> = handlers.iter().map(|&(fr, _)| (fr, base_event(&ctx, fr))).collect();
    let mut incoming = base.clone();
    let mut http_labels: HashMap<FnRef, Taint> = HashMap::new();
    // A run whose input is the same and whose store reads all give what
    // they gave last time would only repeat itself: its calls and findings
    // are already recorded, and its return value is kept.
    let mut last_input: HashMap<FnRef, Value> = HashMap::new();
    let mut reads: HashMap<Run, Vec<(StoreRead, Value)>> = HashMap::new();
    let mut returns: HashMap<FnRef, Value> = HashMap::new();
    let mut stores_changed = true;
    let mut views_run: BTreeSet<(FnRef, FuncId)> = BTreeSet::new();
    let mut carried = Carried::default();
    let mut module_snapshots = ModuleSnapshots::new(&ctx, handlers.iter().map(|(fr, code)| (*fr, code.file)));
    for round in 0..MAX_ROUNDS {
        stats.rounds = round + 1;
        // Each handler's event as the last round delivered it; what runs
        // earlier in this round adds to it below.
        let mut offered: Vec<Due> = Vec::with_capacity(handlers.len());
        for (fr, code) in &handlers {
            let mut event = incoming.get(fr).cloned().unwrap_or_default();
            let source = event_source(&ctx, &mut world, *fr);
            if let Some((kind, t)) = &source {
                event.add_taint(t);
                if *kind == SourceKind::Http {
                    http_labels.insert(*fr, t.clone());
                }
            }
            offered.push(Due { function: *fr, code, event, source: source.map(|(kind, _)| kind) });
        }
        let mut stores_moved = false;
        let mut delivered_at = world.calls_recorded;
        let mut fresh: HashMap<FnRef, Value> = HashMap::new();
        let mut ran = vec![false; offered.len()];
        for i in 0..offered.len() {
            if ran[i] {
                continue;
            }
            // After the first round, what runs earlier in a round reaches
            // the handlers that run later in it, and so does what it
            // stored: whether a handler is due is decided when its turn
            // comes.
            if round > 0 && world.calls_recorded != delivered_at {
                delivered_at = world.calls_recorded;
                fresh = links::deliveries(&ctx, &mut world);
                let stores = links::stores(&ctx, &world);
                if stores != world.stores {
                    world.set_stores(stores);
                    stores_moved = true;
                }
            }
            let stores_differ = stores_changed || stores_moved;
            let due_now = |j: usize, world: &mut World| {
                let d = &offered[j];
                let mut event = d.event.clone();
                if let Some(v) = fresh.get(&d.function) {
                    event.join_in(v);
                }
                let repeats = last_input.get(&d.function) == Some(&event) && (!stores_differ || world.reads_unchanged(reads.get(&Run::Handler(d.function))));
                (!repeats).then(|| Due { event, ..*d })
            };
            let Some(lead) = due_now(i, &mut world) else { continue };
            let group = twins::group(&ctx, lead, &offered[i + 1..], &mut ran[i + 1..], |j| due_now(i + 1 + j, &mut world));
            let lead = &group[0];
            stats.handler_runs += 1;
            let mut event = lead.event.clone();
            let mut request = Taint::new();
            for d in &group {
                last_input.insert(d.function, d.event.clone());
                event.join_in(&d.event);
                if let Some(http) = http_labels.get(&d.function) {
                    request.union(http);
                }
            }
            world.run_reads.clear();
            let responds_http = !request.is_empty();
            let entry = Entry { function: Some(lead.function), main_file: None, route: None, responds_http, request };
            let mut interp = Interp::new(&ctx, &mut world, entry.clone());
            if module_snapshots.start(&ctx, &mut interp, lead.function, lead.code.file) {
                stats.modules_reused += 1;
            }
            carried.start(&mut interp, &entry);
            let args = Args { pos: vec![event, Value::qual("context")], ..Args::default() };
            let receiver = lead.code.receiver.as_ref().map(|name| interp.module_env(lead.code.file).borrow().get(name.as_str()).cloned().unwrap_or_default());
            let (ret, _) = interp.call_function(lead.code.func, args, receiver);
            stats.calls_carried += interp.calls_answered();
            if let Some(calls) = interp.carried() {
                carried.keep(&entry, calls);
            }
            drop(interp);
            let run_reads = std::mem::take(&mut world.run_reads);
            let others: Vec<FnRef> = group[1..].iter().map(|d| d.function).collect();
            twins::share(&mut world, lead.function, &others);
            for d in &group {
                reads.insert(Run::Handler(d.function), run_reads.clone());
                if let Some(http) = http_labels.get(&d.function) {
                    web_views::traceback_findings(&mut world, http, &ret);
                }
                returns.insert(d.function, ret.clone());
            }
        }
        if stores_changed {
            for &(fr, file) in &web_handlers {
                if round == 0 || !world.reads_unchanged(reads.get(&Run::Object(fr))) {
                    world.run_reads.clear();
                    web_views::serve_web_object(&ctx, &mut world, fr, file);
                    reads.insert(Run::Object(fr), std::mem::take(&mut world.run_reads));
                }
            }
            views_run.retain(|&(fr, view)| world.reads_unchanged(reads.get(&Run::View(fr, view))));
        }
        for ((fr, view), view_reads) in web_views::run_views(&ctx, &mut world, &mut views_run) {
            stats.view_runs += 1;
            reads.insert(Run::View(fr, view), view_reads);
        }
        if stores_changed {
            // A script has no input but what it reads from stores: one
            // whose reads all give what they gave would only repeat itself.
            for &file in &scripts {
                if world.reads_unchanged(reads.get(&Run::Script(file))) {
                    continue;
                }
                world.run_reads.clear();
                stats.script_runs += 1;
                let mut interp = Interp::new(&ctx, &mut world, Entry { function: None, main_file: Some(file), route: None, responds_http: false, request: Taint::new() });
                interp.module_env(file);
                reads.insert(Run::Script(file), std::mem::take(&mut world.run_reads));
            }
        }
        step_tasks::record(&ctx, &mut world, &returns, &last_input);
        let mut next = base.clone();
        for (f, v) in links::deliveries(&ctx, &mut world) {
            next.entry(f).or_default().join_in(&v);
        }
        for (f, v) in step_deliveries(&ctx, &mut world, &returns, &last_input) {
            next.entry(f).or_default().join_in(&v);
        }
        for (f, v) in destinations::deliveries(&ctx, &mut world, &returns, &last_input) {
            next.entry(f).or_default().join_in(&v);
        }
        let stores = links::stores(&ctx, &world);
        stores_changed = stores_moved || stores != world.stores;
        if stores != world.stores {
            world.set_stores(stores);
        }
        let stable = next == incoming && !stores_changed;
        incoming = next;
        if stable {
            break;
        }
    }
    let dispatching: BTreeSet<FnRef> = world.dispatches.iter().map(|(f, _)| *f).collect();
    for &(fr, _) in &web_handlers {
        if dispatching.contains(&fr) {
            stats.handlers += 1;
        } else {
            let (service, func) = ctx.function(fr);
            stats.handlers_missing.push(MissingHandler::of(service, func, MissingReason::FunctionNotDefined));
        }
    }
    let mut findings = collect_findings(&world);
    findings.retain(|f| !opts.disabled_rules.contains(&f.vulnerability));
    let calls = world
        .api_sites
        .iter()
        .map(|(caller, site, service, api, resource)| ApiCallSite {
            caller: caller.map(|f| ctx.function(f).1.name.clone()),
            file: site.file.clone(),
            line: site.line,
            service: service.clone(),
            api: api.clone(),
            resource: resource.clone(),
        })
        .collect();
    let mut http_reaching_sinks: BTreeSet<FnRef> = http_labels
        .iter()
        .filter(|(_, t)| t.iter().any(|&l| findings.iter().flat_map(|f| &f.flows).any(|fl| &fl.source == world.labels.source_of(l))))
        .map(|(fr, _)| *fr)
        .collect();
    // A function serving a web framework reaches a sink when one of its
    // views is a flow's source.
    for (fr, interface) in &world.dispatches {
        let view_is_source = |r: &Route| findings.iter().flat_map(|f| &f.flows).any(|fl| fl.source.kind == SourceKind::Http && fl.source.site == r.site);
        if world.routes.values().filter(|r| &r.interface == interface).any(view_is_source) {
            http_reaching_sinks.insert(*fr);
        }
    }
    let signature_checked = http_labels
        .iter()
        .filter(|(_, t)| t.iter().any(|&l| world.signed_sources.contains_key(&world.labels.get(l).source)))
        .map(|(fr, _)| *fr)
        .collect();
    let mut analysis = Analysis {
        app: app.to_path_buf(),
        calls,
        permission_uses: world.permission_uses.into_iter().collect(),
        unmodelled_calls: world.unmodelled_calls.into_iter().collect(),
        infra,
        parse_failures: program.failures.clone(),
        vendored: program.vendored.clone(),
        findings,
        risks: Vec::new(),
        opened_services: crate::program::clients::opened_services(&program).iter().map(|s| cloud_models.iam_prefix(s)).collect(),
        http_reaching_sinks,
        signature_checked,
        suppressed: Vec::new(),
        unused_suppressions: Vec::new(),
        baseline_known: None,
        suppression_comments: program.files.iter().flat_map(|f| f.suppressions.iter().cloned()).collect(),
        stats,
        timings: Timings { infra_ms, parse_ms, taint_ms: ms(t) },
    };
    analysis.risks = crate::risks::detect(&analysis);
    analysis.risks.retain(|r| !opts.disabled_rules.contains(&r.rule));
    analysis
}

/// With no runtime given anywhere, a handler whose module exists only as a
/// JavaScript or TypeScript file is a Node.js function, not a missing
/// Python one: that file.
fn other_language_handler(app: &Path, handler_file: &str) -> Option<String> {
    let stem = handler_file.strip_suffix(".py")?;
    if crate::confine::resolve(app, handler_file).is_ok() {
        return None;
    }
    ["js", "mjs", "cjs", "ts"].into_iter().map(|ext| format!("{stem}.{ext}")).find(|f| crate::confine::resolve(app, f).is_ok())
}

/// What the driver runs, for remembering what each run read.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Run {
    Handler(FnRef),
    /// The module binding a handler's web app.
    Object(FnRef),
    View(FnRef, FuncId),
    /// A `__main__` script, by file.
    Script(usize),
}

/// The source label of a handler's event, if its trigger makes it one.
fn event_source(ctx: &Ctx, world: &mut World, fr: FnRef) -> Option<(SourceKind, Taint)> {
    let (_, func) = ctx.function(fr);
    let site = ctx.handler_site(fr)?;
    for e in &func.events {
        if let Some(kind) = ctx.taint.trigger_source(e.trigger.name()) {
            let what = match &e.http {
                Some(_) if e.trigger == crate::infra::model::Trigger::FUNCTION_URL => "function URL".to_string(),
                Some(h) => {
                    let path = h.path.clone().unwrap_or_default();
                    let path = if path.starts_with('/') { path } else { format!("/{path}") };
                    format!("{} {path}", h.method.clone().unwrap_or_else(|| "ANY".into()).to_uppercase())
                }
                None => e.raw_type.clone(),
            };
            let id = world.labels.source(Source::input(kind, site.clone(), what));
            return Some((kind, std::iter::once(id).collect()));
        }
    }
    if ctx.opts.threat_model == ThreatModel::AllEvents && !func.events.is_empty() {
        let what = func.events.iter().map(|e| e.raw_type.clone()).collect::<Vec<_>>().join(", ");
        let id = world.labels.source(Source::input(SourceKind::Event, site, what));
        return Some((SourceKind::Event, std::iter::once(id).collect()));
    }
    None
}

/// What a handler's event looks like before any taint reaches it: the
/// parts its trigger fixes (an S3 key under the filter's prefix, no path
/// parameters on routes that declare none).
fn base_event(ctx: &Ctx, fr: FnRef) -> Value {
    let (_, func) = ctx.function(fr);
    let mut ev = Value::default();
    if let Some(field) = no_route_parameters(ctx, &func.events) {
        ev.set(Key::item(&field), Value::of_kind(Kind::None));
    }
    for e in &func.events {
        if e.trigger == crate::infra::model::Trigger::S3 {
            let mut key = SymStr::lit(e.filter.s3_prefix.clone().unwrap_or_default());
            key.push_any("key");
            key.push_lit(e.filter.s3_suffix.as_deref().unwrap_or(""));
            let mut k = Value::string(key);
            k.kind = Kind::Str;
            ev = ev.join(&Value::wrap_at_path("Records[].s3.object.key", k));
            if let Some(b) = &e.resource {
                ev = ev.join(&Value::wrap_at_path("Records[].s3.bucket.name", Value::string(b.clone())));
            }
        }
    }
    ev
}

/// The path-parameter field of a function's HTTP events when none of its
/// routes declares a parameter (`{file}`, a greedy `{proxy+}`, a `*`
/// catch-all) and no other entry point may call it.
fn no_route_parameters<'m>(ctx: &'m Ctx, events: &[Event]) -> Option<&'m str> {
    let mut field = None;
    for (e, model) in events.iter().filter_map(|e| Some((e, ctx.taint.trigger_model(e.trigger.name())?))) {
        let this = model.route_parameters.as_deref()?;
        let path = e.http.as_ref().and_then(|h| h.path.as_deref())?;
        if path.contains('{') || path.contains('*') || field.is_some_and(|f| f != this) {
            return None;
        }
        field = Some(this);
    }
    field
}

/// Step Functions: a Task's output (its function's result, placed into its
/// input as `ResultPath` says) is the next Task's input.
fn step_deliveries(ctx: &Ctx, world: &mut World, returns: &HashMap<FnRef, Value>, events: &HashMap<FnRef, Value>) -> Vec<(FnRef, Value)> {
    let mut out = Vec::new();
    if ctx.opts.disable.links {
        return out;
    }
    for (si, service) in ctx.infra.services.iter().enumerate() {
        for m in &service.state_machines {
            for st in &m.states {
                let Some((from, output)) = step_tasks::function_output(ctx, si, st, returns, events) else { continue };
                if !output.is_tainted() {
                    continue;
                }
                let Some(from_site) = ctx.handler_site(from) else { continue };
                for next in &st.next {
                    for to in ctx.first_tasks(si, m, next) {
                        let Some(to_site) = ctx.handler_site(to) else { continue };
                        let hop = Hop {
                            event: "states:task".into(),
                            call: step_tasks::output_name(st),
                            resource: format!("state machine {}, {} -> {}", m.physical_name, st.name, next),
                            from: from_site.clone(),
                            to: to_site,
                            conservative: false,
                        };
                        out.push((to, world.cross(&output, &hop)));
                    }
                }
            }
        }
    }
    out
}

fn collect_findings(world: &World) -> Vec<Finding> {
    let mut grouped: BTreeMap<(Site, String), (String, BTreeSet<Flow>)> = BTreeMap::new();
    for f in &world.findings {
        let flow = Flow { source: world.labels.source_of(f.label).clone(), hops: world.labels.path(f.label) };
        let entry = grouped.entry((f.sink.clone(), f.vulnerability.clone())).or_insert_with(|| (f.callee.clone(), BTreeSet::new()));
        entry.1.insert(flow);
    }
    grouped
        .into_iter()
        .map(|((sink, vulnerability), (callee, flows))| {
            // One flow per source: the one with the fewest hops explains best.
            let mut best: BTreeMap<Source, Flow> = BTreeMap::new();
            for flow in flows {
                match best.get(&flow.source) {
                    Some(b) if b.hops.len() <= flow.hops.len() => {}
                    _ => {
                        best.insert(flow.source.clone(), flow);
                    }
                }
            }
            Finding { vulnerability, callee, sink, flows: best.into_values().collect() }
        })
        .collect()
}
