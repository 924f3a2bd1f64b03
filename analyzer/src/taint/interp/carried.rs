//! Results of application calls carried from one run of an entry point to
//! its next (which runs may: the driver's `carried_calls.rs`).
//!
//! A handler runs again when a store it reads or its event gained taint,
//! and many of its calls see neither: they get the same arguments and
//! their own store reads give what they gave. Such a call returns what it
//! returned last run, and what it recorded in the world (cloud calls,
//! findings, IAM requests) is recorded already. So a call is carried when
//!
//! * it did not depend on its run's recursion assumptions (the same rule
//!   as the memo of the run);
//! * nothing of the run's own state had changed when it began, and it
//!   changed nothing of it either: no global written, local file written,
//!   allow-list promise made, class defined, signature header read, or
//!   signed source consulted ([`Interp::effect`]). Such state is what a
//!   call may see besides its arguments and the stores;
//!
//! and it answers in a later run while that run has changed none of it
//! either, the calls' own store reads give what they gave, and so do the
//! reads of every module evaluation of the earlier run (the module code
//! the call could see: the driver checks them before the run).
//!
//! The handlers of `dynamoplus` all read and write one table and run again
//! in four rounds after their first: carrying took a fifth off its taint
//! stage. Calls given the data that changed run again, and they are most
//! of what is left.

use std::ops::Range;

use super::*;
use crate::engine::{StoreRead, World};

/// The calls one run carried, with the store reads they stand on.
#[derive(Default)]
pub(crate) struct CarriedCalls {
    /// The store reads of the run, in order: each call's reads are a range.
    reads: Vec<(StoreRead, Value)>,
    /// The ranges of `reads` that the run's module evaluations made.
    module_reads: Vec<Range<usize>>,
    calls: FxHashMap<u64, Vec<CarriedCall>>,
    len: usize,
}

struct CarriedCall {
    id: FuncId,
    /// Calls deeper than the limit are cut short, so a call's result holds
    /// at its own depth.
    depth: usize,
    args: Args,
    receiver: Option<Value>,
    result: (Value, Option<Value>),
    reads: Range<usize>,
}

impl CarriedCalls {
    /// How many calls it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether what the module evaluations of its run read still gives
    /// the same: otherwise module code may have left other globals.
    pub fn module_reads_hold(&self, world: &mut World) -> bool {
        self.module_reads.iter().all(|r| world.reads_give_the_same(&self.reads[r.clone()]))
    }
}

/// The carrying of one run: what the last run carried, and what this one
/// carries for the next.
#[derive(Default)]
pub(super) struct Carrying {
    from: Option<CarriedCalls>,
    to: Option<CarriedCalls>,
    /// Changes made to the run's own state so far (see the module doc).
    effects: u32,
    /// Calls answered from `from`.
    answered: usize,
}

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// Carries calls for the next run, answering calls from `from` (when
    /// the driver found its module reads unchanged). Called once the
    /// entry's module code has run: every store read so far is its.
    pub(crate) fn carry(&mut self, from: Option<CarriedCalls>) {
        let module_reads = vec![0..self.world.run_reads.len()];
        self.carrying.from = from;
        self.carrying.to = Some(CarriedCalls { module_reads, ..CarriedCalls::default() });
    }

    /// How many calls what the last run carried answered.
    pub(crate) fn calls_answered(&self) -> usize {
        self.carrying.answered
    }

    /// What this run carries for the next.
    pub(crate) fn carried(&mut self) -> Option<CarriedCalls> {
        let mut out = self.carrying.to.take()?;
        out.reads = self.world.run_reads.clone();
        Some(out)
    }

    /// The run changed state of its own that a later call may see.
    pub(crate) fn effect(&mut self) {
        self.carrying.effects += 1;
    }

    /// How many changes to the run's own state it made so far.
    pub(crate) fn effects(&self) -> u32 {
        self.carrying.effects
    }

    /// Notes what a module evaluation read, from `from` in the run's reads.
    pub(super) fn note_module_reads(&mut self, from: usize) {
        let range = from..self.world.run_reads.len();
        if let Some(to) = &mut self.carrying.to {
            to.module_reads.push(range.clone());
        }
        self.module_reads.push(range);
    }

    /// The ranges of the world's run reads that module evaluations made.
    pub(crate) fn module_reads(&self) -> &[Range<usize>] {
        &self.module_reads
    }

    /// The result the last run carried for this call, if it still holds;
    /// its store reads then count as this run's.
    pub(super) fn carried_result(&mut self, key: u64, id: FuncId, args: &Args, receiver: &Option<Value>) -> Option<(Value, Option<Value>)> {
        if self.carrying.effects > 0 {
            return None;
        }
        let from = self.carrying.from.as_ref()?;
        let call = from.calls.get(&key)?.iter().find(|c| c.id == id && c.depth == self.stack.len() && c.args == *args && c.receiver == *receiver)?;
        let reads = &from.reads[call.reads.clone()];
        if !self.world.reads_give_the_same(reads) {
            return None;
        }
        let start = self.world.run_reads.len();
        self.world.run_reads.extend(reads.iter().cloned());
        let result = call.result.clone();
        self.carrying.answered += 1;
        self.carry_call(key, id, args, receiver, &result, start);
        Some(result)
    }

    /// Keeps a call's result for the next run, when the run's own state
    /// was and stayed untouched; its reads are those from `reads_from` on.
    pub(super) fn carry_call(&mut self, key: u64, id: FuncId, args: &Args, receiver: &Option<Value>, result: &(Value, Option<Value>), reads_from: usize) {
        if self.carrying.effects > 0 {
            return;
        }
        let Some(to) = &mut self.carrying.to else { return };
        let reads = reads_from..self.world.run_reads.len();
        let call = CarriedCall { id, depth: self.stack.len(), args: args.clone(), receiver: receiver.clone(), result: result.clone(), reads };
        to.calls.entry(key).or_default().push(call);
        to.len += 1;
    }
}
