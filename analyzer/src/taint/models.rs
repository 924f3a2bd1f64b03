//! Sources, sinks and sanitizers, read from the declarative model files in
//! `analyzer/models/` (built into the binary) and from any extra model
//! folder a user passes, so that adding a sink is a data change.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use crate::catalog::Trigger;

use super::label::SourceKind;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkModel {
    pub vulnerability: String,
    pub callees: Vec<String>,
    #[serde(default)]
    pub args: Vec<usize>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub receiver: bool,
    #[serde(default)]
    pub condition: Option<Condition>,
    #[serde(default)]
    pub report_as: Option<String>,
}

/// Checks that only code can make: what the call's other arguments say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// subprocess: `shell=True`, or a command given as one string.
    Shell,
    /// yaml.load without SafeLoader / CSafeLoader / BaseLoader.
    YamlUnsafe,
    /// An HTTP request whose scheme and host the code does not fix: with
    /// `https://api.example.org/` + data the attacker picks a path on a
    /// server the developer chose, not the server.
    UrlHostOpen,
    /// An HTTP request to a host the code names that is not the service a
    /// secret belongs to (`STRIPE_SECRET_KEY` sent to `hooks.slack.com`);
    /// decided for each secret, by its variable's name.
    ForeignHost,
    /// A file-system path that does not start with the name of a file the
    /// code created (`[[created_file]]`): past such a name, whatever
    /// follows names a file beside it or a path under a file, which no
    /// call can open, so the caller cannot reach another file.
    PathOpen,
}

/// Values that are the name of a file the code has just created:
/// `tempfile.mkstemp()[1]`, `tempfile.NamedTemporaryFile().name`. A value
/// is a call path followed by `[N]` (the call returns a tuple and this is
/// its element N) or an attribute path.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatedFileModel {
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SanitizerModel {
    #[serde(default)]
    pub callees: Vec<String>,
    /// Methods, by name, whose result is safe whatever the receiver
    /// (only date and time objects have `strftime`); their arguments'
    /// taint stays.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Vulnerability classes the result is safe for; `*` = all.
    pub vulnerabilities: Vec<String>,
    /// Only the arguments are made safe, as bound parameters are
    /// (`Key(name).eq(value)`): the receiver's taint stays in the result.
    #[serde(default)]
    pub arguments_only: bool,
    /// The call raises unless its first argument is safe, so the argument
    /// itself is clean after it (`taint/calls.rs`, `validated_argument`).
    #[serde(default)]
    pub validates: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerSource {
    pub triggers: Vec<Trigger>,
    pub kind: String,
    /// The event field holding a route's path parameters, which the
    /// trigger leaves null when no route of the function declares one
    /// (`GET /` has none, `GET /{file}` has `file`).
    #[serde(default)]
    pub route_parameters: Option<String>,
}

/// A library call that runs a function it is given (`taint/calls.rs`,
/// `callback`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackModel {
    pub callees: Vec<String>,
    /// Position of the function among the arguments.
    #[serde(default)]
    pub function: usize,
    /// Keyword that may name the function instead (`target`).
    #[serde(default)]
    pub keyword: Option<String>,
    pub pass: Pass,
}

/// What a callback call hands the function it runs.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Pass {
    /// Nothing yet: the call returns the function (`joblib.delayed(f)`),
    /// called later with its arguments.
    Itself,
    /// The arguments after the function, keywords included
    /// (`executor.submit(f, x, y=1)`).
    Rest,
    /// Each element of the iterables after the function (`pool.map(f, xs)`).
    Each,
    /// The `args` tuple and `kwargs` dict (`Thread(target=f, args=(x,))`).
    ArgsKeyword,
    /// Values of the library's own, later (a bot's handler, called with
    /// each update): the function runs now, with arguments made of the
    /// request the running handler received (a webhook's update), and the
    /// call gives the library's object.
    Later,
}

