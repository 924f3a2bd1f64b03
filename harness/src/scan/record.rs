//! The per-app record of a scan (`OUT/records/<key>.json`): what happened,
//! the counts, the flows and risks found, where the time went, and the
//! triage; what a worker's child sends back to become one; and the store
//! of records a resumed scan trusts.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// What happened when the app was analysed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    NoDeploymentFile,
    DeploymentFileInvalid,
    HandlerModuleMissing,
    PythonNotParsed,
    Timeout,
    Crash,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Ok,
        Status::NoDeploymentFile,
        Status::DeploymentFileInvalid,
        Status::HandlerModuleMissing,
        Status::PythonNotParsed,
        Status::Timeout,
        Status::Crash,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NoDeploymentFile => "no-deployment-file",
            Status::DeploymentFileInvalid => "deployment-file-invalid",
            Status::HandlerModuleMissing => "handler-module-missing",
            Status::PythonNotParsed => "python-not-parsed",
            Status::Timeout => "timeout",
            Status::Crash => "crash",
        }
    }

    /// The analysis ran to its end (its numbers are meaningful).
    pub fn completed(self) -> bool {
        !matches!(self, Status::NoDeploymentFile | Status::Timeout | Status::Crash)
    }
}

/// One source-to-sink flow: the unit that is counted and reviewed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FlowRecord {
    /// Stable id: app, sink function, callee, class and source, no line
    /// numbers ([`assign_fingerprints`]).
    pub fingerprint: String,
    /// `partialFingerprints.primaryLocationLineHash` of the finding in the
    /// analyzer's SARIF (one per sink and class, all sources).
    pub sarif_fingerprint: String,
    pub vulnerability: String,
    pub callee: String,
    pub sink_file: String,
    pub sink_line: u32,
    pub sink_function: String,
    pub source_kind: String,
    pub source_what: String,
    pub source_file: String,
    pub source_line: u32,
    pub source_function: String,
    /// Cloud services crossed.
    pub hops: u32,
    /// Crosses functions (through the cloud or calls).
    pub inter: bool,
}

/// A handler named by the deployment file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandlerInfo {
    pub name: String,
    pub file: String,
    pub function: String,
    pub runtime: String,
    /// Python code to analyse: not another runtime, not a container image.
    pub python: bool,
    pub found: bool,
    /// Why not found: `file not found`, `file not parsed`, `function not defined`.
    pub problem: String,
}

/// What a worker (`harness analyze-worker`) answers for one app.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChildOutput {
    pub services: u64,
    pub framework: String,
    pub provider: String,
    /// Deployment files that could not be loaded (`file:line: message`).
    pub invalid: Vec<String>,
    pub python_files: u64,
    pub python_lines: u64,
    /// Code lines of the Python written inside deployment files (SAM
    /// `InlineCode`, CloudFormation `ZipFile`): no file on disk holds them.
    #[serde(default)]
    pub inline_python_lines: u64,
    pub functions: u64,
    /// (file, line, reason).
    pub parse_failures: Vec<(String, u32, String)>,
    /// Files written in Python 2 that the analyzer read all the same.
    #[serde(default)]
    pub python2_files: u64,
    pub handlers: Vec<HandlerInfo>,
    pub flows: Vec<FlowRecord>,
    /// Python files of third-party packages installed into the app.
    #[serde(default)]
    pub vendored_files: u64,
    #[serde(default)]
    pub privileges: PrivilegeCounts,
    #[serde(default)]
    pub risks: Vec<RiskRecord>,
    pub infra_ms: f64,
    pub parse_ms: f64,
    pub taint_ms: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Wall clock of the app in its worker, request to answer.
    pub total_ms: f64,
    pub infra_ms: f64,
    pub parse_ms: f64,
    pub taint_ms: f64,
    /// Peak resident set of the worker during the app (VmHWM), MB.
    pub max_rss_mb: f64,
}

/// Everything recorded about one app.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppRecord {
    /// Repository folder below the dataset, with `/`.
    pub repo: String,
    /// Deployment file relative to the repository; empty when there is none.
    pub deployment_file: String,
    pub status: Status,
    pub detail: String,
    pub triage: Triage,
    pub triage_reason: String,
    pub framework: String,
    /// Python code lines of the app folder, and of the Python written inside
    /// its deployment file.
    pub loc: u64,
    pub python_files: u64,
    pub python_failed: u64,
    pub python2_files: u64,
    /// Functions of the deployment file with a Python runtime.
    pub handlers: u64,
    pub handlers_missing: u64,
    /// Functions with another runtime (Node.js, Java...).
    pub other_runtime_functions: u64,
    /// Python functions defined in the app's code.
    pub functions: u64,
    pub flows: Vec<FlowRecord>,
    /// First problems, for people (parse failures, missing handlers).
    pub problems: Vec<String>,
    pub timing: Timing,
    /// Files under the app's folder that the fetch could not write (absent
    /// blobs): the analysis did not see them.
    #[serde(default)]
    pub files_omitted: u64,
    /// Python files of vendored third-party packages: followed when
    /// called, never a source.
    #[serde(default)]
    pub vendored_files: u64,
    /// Least privilege of the app's functions ([`analyzer::privilege`]).
    #[serde(default)]
    pub privileges: PrivilegeCounts,
    /// Deployment risks ([`analyzer::risks`]).
    #[serde(default)]
    pub risks: Vec<RiskRecord>,
}

/// One deployment risk of an app, where the deployment file declares it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRecord {
    pub rule: String,
    /// Relative to the app's folder.
    pub file: String,
    pub line: u32,
    pub function: String,
    pub subject: String,
    pub message: String,
}

