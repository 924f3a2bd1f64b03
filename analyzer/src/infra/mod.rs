//! The infrastructure model: every deployment file of an application read
//! and resolved the way AWS would deploy it. Later stages ask it which
//! handler runs on which trigger, with which environment and permissions.
//!
//! Entry points: [`load`] (all files, or those chosen with `--config`),
//! [`render_text`] for people, and the permission query
//! [`model::Function::allows`] with ARNs from [`crate::names::arn_of`] /
//! [`iam::s3_object_arn`].

pub mod apigateway;
pub mod cfn;
pub mod discover;
pub mod function_refs;
pub mod iam;
pub mod include;
pub mod model;
pub mod plugins;
pub mod policy;
pub mod resolve;
pub mod sam;
pub mod serverless;
pub mod yaml;

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::exclude::Exclude;
use model::{DeploymentFile, Diagnostic, Handler, InfraModel, InfraOptions, Service};

pub use iam::{s3_object_arn, IamOptions};

/// Reads every deployment file of `app_dir` that `exclude` keeps, or only
/// the `chosen` ones (relative to `app_dir` or absolute; named files are
/// read even when excluded). Never fails: problems become diagnostics.
pub fn load(app_dir: &Path, chosen: &[PathBuf], exclude: &Exclude, opts: &InfraOptions) -> InfraModel {
    let files = if chosen.is_empty() {
        discover::discover(app_dir, exclude)
    } else {
        chosen
            .iter()
            .map(|c| {
                let path = if c.is_absolute() { c.clone() } else { app_dir.join(c) };
                let relative = match path.strip_prefix(app_dir) {
                    Ok(_) => discover::relative(app_dir, &path),
                    Err(_) => path.to_string_lossy().to_string(),
                };
                DeploymentFile { relative, path }
            })
            .collect()
    };
    let mut model = InfraModel::default();
    let loaded = crate::parallel::map_ordered(&files, crate::parallel::DEEP_STACK, |f| load_file(f, opts));
    for (f, loaded) in files.iter().zip(loaded) {
        match loaded.unwrap_or_else(|| Err(Diagnostic { file: f.relative.clone(), line: 0, message: "the loading thread failed".into() })) {
            Ok(s) => model.services.push(s),
            Err(d) => model.diagnostics.push(d),
        }
    }
    model
}

/// One deployment file; an error when it cannot be read or parsed at all.
pub fn load_file(f: &DeploymentFile, opts: &InfraOptions) -> Result<Service, Diagnostic> {
    let text = std::fs::read_to_string(&f.path)
        .map_err(|e| Diagnostic { file: f.relative.clone(), line: 0, message: format!("cannot read: {e}") })?;
    load_text(f, &text, opts)
}

pub fn load_text(f: &DeploymentFile, text: &str, opts: &InfraOptions) -> Result<Service, Diagnostic> {
    let is_json = f.relative.ends_with(".json");
    let raw = yaml::load_file_text(text, is_json)
        .map_err(|e| Diagnostic { file: f.relative.clone(), line: e.line, message: format!("invalid YAML: {}", e.message) })?;
    let name = f.relative.rsplit('/').next().unwrap_or(&f.relative);
    let serverless = discover::is_serverless_name(name)
        || (raw.get("service").is_some() && raw.get("Resources").is_none());
    Ok(if serverless { serverless::load(f, &raw, opts) } else { sam::load(f, &raw, opts) })
}

/// `handlers/http.onPost` under `prefix` (`svc/`, `src/`): file
/// `prefix + handlers/http.py`, module `handlers.http` (Lambda imports it
/// from the code root, so the prefix is not part of the module).
pub fn handler_from(prefix: &str, handler: &str) -> Handler {
    let (module_path, function) = match handler.rfind('.') {
        Some(i) => (&handler[..i], &handler[i + 1..]),
        None => (handler, ""),
    };
    let module_path = module_path.trim_start_matches("./");
    let file_path = if module_path.contains('/') { module_path.to_string() } else { module_path.replace('.', "/") };
    Handler {
        file: format!("{prefix}{file_path}.py"),
        function: function.to_string(),
        module: file_path.replace('/', "."),
    }
}