/// A platform that signs its requests (see `taint/signed.rs`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedRequestModel {
    pub platform: String,
    /// Headers carrying the signature, matched without regard to case.
    pub headers: Vec<String>,
    /// Digest comparisons: they verify the request in a run that read one
    /// of `headers`.
    #[serde(default)]
    pub checks: Vec<String>,
    /// Library calls that verify a request on their own.
    #[serde(default)]
    pub verifiers: Vec<String>,
    /// Globs on the module of a call from outside the app: a module named
    /// for checking the platform's signature (a team's validator shared
    /// as a Lambda layer) verifies the request it is given.
    #[serde(default)]
    pub verifier_modules: Vec<String>,
    /// Fields the platform writes itself.
    pub fields: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceModel {
    pub kind: String,
    #[serde(default)]
    pub attributes: Vec<String>,
    #[serde(default)]
    pub callees: Vec<String>,
    /// Calls returning an object each of whose attributes is input
    /// (argparse's `Namespace`).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Only in code run from a script's `if __name__ == "__main__":`.
    #[serde(default)]
    pub only_in_main: bool,
    /// The result is secret material, not attacker input (see
    /// `label::SECRET_CLASS`).
    #[serde(default)]
    pub secret: bool,
}

/// What a call that is a source returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceCall {
    pub kind: SourceKind,
    /// A namespace each of whose attributes is one input.
    pub namespace: bool,
    pub secret: bool,
}

/// A call that returns its first argument's string, shape kept; or one
/// whose result reveals the secret material it is given.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropagatorModel {
    #[serde(default)]
    pub callees: Vec<String>,
    /// Methods of the values themselves (`str.encode`), by name.
    #[serde(default)]
    pub methods: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    #[serde(default)]
    propagator: Vec<PropagatorModel>,
    #[serde(default)]
    secret_propagator: Vec<PropagatorModel>,
    #[serde(default)]
    codec: Vec<PropagatorModel>,
    #[serde(default)]
    callback: Vec<CallbackModel>,
    #[serde(default)]
    sink: Vec<SinkModel>,
    #[serde(default)]
    sanitizer: Vec<SanitizerModel>,
    #[serde(default)]
    source: Vec<SourceModel>,
    #[serde(default)]
    trigger: Vec<TriggerSource>,
    #[serde(default)]
    signed_request: Vec<SignedRequestModel>,
    #[serde(default)]
    framework: Vec<FrameworkModel>,
    #[serde(default)]
    adapter: Vec<AdapterModel>,
    #[serde(default)]
    created_file: Vec<CreatedFileModel>,
}

/// Every model that names one dotted call path, looked up once: a real
/// app makes the same library calls thousands of times, and matching each
/// against every glob pattern was a tenth of the taint stage.
#[derive(Debug, Default)]
pub struct CallModels {
    pub sinks: Vec<SinkModel>,
    pub sanitizer: Option<SanitizerModel>,
    pub keeps_string: bool,
    /// An encoding or decoding: the text changes, the JSON document it
    /// carries does not.
    pub keeps_document: bool,
    pub callback: Option<CallbackModel>,
    pub reveals_secret: bool,
    /// What the call returns as a source, in library code and in a
    /// script's `__main__` block.
    pub source: Option<SourceCall>,
    pub source_in_main: Option<SourceCall>,
    pub adapter: Option<String>,
    /// The call returns a tuple whose element N is the name of a file it
    /// created (`tempfile.mkstemp`).
    pub created_file_element: Option<i64>,
    /// A model names the path exactly (`TaintModels::names_exactly`).
    pub named_exactly: bool,
}

/// Lookups made so far; a clone of the models starts afresh.
#[derive(Debug, Default)]
struct LookupCache(Mutex<HashMap<String, Arc<CallModels>>>);

impl Clone for LookupCache {
    fn clone(&self) -> Self {
        LookupCache::default()
    }
}