/// How many of an app's functions need what their roles grant, and how
/// they differ (counts of functions, except `excess_grants`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PrivilegeCounts {
    /// Functions with an analysed Python handler.
    pub functions: u64,
    pub over_privileged: u64,
    pub under_privileged: u64,
    /// Functions with a grant no call of theirs needs, by kind.
    pub unused_grant: u64,
    pub wildcard_resource: u64,
    pub shared_role: u64,
    pub admin_policy: u64,
    /// Action/resource pairs granted beyond the needs, over all functions.
    pub excess_grants: u64,
    /// Functions whose role is partly invisible (role ARN, managed policies).
    pub role_partly_unknown: u64,
    /// Functions with boto3 calls no model describes.
    pub unmodelled_calls: u64,
}

impl PrivilegeCounts {
    pub fn of(fs: &[analyzer::privilege::FunctionPrivileges]) -> PrivilegeCounts {
        let with = |kind: &str| fs.iter().filter(|f| f.excess.iter().any(|e| e.kind == kind)).count() as u64;
        PrivilegeCounts {
            functions: fs.len() as u64,
            over_privileged: fs.iter().filter(|f| !f.excess.is_empty()).count() as u64,
            under_privileged: fs.iter().filter(|f| !f.denied.is_empty()).count() as u64,
            unused_grant: with("unused"),
            wildcard_resource: with("wildcard-resource") + with("not-action"),
            shared_role: with("shared-role"),
            admin_policy: with("managed-policy"),
            excess_grants: fs.iter().map(|f| f.excess.len() as u64).sum(),
            role_partly_unknown: fs.iter().filter(|f| f.role_partly_unknown).count() as u64,
            unmodelled_calls: fs.iter().filter(|f| !f.unmodelled_calls.is_empty()).count() as u64,
        }
    }
}

impl AppRecord {
    /// `repo` or `repo/deployment_file`.
    pub fn id(&self) -> String {
        app_id(&self.repo, &self.deployment_file)
    }

    pub fn inter(&self) -> u64 {
        self.flows.iter().filter(|f| f.inter).count() as u64
    }

    pub fn intra(&self) -> u64 {
        self.flows.len() as u64 - self.inter()
    }
}

pub fn app_id(repo: &str, file: &str) -> String {
    if file.is_empty() {
        repo.to_string()
    } else {
        format!("{repo}/{file}")
    }
}

/// File name of an app's record: readable and collision-free.
pub fn record_key(repo: &str, file: &str) -> String {
    let id = app_id(repo, file);
    let mut readable = crate::dataset::manifest::sanitize(&id.replace('/', "--"));
    readable.truncate(100);
    format!("{readable}-{:08x}", super::fnv1a(&id) as u32)
}

/// Why an app is left out of the flow counts (`triage.rs` decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Triage {
    NoDeploymentFile,
    Template,
    Timeout,
    Crash,
    Python2,
    InconsistentInfrastructure,
    InconsistentCode,
    NoPythonFunctions,
    Analysed,
}

impl Triage {
    pub const ALL: [Triage; 9] = [
        Triage::Template,
        Triage::Python2,
        Triage::InconsistentInfrastructure,
        Triage::InconsistentCode,
        Triage::NoPythonFunctions,
        Triage::NoDeploymentFile,
        Triage::Timeout,
        Triage::Crash,
        Triage::Analysed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Triage::NoDeploymentFile => "no-deployment-file",
            Triage::Template => "template",
            Triage::Timeout => "timeout",
            Triage::Crash => "crash",
            Triage::Python2 => "python2",
            Triage::InconsistentInfrastructure => "inconsistent-infrastructure",
            Triage::InconsistentCode => "inconsistent-code",
            Triage::NoPythonFunctions => "no-python-functions",
            Triage::Analysed => "analysed",
        }
    }

    /// The study's wording, for the triage table.
    pub fn description(self) -> &'static str {
        match self {
            Triage::NoDeploymentFile => "no deployment file",
            Triage::Template => "template or example",
            Triage::Timeout => "analysis timed out",
            Triage::Crash => "analysis crashed (signal, out of memory)",
            Triage::Python2 => "tool-incompatible (Python 2)",
            Triage::InconsistentInfrastructure => "infrastructure-code inconsistent",
            Triage::InconsistentCode => "application-code inconsistent",
            Triage::NoPythonFunctions => "no Python function",
            Triage::Analysed => "analysed",
        }
    }
}

pub fn records_dir(out: &Path) -> PathBuf {
    out.join("records")
}

pub fn read_record(path: &Path) -> Result<AppRecord> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a scan record", path.display()))
}

/// Writes atomically (temporary file, then rename), so that a killed scan
/// never leaves a half record that a resumed scan would trust.
pub fn write_record(out: &Path, key: &str, r: &AppRecord) -> Result<()> {
    let dir = records_dir(out);
    std::fs::create_dir_all(&dir)?;
    crate::atomic::write(&dir.join(format!("{key}.json")), serde_json::to_vec_pretty(r)?)?;
    Ok(())
}

/// Every record of an output folder, sorted by app id.
pub fn load_records(out: &Path) -> Result<Vec<AppRecord>> {
    let dir = records_dir(out);
    let mut recs = Vec::new();
    if dir.is_dir() {
        for e in std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))? {
            let p = e?.path();
            if p.extension().and_then(|x| x.to_str()) == Some("json") && !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                recs.push(read_record(&p)?);
            }
        }
    }
    recs.sort_by_key(|a| a.id());
    Ok(recs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_keys_are_safe_and_distinct() {
        let a = record_key("o_r", "svc/a/serverless.yml");
        let b = record_key("o_r", "svc/a/serverless.yaml");
        assert_ne!(a, b);
        assert!(!a.contains('/'));
    }
}