/// The model for people: one block per service.
pub fn render_text(m: &InfraModel) -> String {
    let mut o = String::new();
    for s in &m.services {
        let _ = writeln!(
            o,
            "{} ({:?}{}) service {} region {} stage {}",
            s.file,
            s.framework,
            s.framework_version.as_deref().map(|v| format!(" {v}")).unwrap_or_default(),
            s.name.as_deref().unwrap_or("?"),
            s.provider.region,
            s.provider.stage
        );
        if !s.plugins.is_empty() {
            let _ = writeln!(o, "  plugins: {}", s.plugins.join(", "));
        }
        for f in &s.functions {
            let _ = writeln!(
                o,
                "  function {} ({}) handler {}:{} [{}] line {}",
                f.name,
                f.physical_name,
                f.handler.file,
                f.handler.function,
                f.runtime.as_deref().unwrap_or("-"),
                f.line
            );
            for e in &f.events {
                let mut line = format!("    on {} ({})", e.trigger.name(), e.raw_type);
                if let Some(r) = &e.resource {
                    let _ = write!(line, " {r}");
                }
                if let Some(h) = &e.http {
                    let _ = write!(
                        line,
                        " {} {}{}",
                        h.method.as_deref().unwrap_or("ANY"),
                        h.path.as_deref().unwrap_or("/"),
                        if h.authorizer { " (authorized)" } else { "" }
                    );
                }
                let flt = &e.filter;
                if let Some(p) = &flt.s3_prefix {
                    let _ = write!(line, " prefix={p}");
                }
                if let Some(p) = &flt.s3_suffix {
                    let _ = write!(line, " suffix={p}");
                }
                if !flt.s3_events.is_empty() {
                    let _ = write!(line, " events={}", flt.s3_events.join(","));
                }
                if flt.s3_existing {
                    line.push_str(" existing");
                }
                if let Some(st) = &flt.state {
                    let _ = write!(line, " state={st}");
                }
                for p in &flt.patterns {
                    let _ = write!(line, " pattern={p}");
                }
                let _ = writeln!(o, "{line}");
            }
            for (k, v) in &f.environment {
                let _ = writeln!(o, "    env {k}={v}");
            }
            for st in &f.iam {
                let acts: Vec<String> = st.actions.iter().map(|a| a.to_string()).collect();
                let res: Vec<String> = st.resources.iter().map(|a| a.to_string()).collect();
                let _ = writeln!(
                    o,
                    "    iam {:?}{} [{}] on{} [{}] ({})",
                    st.effect,
                    if st.not_action { " not" } else { "" },
                    acts.join(", "),
                    if st.not_resource { " not" } else { "" },
                    res.join(", "),
                    st.origin
                );
            }
            for mp in &f.managed_policies {
                let _ = writeln!(o, "    managed policy {mp}");
            }
            if f.opaque_role {
                let _ = writeln!(o, "    role: opaque");
            }
        }
        for r in &s.resources {
            let _ = writeln!(
                o,
                "  resource {} {}{}{}",
                r.logical_id,
                r.kind,
                r.physical_name.as_ref().map(|n| format!(" name={n}")).unwrap_or_default(),
                if r.has_stream { " (stream)" } else { "" }
            );
        }
        for sm in &s.state_machines {
            let _ = writeln!(o, "  state machine {} ({}) start {}", sm.name, sm.physical_name, sm.start_at);
            for st in &sm.states {
                let _ = writeln!(
                    o,
                    "    state {} {}{} -> [{}]",
                    st.name,
                    st.kind,
                    st.function.as_deref().map(|f| format!(" runs {f}")).unwrap_or_default(),
                    st.next.join(", ")
                );
            }
            for e in &sm.events {
                let _ = writeln!(o, "    on {}", e.trigger.name());
            }
        }
        for sub in &s.subscriptions {
            let _ = writeln!(o, "  subscription {} -> {} {}", sub.topic, sub.protocol, sub.endpoint);
        }
        for f in &s.forwards {
            let constant = if f.constant { " (constant input)" } else { "" };
            let _ = writeln!(o, "  forward {} {} -> {} {}{constant}", f.from.name(), f.resource, f.to.name(), f.target);
        }
        for i in &s.integrations {
            let resource = i.resource.as_ref().map(|r| format!(" {r}")).unwrap_or_default();
            let _ = writeln!(o, "  route {} -> {}:{}{resource}", i.route, i.service, i.action);
        }
        for d in &s.diagnostics {
            let _ = writeln!(o, "  warning {}:{}: {}", d.file, d.line, d.message);
        }
    }
    for d in &m.diagnostics {
        let _ = writeln!(o, "warning {}:{}: {}", d.file, d.line, d.message);
    }
    o
}

#[cfg(test)]
mod tests;
