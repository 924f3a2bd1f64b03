//! Which snapshot of module code (`taint/interp/snapshot.rs`) a handler run
//! starts from, instead of evaluating its modules again.
//!
//! A run of a function starts from what its own module code left the last
//! time, when the stores that code read still give what they gave. Those
//! snapshots are kept from a function's second run on: most handlers of a
//! large app run once, and keeping one from every first run held a copy of
//! every module per function (a generated app of 825k lines went from 349
//! to 477 MB).
//!
//! The first run of a function may start from the first run of another
//! deployed from the same handler module with the same configuration
//! (`twins::same_configuration`): module code runs before any event, so it
//! does the same for both. What it recorded for the function it ran as
//! (a call, an IAM request...) is recorded for the other as its own
//! (`function_records.rs`): the 37 handlers of `minerva-cloud`'s db
//! service, whose module reads its database settings from SSM, evaluated
//! it 37 times. First runs are kept only for functions that have such a
//! sibling: keeping all of them held the modules of every handler of the
//! generated app (332 -> 461 MB).

use std::collections::{HashMap, HashSet};

use crate::engine::{Ctx, FnRef, StoreRead};
use crate::function_records::FunctionRecords;
use crate::taint::interp::{Interp, Snapshot};
use crate::taint::value::Value;
use crate::twins;

type Reads = Vec<(StoreRead, Value)>;

pub(crate) struct ModuleSnapshots<'p> {
    /// Per function that ran: its own snapshot, once it ran twice.
    own: HashMap<FnRef, Option<(Snapshot<'p>, Reads)>>,
    /// From first runs, by function and handler module, with what the
    /// module code recorded for the function.
    shared: Vec<(FnRef, usize, Snapshot<'p>, Reads, FunctionRecords)>,
    /// Functions with a sibling: another handler in the same module with
    /// the same configuration. Only their first runs are kept for sharing
    /// (keeping every first run held a copy of every module per function).
    with_siblings: HashSet<FnRef>,
}

impl<'p> ModuleSnapshots<'p> {
    /// For the app's handlers, each with its handler module.
    pub fn new(ctx: &Ctx, handlers: impl Iterator<Item = (FnRef, usize)>) -> Self {
        let mut by_module: HashMap<usize, Vec<FnRef>> = HashMap::new();
        for (function, file) in handlers {
            by_module.entry(file).or_default().push(function);
        }
        let with_siblings = by_module
            .values()
            .flat_map(|fs| fs.iter().filter(|f| fs.iter().any(|g| g != *f && twins::same_configuration(ctx, **f, *g))))
            .copied()
            .collect();
        ModuleSnapshots { own: HashMap::new(), shared: Vec::new(), with_siblings }
    }

    /// Prepares a run of `function`'s handler, whose module is `file`:
    /// restores a snapshot that holds, or evaluates the module code.
    /// Returns whether a snapshot served.
    pub fn start(&mut self, ctx: &Ctx, interp: &mut Interp<'_, '_, 'p>, function: FnRef, file: usize) -> bool {
        let first = match self.own.get(&function) {
            Some(Some((snapshot, reads))) if interp.world.reads_unchanged(Some(reads)) => {
                restore(interp, snapshot, reads);
                return true;
            }
            ran => ran.is_none(),
        };
        let shares = first && self.with_siblings.contains(&function);
        if shares {
            let sibling = self.shared.iter().position(|(owner, f, _, reads, _)| *f == file && twins::same_configuration(ctx, *owner, function) && interp.world.reads_unchanged(Some(reads)));
            if let Some(i) = sibling {
                let (_, _, snapshot, reads, made) = &self.shared[i];
                restore(interp, snapshot, reads);
                made.record_for(interp.world, function);
                self.own.insert(function, None);
                return true;
            }
        }
        // What the module code records for the function is told apart from
        // what the function held before only when it held nothing (a twin
        // served by another's run holds that run's records).
        let fresh = shares && !FunctionRecords::held_by(interp.world, function);
        let signed = interp.world.signed_sources.len();
        interp.module_env(file);
        if fresh && interp.world.signed_sources.len() == signed {
            // Replaces one whose store reads have changed.
            self.shared.retain(|(owner, f, ..)| !(*f == file && twins::same_configuration(ctx, *owner, function)));
            let made = FunctionRecords::of(interp.world, function);
            self.shared.push((function, file, interp.snapshot(), interp.world.run_reads.clone(), made));
        }
        let kept = (!first).then(|| (interp.snapshot(), interp.world.run_reads.clone()));
        self.own.insert(function, kept);
        false
    }
}

/// Starts from a snapshot, and counts the reads its module code made as the
/// run's own.
fn restore<'p>(interp: &mut Interp<'_, '_, 'p>, snapshot: &Snapshot<'p>, reads: &Reads) {
    interp.restore(snapshot);
    interp.world.run_reads.extend(reads.iter().cloned());
}
