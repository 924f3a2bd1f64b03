//! What the analysis of one application produced: findings with their
//! flows, the infrastructure and program it read, the handlers it could
//! not run and why, the calls and permissions it saw, deployment risks,
//! counts and timings. `analysis.rs` fills it; the risk checks, reports
//! and the harness read it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

use crate::engine::{FnRef, PermissionUse, UnmodelledCall};
use crate::infra::model::{Function, InfraModel, Service};
use crate::program::suppressions::Suppression;
use crate::program::vendored::VendoredPackage;
use crate::program::ParseFailure;
use crate::taint::label::{Hop, Site, Source};

/// One flow into a sink: a source and the cloud events it crossed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Flow {
    pub source: Source,
    pub hops: Vec<Hop>,
}

impl Flow {
    pub fn conservative(&self) -> bool {
        self.hops.iter().any(|h| h.conservative)
    }

    /// Whether the flow crosses functions (through the cloud or calls).
    pub fn inter_procedural(&self, sink: &Site) -> bool {
        !self.hops.is_empty() || self.source.site.function != sink.function
    }
}

/// A sink reached by tainted data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub vulnerability: String,
    pub callee: String,
    pub sink: Site,
    pub flows: Vec<Flow>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    pub infra_ms: f64,
    pub parse_ms: f64,
    pub taint_ms: f64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub python_files: usize,
    pub python_lines: usize,
    /// Files written in Python 2, read as the Python 3 they mean
    /// (`program/python2.rs`).
    pub python2_files: Vec<String>,
    pub functions: usize,
    pub handlers: usize,
    pub handlers_missing: Vec<MissingHandler>,
    /// Functions of another runtime (Node.js, Java...): not analysed, and
    /// not missing either.
    pub other_runtimes: Vec<NotPython>,
    pub rounds: usize,
    /// Runs of handler code over all rounds; twin handlers share one
    /// (`twins.rs`).
    pub handler_runs: usize,
    /// Handler runs that started from the modules an earlier run of their
    /// function evaluated (`taint/interp/snapshot.rs`).
    pub modules_reused: usize,
    /// Application calls answered by what the last run of their handler
    /// carried (`taint/interp/carried.rs`).
    pub calls_carried: usize,
    /// Runs of `__main__` scripts over all rounds: a script runs again
    /// only when a store it read has changed.
    pub script_runs: usize,
    /// Runs of web framework views over all rounds: a view runs again only
    /// when a store read by it, by the module code or by an earlier view
    /// that changed state it may see has changed (`web_views.rs`).
    pub view_runs: usize,
}

/// A function of the deployment file that is not Python code to analyse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotPython {
    pub function: String,
    pub deployment_file: String,
    /// The runtime, `container image`, or why it is taken for another
    /// language.
    pub why: String,
}

impl std::fmt::Display for NotPython {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.function, self.why)
    }
}

/// A Python function of the deployment file whose code the analysis could
/// not find.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingHandler {
    /// The function's name in the deployment file.
    pub function: String,
    pub deployment_file: String,
    /// The function's line in the deployment file.
    pub line: u32,
    /// What `handler:` names.
    pub handler_file: String,
    pub handler_function: String,
    pub reason: MissingReason,
}

impl MissingHandler {
    pub(crate) fn of(service: &Service, func: &Function, reason: MissingReason) -> MissingHandler {
        MissingHandler {
            function: func.name.clone(),
            deployment_file: service.file.clone(),
            line: func.line,
            handler_file: func.handler.file.clone(),
            handler_function: func.handler.function.clone(),
            reason,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MissingReason {
    FileNotFound,
    FileNotParsed,
    FunctionNotDefined,
    /// The project configuration excludes the handler's file.
    Excluded,
}

impl MissingReason {
    pub fn text(self) -> &'static str {
        match self {
            MissingReason::FileNotFound => "file not found",
            MissingReason::FileNotParsed => "file not parsed",
            MissingReason::FunctionNotDefined => "function not defined",
            MissingReason::Excluded => "file excluded by the configuration",
        }
    }
}

impl std::fmt::Display for MissingHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}:{}): {}", self.function, self.handler_file, self.handler_function, self.reason.text())
    }
}

/// One cloud API call site, for the service map.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ApiCallSite {
    /// Name of the calling function in the deployment file, if a handler.
    pub caller: Option<String>,
    pub file: String,
    pub line: u32,
    pub service: String,
    pub api: String,
    pub resource: String,
}

pub struct Analysis {
    pub app: PathBuf,
    pub calls: Vec<ApiCallSite>,
    /// The IAM requests of each function's code, with the role's answers.
    pub permission_uses: Vec<PermissionUse>,
    /// boto3 calls without a model, by function (needs unknown).
    pub unmodelled_calls: Vec<UnmodelledCall>,
    pub infra: InfraModel,
    pub parse_failures: Vec<ParseFailure>,
    /// Third-party packages found in the tree: followed, never a source.
    pub vendored: Vec<VendoredPackage>,
    pub findings: Vec<Finding>,
    /// What the deployment file gets wrong ([`crate::risks`]).
    pub risks: Vec<Risk>,
    /// IAM prefixes of the services the code opens a boto3 client or
    /// resource for, followed or not ([`crate::program::clients`]).
    pub opened_services: BTreeSet<String>,
    /// Functions whose HTTP request reaches a sink of a finding.
    pub http_reaching_sinks: BTreeSet<FnRef>,
    /// Functions that check the signature of the platform calling them
    /// (`taint/signed.rs`): the request authenticates itself.
    pub signature_checked: BTreeSet<FnRef>,
    /// Findings kept out by a suppression comment ([`crate::suppress`]).
    pub suppressed: Vec<Suppressed>,
    /// Every suppression comment of the code read.
    pub suppression_comments: Vec<Suppression>,
    /// Suppression comments that matched no finding.
    pub unused_suppressions: Vec<Suppression>,
    /// With a baseline ([`crate::baseline`]): how many findings it already
    /// had, not reported (the findings left are new).
    pub baseline_known: Option<usize>,
    pub stats: Stats,
    pub timings: Timings,
}

impl Analysis {
    /// What keeps the analysis from covering the application: deployment
    /// files that could not be read at all, or none found. Callers exit
    /// with an error and SARIF says `executionSuccessful: false`.
    pub fn errors(&self) -> Vec<String> {
        let mut out: Vec<String> = self.infra.diagnostics.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message)).collect();
        if self.infra.services.is_empty() && out.is_empty() {
            out.push(format!(
                "no deployment file in {}: looked for serverless.yml/.yaml/.json and SAM or CloudFormation templates (pass one with --config)",
                self.app.display()
            ));
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("{0}: not a folder")]
    NotAFolder(PathBuf),
    #[error("model file {0}")]
    Model(String),
    #[error("the analysis thread failed: {0}")]
    Thread(String),
}

/// One deployment risk found in an application.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Risk {
    /// The rule id (`unauthenticated-endpoint`).
    pub rule: String,
    /// The deployment file, relative to the application folder.
    pub file: String,
    pub line: u32,
    /// The function it is about, when one (its name in the deployment file).
    pub function: Option<String>,
    /// What it is about within the rule, in words that survive edits
    /// elsewhere (`env DB_PASSWORD`, `http POST /orders`): with the rule,
    /// the file and the function, the result's fingerprint.
    pub subject: String,
    pub message: String,
}

/// A finding kept out of the report, with the comment that did it.
#[derive(Clone, Debug, Serialize)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: Suppression,
}
