//! Signed requests: a platform (Slack, ...) signs what it sends with a
//! secret it shares with the app, and a handler that checks the signature
//! before going on knows the request came from the platform. The fields the
//! platform writes itself (Slack's `response_url`) are then not attacker
//! input; what its users typed (`text`) still is.
//!
//! A request counts as verified once its run has read one of the
//! platform's signature headers and compared a digest (`hmac.compare_digest`),
//! or called a library verifier of the platform; the fields are cleared
//! wherever the request's data goes next, through queues and invocations.

use crate::taint::interp::{Args, Interp};
use crate::taint::models::glob;
use crate::taint::value::{Key, Value};

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// A field read by name from request data: notes a signature header,
    /// and clears a field the platform writes once it verified the request.
    pub fn signed_field(&mut self, key: &Key, mut v: Value) -> Value {
        let Key::Item(name) = key else { return v };
        let models = &self.ctx.taint.signed_requests;
        for (i, m) in models.iter().enumerate() {
            if m.headers.iter().any(|h| h.eq_ignore_ascii_case(name)) && v.taint.iter().any(|l| self.entry.request.contains(l)) && self.signature_headers.insert(i) {
                self.effect();
            }
        }
        if !models.iter().any(|m| m.fields.iter().any(|f| **f == **name)) || self.world.signed_sources.is_empty() {
            return v;
        }
        // What other runs verified decides what this read gives.
        self.effect();
        let labels = &self.world.labels;
        let signed = &self.world.signed_sources;
        v.retain_labels(&mut |l| {
            let platforms = signed.get(&labels.get(l).source);
            !platforms.is_some_and(|ps| ps.iter().any(|&p| models[p].fields.iter().any(|f| **f == **name)))
        });
        v
    }

    /// A library call that may verify the running request's signature.
    pub fn note_verifier(&mut self, path: &str, args: &Args) {
        if self.entry.request.is_empty() {
            return;
        }
        let models = &self.ctx.taint.signed_requests;
        if models.iter().any(|m| m.checks.iter().any(|c| c == path)) {
            // Whether this verifies stands on a header read earlier.
            self.effect();
        }
        // `slack_signature_validator.check(event)`: a plain function of a
        // module, given the request.
        let module = path.rsplit_once('.').map(|(m, _)| m).filter(|m| !m.contains("()"));
        let given_request = || args.all_taint().iter().any(|l| self.entry.request.contains(l));
        let verified: Vec<usize> = (0..models.len())
            .filter(|&i| {
                models[i].verifiers.iter().any(|c| c == path)
                    || (models[i].checks.iter().any(|c| c == path) && self.signature_headers.contains(&i))
                    || (module.is_some_and(|m| models[i].verifier_modules.iter().any(|g| glob(g, m))) && given_request())
            })
            .collect();
        for platform in verified {
            for &l in &self.entry.request {
                let source = self.world.labels.get(l).source;
                self.world.signed_sources.entry(source).or_default().insert(platform);
            }
        }
    }
}