#[derive(Clone, Debug, Default)]
pub struct TaintModels {
    pub sinks: Vec<SinkModel>,
    pub sanitizers: Vec<SanitizerModel>,
    pub sources: Vec<SourceModel>,
    pub triggers: Vec<TriggerSource>,
    pub signed_requests: Vec<SignedRequestModel>,
    pub propagators: Vec<PropagatorModel>,
    pub secret_propagators: Vec<PropagatorModel>,
    pub codecs: Vec<PropagatorModel>,
    pub callbacks: Vec<CallbackModel>,
    pub frameworks: Vec<FrameworkModel>,
    pub adapters: Vec<AdapterModel>,
    pub created_files: Vec<CreatedFileModel>,
    cache: LookupCache,
}

const BUILTIN: &[(&str, &str)] = &[
    ("sinks.toml", include_str!("../../models/sinks.toml")),
    ("sanitizers.toml", include_str!("../../models/sanitizers.toml")),
    ("sources.toml", include_str!("../../models/sources.toml")),
    ("propagators.toml", include_str!("../../models/propagators.toml")),
    ("web_frameworks.toml", include_str!("../../models/web_frameworks.toml")),
];

impl TaintModels {
    pub fn builtin() -> TaintModels {
        let mut m = TaintModels::default();
        for (name, text) in BUILTIN {
            m.add_text(name, text).expect("built-in model files parse");
        }
        m
    }

    /// Adds the rows of one model file (`[[sink]]`, `[[sanitizer]]`,
    /// `[[source]]`, `[[codec]]`, `[[trigger]]`, `[[framework]]`, `[[adapter]]`,
    /// `[[created_file]]`).
    pub fn add_text(&mut self, name: &str, text: &str) -> Result<(), String> {
        let file: ModelFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        for s in &file.source {
            if SourceKind::parse(&s.kind).is_none() {
                return Err(format!("{name}: unknown source kind {:?}", s.kind));
            }
        }
        for t in &file.trigger {
            if SourceKind::parse(&t.kind).is_none() {
                return Err(format!("{name}: unknown source kind {:?}", t.kind));
            }
        }
        self.sinks.extend(file.sink);
        self.sanitizers.extend(file.sanitizer);
        self.sources.extend(file.source);
        self.triggers.extend(file.trigger);
        self.signed_requests.extend(file.signed_request);
        self.propagators.extend(file.propagator);
        self.secret_propagators.extend(file.secret_propagator);
        self.codecs.extend(file.codec);
        self.callbacks.extend(file.callback);
        self.frameworks.extend(file.framework);
        self.adapters.extend(file.adapter);
        self.created_files.extend(file.created_file);
        self.cache = LookupCache::default();
        self.check_web().map_err(|e| format!("{name}: {e}"))
    }

