//! What evaluating a handler's modules left in the interpreter, kept so
//! that a later run starts from a copy instead of evaluating them again
//! (which runs may: the driver's `module_snapshots.rs`).
//!
//! Module code runs before the event arrives, so for one function it does
//! the same in every round, as long as the stores it read still give what
//! they gave (the driver checks them). Its effects on the world (calls,
//! findings, routes) are recorded already and recording them again would
//! change nothing; what it left in the interpreter (module environments,
//! class objects, results of the calls it made, files it wrote) is what a
//! snapshot holds. Evaluating them again was a third of the taint stage of
//! apps whose handlers run in several rounds.

use super::*;

pub(crate) struct Snapshot<'p> {
    modules: Vec<(usize, Rc<Env>)>,
    class_values: HashMap<ClassId, Value>,
    memo: FxHashMap<u64, Vec<Memo>>,
    files: Vec<(SymStr, Taint)>,
    promises: Vec<(&'p Expr, Value)>,
    library_bases: HashMap<ClassId, Vec<String>>,
    signature_headers: BTreeSet<usize>,
}

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// The interpreter between runs of code: no frame, call or module
    /// evaluation under way.
    pub(crate) fn snapshot(&self) -> Snapshot<'p> {
        debug_assert!(self.frames.is_empty() && self.stack.is_empty() && self.modules_in_progress.is_empty());
        Snapshot {
            modules: self.modules.iter().map(|(&file, env)| (file, env.borrow().clone())).collect(),
            class_values: self.class_values.clone(),
            memo: self.memo.clone(),
            files: self.files.clone(),
            promises: self.promises.clone(),
            library_bases: self.library_bases.clone(),
            signature_headers: self.signature_headers.clone(),
        }
    }

    /// Starts from a snapshot: each module environment is copied when this
    /// run first writes to it, so that what it writes to globals stays out
    /// of the next one.
    pub(crate) fn restore(&mut self, s: &Snapshot<'p>) {
        self.modules = s.modules.iter().map(|(file, env)| (*file, Rc::new(RefCell::new(env.clone())))).collect();
        self.class_values = s.class_values.clone();
        self.memo = s.memo.clone();
        self.files = s.files.clone();
        self.promises = s.promises.clone();
        self.library_bases = s.library_bases.clone();
        self.signature_headers = s.signature_headers.clone();
    }
}
