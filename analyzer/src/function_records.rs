//! What the world records per function (its cloud calls, API call sites,
//! IAM requests, unmodelled calls and the web interfaces it serves), taken
//! from one function to be recorded for another that did the same: a twin
//! served by its lead's run (`twins.rs`), or a sibling whose module code
//! starts from a snapshot of another's (`module_snapshots.rs`).

use crate::engine::{CloudCall, FnRef, PermissionUse, UnmodelledCall, World};
use crate::taint::label::Site;

pub(crate) struct FunctionRecords {
    calls: Vec<CloudCall>,
    sites: Vec<(Site, String, String, String)>,
    uses: Vec<PermissionUse>,
    unmodelled: Vec<UnmodelledCall>,
    dispatches: Vec<String>,
}

impl FunctionRecords {
    /// What the world holds for `function`.
    pub fn of(world: &World, function: FnRef) -> Self {
        FunctionRecords {
            calls: world.calls.values().filter(|c| c.caller == Some(function)).cloned().collect(),
            sites: world.api_sites.iter().filter(|s| s.0 == Some(function)).map(|s| (s.1.clone(), s.2.clone(), s.3.clone(), s.4.clone())).collect(),
            uses: world.permission_uses.iter().filter(|u| u.function == function).cloned().collect(),
            unmodelled: world.unmodelled_calls.iter().filter(|u| u.function == function).cloned().collect(),
            dispatches: world.dispatches.iter().filter(|(f, _)| *f == function).map(|(_, i)| i.clone()).collect(),
        }
    }

    /// Whether the world holds anything for `function`.
    pub fn held_by(world: &World, function: FnRef) -> bool {
        world.calls.values().any(|c| c.caller == Some(function))
            || world.api_sites.iter().any(|s| s.0 == Some(function))
            || world.permission_uses.iter().any(|u| u.function == function)
            || world.unmodelled_calls.iter().any(|u| u.function == function)
            || world.dispatches.iter().any(|(f, _)| *f == function)
    }

    /// Records the same for `other`, as if it had made them itself.
    pub fn record_for(&self, world: &mut World, other: FnRef) {
        for call in &self.calls {
            world.record_call(CloudCall { caller: Some(other), ..call.clone() });
        }
        for (site, service, api, resource) in &self.sites {
            world.api_sites.insert((Some(other), site.clone(), service.clone(), api.clone(), resource.clone()));
        }
        for u in &self.uses {
            world.permission_uses.insert(PermissionUse { function: other, ..u.clone() });
        }
        for u in &self.unmodelled {
            world.unmodelled_calls.insert(UnmodelledCall { function: other, ..u.clone() });
        }
        for i in &self.dispatches {
            world.dispatches.insert((other, i.clone()));
        }
    }
}