    pub fn add_file(&mut self, path: &Path) -> Result<(), String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        self.add_text(&path.display().to_string(), &text)
    }

    /// Every model of a call path (cached).
    pub fn call_models(&self, path: &str) -> Arc<CallModels> {
        let mut cache = self.cache.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = cache.get(path) {
            return m.clone();
        }
        let m = Arc::new(CallModels {
            sinks: self.sinks_for(path).cloned().collect(),
            sanitizer: self.sanitizer(path).cloned(),
            keeps_string: self.keeps_string(path),
            keeps_document: self.codecs.iter().any(|p| p.callees.iter().any(|c| glob(c, path))),
            callback: self.callbacks.iter().find(|c| c.callees.iter().any(|p| glob(p, path))).cloned(),
            reveals_secret: self.reveals_secret(path),
            source: self.source_call(path, false),
            source_in_main: self.source_call(path, true),
            adapter: self.adapter(path).map(str::to_string),
            created_file_element: self.created_file_element(path),
            named_exactly: self.names_exactly(path),
        });
        cache.insert(path.to_string(), m.clone());
        m
    }

    pub fn sinks_for<'s>(&'s self, callee: &'s str) -> impl Iterator<Item = &'s SinkModel> + 's {
        self.sinks.iter().filter(move |s| s.callees.iter().any(|p| glob(p, callee)))
    }

    /// The sanitizer model of a call, if it is one.
    pub fn sanitizer(&self, callee: &str) -> Option<&SanitizerModel> {
        self.sanitizers.iter().find(|s| s.callees.iter().any(|p| glob(p, callee)))
    }

    /// The sanitizer model of a method, by its name.
    pub fn method_sanitizer(&self, method: &str) -> Option<&SanitizerModel> {
        self.sanitizers.iter().find(|s| s.methods.iter().any(|m| m == method))
    }

    pub fn keeps_string(&self, callee: &str) -> bool {
        self.propagators.iter().any(|p| p.callees.iter().any(|c| glob(c, callee)))
    }

    /// Whether a model names this dotted path exactly (not by a pattern):
    /// such a library call is taken by its model even where the library's
    /// code lies in the application's tree.
    fn names_exactly(&self, path: &str) -> bool {
        let exact = |p: &String| p == path;
        self.sinks.iter().any(|s| s.callees.iter().any(exact))
            || self.sanitizers.iter().any(|s| s.callees.iter().any(exact))
            || self.sources.iter().any(|s| s.callees.iter().chain(&s.namespaces).any(exact))
            || self.propagators.iter().chain(&self.secret_propagators).any(|p| p.callees.iter().any(exact))
    }

    /// Whether a method called on a secret (`.encode()`, `.strip()`)
    /// returns it still.
    pub fn method_reveals_secret(&self, method: &str) -> bool {
        self.secret_propagators.iter().any(|p| p.methods.iter().any(|m| m == method))
    }

    /// Whether a method of text (`.encode()`) gives back the JSON document
    /// its receiver carries.
    pub fn method_keeps_document(&self, method: &str) -> bool {
        self.codecs.iter().any(|p| p.methods.iter().any(|m| m == method))
    }

    /// Whether a library call's result reveals the secret given to it.
    pub fn reveals_secret(&self, callee: &str) -> bool {
        self.secret_propagators.iter().any(|p| p.callees.iter().any(|c| glob(c, callee)))
    }

    /// What a call returns when it is a source.
    pub fn source_call(&self, callee: &str, in_main: bool) -> Option<SourceCall> {
        self.sources.iter().filter(|s| in_main || !s.only_in_main).find_map(|s| {
            let namespace = s.namespaces.iter().any(|p| glob(p, callee));
            (namespace || s.callees.iter().any(|p| glob(p, callee)))
                .then(|| SourceKind::parse(&s.kind).map(|kind| SourceCall { kind, namespace, secret: s.secret }))
                .flatten()
        })
    }

    pub fn source_attribute(&self, path: &str, in_main: bool) -> Option<SourceKind> {
        self.sources
            .iter()
            .filter(|s| in_main || !s.only_in_main)
            .find(|s| s.attributes.iter().any(|p| p == path))
            .and_then(|s| SourceKind::parse(&s.kind))
    }

    fn created_file_values(&self) -> impl Iterator<Item = &str> {
        self.created_files.iter().flat_map(|m| m.values.iter().map(String::as_str))
    }

    /// The element of the call's result that names the file it created.
    fn created_file_element(&self, callee: &str) -> Option<i64> {
        self.created_file_values().find_map(|v| v.strip_prefix(callee)?.strip_prefix("()[")?.strip_suffix(']')?.parse().ok())
    }

    /// Whether an attribute path (`tempfile.NamedTemporaryFile().name`)
    /// is the name of a file the code created.
    pub fn names_created_file(&self, path: &str) -> bool {
        self.created_file_values().any(|v| v == path)
    }

    pub fn trigger_source(&self, trigger: &str) -> Option<SourceKind> {
        self.trigger_model(trigger).and_then(|t| SourceKind::parse(&t.kind))
    }

    pub fn trigger_model(&self, trigger: &str) -> Option<&TriggerSource> {
        self.triggers.iter().find(|t| t.triggers.iter().any(|n| n.name() == trigger))
    }
}

