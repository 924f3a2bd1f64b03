//! Static analysis of serverless applications (AWS Lambda + Python).
//!
//! See ARCHITECTURE.md at the repository root for the data flow from the
//! deployment file to SARIF.

pub mod analysis;
pub mod baseline;
mod carried_calls;
mod function_records;
pub mod catalog;
pub mod cloud;
pub mod engine;
pub mod config;
pub mod confine;
pub mod exclude;
pub mod fingerprint;
pub mod infra;
mod module_snapshots;
pub mod names;
pub mod outcome;
pub mod parallel;
pub mod privilege;
pub mod program;
pub mod redact;
pub mod report;
pub mod risks;
pub mod rule_doc;
pub mod sarif;
pub mod secrets;
pub mod suppress;
pub mod sym;
pub mod taint;
pub mod twins;
mod web_views;

pub use analysis::{analyze, Analysis, Disabled, Finding, Flow, Options, ThreatModel};
