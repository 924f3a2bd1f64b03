//! Which calls a handler run may take from the last run of the same entry
//! (`taint/interp/carried.rs` says when a call is carried).
//!
//! A run carries its calls for the next run of the same lead function
//! with the same request, provided the module code of the two runs is the
//! same: its store reads give what they gave. First runs carry nothing:
//! most handlers of a large app run once, and carrying their calls made
//! the generated 825k-line app's taint stage a third slower and held 40 MB
//! more. The calls held over all entries are bounded too.

use std::collections::{HashMap, HashSet};

use crate::engine::{FnRef, World};
use crate::taint::interp::{CarriedCalls, Entry, Interp};
use crate::taint::label::Taint;

/// Calls held for the next runs, over all entries.
const MAX_CARRIED_CALLS: usize = 100_000;

#[derive(Default)]
pub(crate) struct Carried {
    by_function: HashMap<FnRef, ((bool, Taint), CarriedCalls)>,
    held: usize,
    ran: HashSet<FnRef>,
}

impl Carried {
    /// Prepares a run of `entry` once its module code has run: it carries
    /// calls from its function's second run on, and takes those its last
    /// run carried when they may serve.
    pub fn start(&mut self, interp: &mut Interp, entry: &Entry) {
        let Some(function) = entry.function else { return };
        if self.ran.insert(function) {
            return;
        }
        let from = self.take(interp.world, function, entry);
        interp.carry(from);
    }

    fn take(&mut self, world: &mut World, function: FnRef, entry: &Entry) -> Option<CarriedCalls> {
        let ((responds_http, request), calls) = self.by_function.remove(&function)?;
        self.held -= calls.len();
        let same_entry = responds_http == entry.responds_http && request == entry.request;
        (same_entry && calls.module_reads_hold(world)).then_some(calls)
    }

    /// Holds what a run of `entry` carried, within the bound.
    pub fn keep(&mut self, entry: &Entry, calls: CarriedCalls) {
        let Some(function) = entry.function else { return };
        if self.held + calls.len() > MAX_CARRIED_CALLS {
            return;
        }
        self.held += calls.len();
        self.by_function.insert(function, ((entry.responds_http, entry.request.clone()), calls));
    }
}
