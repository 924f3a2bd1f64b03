//! Twin handlers: functions that run the same code under the same
//! configuration, differing only in their names and triggers (one handler
//! consuming five queues, deployed as five functions).
//!
//! The interpreter treats labels one by one: a sink reports each label
//! that reaches it, a hop and a sanitizer map each label alone, and what a
//! run does otherwise depends only on the shape of its input (kinds,
//! strings, fields, and which parts carry any taint at all). So when the
//! events of twins have the same shape, one run with their join does what
//! the separate runs would have done together. Only what the world records
//! per function (its calls, IAM requests, unmodelled calls, the web
//! interfaces it serves) is written for the first twin; [`share`] copies it
//! to the others.
//!
//! Functions whose return value goes somewhere (a Lambda destination, a
//! state machine Task) are nobody's twin: each one's return must stay
//! its own.

use crate::engine::{Ctx, FnRef, World};
use crate::function_records::FunctionRecords;
use crate::program::handler::HandlerCode;
use crate::taint::label::SourceKind;
use crate::taint::value::Value;

/// A handler's turn this round: its function, code, event, and the kind of
/// source its trigger makes it.
pub struct Due<'h> {
    pub function: FnRef,
    pub code: &'h HandlerCode,
    pub event: Value,
    pub source: Option<SourceKind>,
}

/// Whether two handlers are twins: the same code, service and
/// configuration, and neither one's return value delivered anywhere.
fn twins(ctx: &Ctx, a: &Due, b: &Due) -> bool {
    a.code == b.code && a.source == b.source && same_configuration(ctx, a.function, b.function) && returns_stay(ctx, a.function) && returns_stay(ctx, b.function)
}

/// Whether two functions run their code alike: the same service, runtime,
/// package, environment and permissions. Module code, which runs before
/// any event, then does the same in both.
pub fn same_configuration(ctx: &Ctx, a: FnRef, b: FnRef) -> bool {
    let ((_, fa), (_, fb)) = (ctx.function(a), ctx.function(b));
    a.service == b.service
        && fa.runtime == fb.runtime
        && fa.code == fb.code
        && fa.environment == fb.environment
        && fa.env_from_files == fb.env_from_files
        && fa.iam == fb.iam
        && fa.managed_policies == fb.managed_policies
        && fa.opaque_role == fb.opaque_role
}

/// Whether nothing reads the function's return value: it has no
/// destination and no state machine runs it as a Task.
fn returns_stay(ctx: &Ctx, f: FnRef) -> bool {
    let (service, func) = ctx.function(f);
    func.destinations.is_empty() && !service.state_machines.iter().flat_map(|m| &m.states).any(|s| s.function.as_deref() == Some(func.name.as_str()))
}

/// The handlers one run serves: `lead`, due now, and those of its twins
/// after it (`later`) not yet run this round that are due now (`due_now`,
/// by index in `later`) with an event of the same shape, which are marked
/// run.
pub fn group<'h>(ctx: &Ctx, lead: Due<'h>, later: &[Due<'h>], ran: &mut [bool], mut due_now: impl FnMut(usize) -> Option<Due<'h>>) -> Vec<Due<'h>> {
    let mut group = vec![lead];
    for (j, other) in later.iter().enumerate() {
        if !ran[j] && twins(ctx, &group[0], other) {
            if let Some(d) = due_now(j).filter(|d| group[0].event.same_shape(&d.event)) {
                group.push(d);
                ran[j] = true;
            }
        }
    }
    group
}

/// Records for each of `others` what the world holds per function for
/// `lead`, as if each had run on its own.
pub fn share(world: &mut World, lead: FnRef, others: &[FnRef]) {
    if others.is_empty() {
        return;
    }
    let records = FunctionRecords::of(world, lead);
    for &other in others {
        records.record_for(world, other);
    }
}
