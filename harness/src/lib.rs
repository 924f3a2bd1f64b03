//! The harness: labelled suites, scoring of SARIF findings, summaries.
//!
//! * [`suite`]: `expected.toml` labels, case discovery, `suite check`, `suite describe`;
//! * [`score`]: matching reported flows against expected flows, metrics;
//! * [`summary`]: `summary.json` and its CSV / Markdown renderings;
//! * [`dataset`], [`report`]: fetching and characterising datasets of real
//!   repositories, generic table/figure writers;
//! * [`scan`]: real-world scans at scale (child processes, triage, review,
//!   shards and merge);
//! * [`run`], [`tools`]: `harness bench`: the parallel executor (timeouts,
//!   crash isolation, resume), suites from git, tools.toml and its adapters;
//! * [`cmd`]: one module per subcommand of the `harness` binary.

pub mod atomic;
pub mod cmd;
pub mod dataset;
pub mod score;
pub mod perf;
pub mod report;
pub mod run;
pub mod scan;
pub mod suite;
pub mod summary;
pub mod tools;