/// A web framework (`models/web_frameworks.toml`): what constructs its
/// router, which decorators register views, what fills their parameters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkModel {
    pub name: String,
    pub interface: String,
    pub routers: Vec<String>,
    pub decorators: Vec<String>,
    pub default_method: String,
    pub parameters: Parameters,
    #[serde(default)]
    pub request: Vec<String>,
}

/// Which parameters of a view the framework fills from the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Parameters {
    /// Those the route's path names.
    Path,
    /// All of them (path, query string, body, headers).
    All,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterModel {
    pub interface: String,
    pub callees: Vec<String>,
}

impl TaintModels {
    /// The framework whose router a constructed object (`flask.Flask()`) is.
    pub fn router(&self, object: &str) -> Option<&FrameworkModel> {
        self.frameworks.iter().find(|f| f.routers.iter().any(|p| glob(p, object)))
    }

    /// The interface whose views a call hands the event to, if it is an
    /// adapter.
    pub fn adapter(&self, callee: &str) -> Option<&str> {
        self.adapters.iter().find(|a| a.callees.iter().any(|p| glob(p, callee))).map(|a| a.interface.as_str())
    }

    /// Whether an attribute path is the current request of a framework.
    pub fn is_request(&self, path: &str) -> bool {
        self.frameworks.iter().any(|f| f.request.iter().any(|p| glob(p, path)))
    }

    /// The interface a module-level object serves when a deployment file
    /// names it as the handler: an app (`app = Chalice(...)`, a Flask app
    /// named by serverless-wsgi) or an adapter around one
    /// (`handler = Mangum(app)`).
    pub fn served_interface(&self, object: &str) -> Option<&str> {
        if let Some(f) = self.router(object) {
            return Some(&f.interface);
        }
        self.adapter(object.strip_suffix("()")?)
    }

    pub fn check_web(&self) -> Result<(), String> {
        for a in &self.adapters {
            if !self.frameworks.iter().any(|f| f.interface == a.interface) {
                return Err(format!("adapter for interface {:?}: no framework has that interface", a.interface));
            }
        }
        Ok(())
    }
}

/// Glob match of a model pattern against a dotted callee path.
pub fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == text;
    }
    crate::sym::glob_literal(pattern, text, false) == crate::sym::Truth::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_models_load_and_match() {
        let m = TaintModels::builtin();
        assert_eq!(m.sinks_for("os.system").next().unwrap().vulnerability, "code-injection");
        assert!(m.sinks_for("pymysql.connect().cursor().execute").any(|s| s.vulnerability == "sql-injection"));
        assert_eq!(m.sanitizer("shlex.quote").unwrap().vulnerabilities, ["code-injection"]);
        assert_eq!(m.source_call("argparse.ArgumentParser().parse_args", true), Some(SourceCall { kind: SourceKind::Cli, namespace: true, secret: false }));
        assert_eq!(m.source_call("argparse.ArgumentParser().parse_args", false), None);
        assert_eq!(m.trigger_source("http-api"), Some(SourceKind::Http));
        assert_eq!(m.trigger_source("s3"), None);
    }

    #[test]
    fn a_model_file_adds_a_sink() {
        let mut m = TaintModels::builtin();
        assert!(m.sinks_for("fabric.Connection().run").next().is_none());
        m.add_text("extra.toml", "[[sink]]\nvulnerability = \"code-injection\"\ncallees = [\"fabric.Connection().run\"]\nargs = [0]\n")
            .unwrap();
        assert!(m.sinks_for("fabric.Connection().run").next().is_some());
    }

    #[test]
    fn bad_model_files_are_rejected_with_their_name() {
        let err = TaintModels::default().add_text("bad.toml", "[[sink]]\nvulnerability = 1\n").unwrap_err();
        assert!(err.starts_with("bad.toml"), "{err}");
    }
}
