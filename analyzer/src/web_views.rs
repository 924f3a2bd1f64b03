//! Web frameworks a handler serves (a Flask or FastAPI app behind an
//! adapter such as serverless-wsgi or Mangum): the module that binds the
//! app runs and registers its routes, and each view those routes reach
//! runs with its route's request as attacker input. A traceback in what an
//! HTTP handler or view returns is a finding at the code that made it.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::engine::{Ctx, FnRef, RawFinding, Route, StoreRead, ThreatModel, World};
use crate::program::FuncId;
use crate::taint::interp::{Args, Entry, Interp};
use crate::taint::label::{Source, SourceKind, Taint};
use crate::taint::value::Value;

/// A handler naming a module-level object: the module runs (registering
/// its routes) and, when the object is a web app or an adapter around one,
/// the function's event goes to that interface's views.
pub(crate) fn serve_web_object(ctx: &Ctx, world: &mut World, fr: FnRef, file: usize) {
    let name = ctx.function(fr).1.handler.function.clone();
    let mut interp = Interp::new(ctx, world, Entry { function: Some(fr), main_file: None, route: None, responds_http: false, request: Taint::new() });
    let object = interp.module_env(file).borrow().get(name.as_str()).cloned().unwrap_or_default();
    let made_by = interp.constructed_as(&object);
    drop(interp);
    if let Some(interface) = made_by.iter().find_map(|o| ctx.taint.served_interface(o)) {
        world.dispatches.insert((fr, interface.to_string()));
    }
}

/// Whether a function's event is attacker input under the threat model.
fn event_is_input(ctx: &Ctx, fr: FnRef) -> bool {
    let events = &ctx.function(fr).1.events;
    events.iter().any(|e| ctx.taint.trigger_source(e.trigger.name()).is_some())
        || (ctx.opts.threat_model == ThreatModel::AllEvents && !events.is_empty())
}

/// Runs every view an adapter of an input-carrying function reaches, with
/// the request its route receives, and returns what each view that ran
/// read. Views in `done` are skipped: the caller takes out those whose
/// reads changed, the only input a view's run depends on besides its
/// request.
pub(crate) fn run_views(ctx: &Ctx, world: &mut World, done: &mut BTreeSet<(FnRef, FuncId)>) -> Vec<((FnRef, FuncId), Vec<(StoreRead, Value)>)> {
    let mut out = Vec::new();
    let dispatches: Vec<(FnRef, String)> = world.dispatches.iter().filter(|(fr, _)| event_is_input(ctx, *fr)).cloned().collect();
    for (fr, interface) in dispatches {
        let views: Vec<Route> = world.routes.values().filter(|r| r.interface == interface && !done.contains(&(fr, r.func))).cloned().collect();
        if views.is_empty() {
            continue;
        }
        // One interpreter for all views: the modules they import are
        // evaluated once.
        world.run_reads.clear();
        let mut interp = Interp::new(ctx, world, Entry { function: Some(fr), main_file: None, route: None, responds_http: true, request: Taint::new() });
        // What a view stands on besides its own reads: the module code run
        // so far, and the views before it that changed state it may see.
        // Counting every earlier view's reads as its own ran all the views
        // after one whose store changed again.
        let mut seen_by_later: Vec<Range<usize>> = Vec::new();
        for view in views {
            done.insert((fr, view.func));
            let what = view.what();
            let label = interp.world.labels.source(Source::input(SourceKind::Http, view.site.clone(), what.clone()));
            let request: Taint = std::iter::once(label).collect();
            let def = ctx.index.func(view.func).def;
            let params = &def.parameters;
            let kw = params
                .posonlyargs
                .iter()
                .chain(&params.args)
                .chain(&params.kwonlyargs)
                .map(|p| p.parameter.name.to_string())
                .filter(|n| view.input_parameters.as_ref().is_none_or(|named| named.contains(n)))
                .map(|n| (n, Value::tainted(request.clone())))
                .collect();
            interp.enter_view(view.site.clone(), what);
            let (from, effects) = (interp.world.run_reads.len(), interp.effects());
            let (ret, _) = interp.call_function(view.func, Args { kw, ..Args::default() }, None);
            traceback_findings(interp.world, &request, &ret);
            let own = from..interp.world.run_reads.len();
            let run_reads = &interp.world.run_reads;
            let view_reads = seen_by_later.iter().chain(interp.module_reads()).chain([&own]).flat_map(|r| run_reads[r.clone()].iter().cloned()).collect();
            out.push(((fr, view.func), view_reads));
            if interp.effects() != effects {
                seen_by_later.push(own);
            }
        }
    }
    out
}

/// Traceback text in an HTTP response: the finding sits where the text is
/// produced, its source is the HTTP handler.
pub(crate) fn traceback_findings(world: &mut World, http: &Taint, ret: &Value) {
    let Some(&http_label) = http.iter().next() else { return };
    for l in ret.deep_taint() {
        let src = world.labels.source_of(l).clone();
        if src.kind != SourceKind::Traceback {
            continue;
        }
        world.findings.insert(RawFinding {
            sink: src.site.clone(),
            vulnerability: "traceback-leakage".into(),
            callee: src.what.clone(),
            label: http_label,
        });
    }
}

