//! The harness: labelled suites, scoring of SARIF findings, summaries.
//!
//! * [`suite`]: `expected.toml` labels, case discovery, `suite check`, `suite describe`;
//! * [`score`]: matching reported flows against expected flows, metrics;
//! * [`summary`]: `summary.json` and its CSV / Markdown renderings;
//! * [`dataset`], [`report`]: fetching and characterising datasets of real
//!   repositories, generic table/figure writers;
//! * [`scan`]: real-world scans at scale (child processes, triage, review,
//!   shards and merge);
//! * [`cmd`]: one module per subcommand of the `harness` binary.

pub mod cmd;
pub mod dataset;
pub mod score;
pub mod report;
pub mod scan;
pub mod suite;
pub mod summary;
