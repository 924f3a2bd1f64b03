//! Datasets of real repositories (issue 8): manifests, fetching at pinned
//! commits, dataset archives, GitHub metadata and the collection pipeline,
//! and the AWSomePy characterisation (tables and figures).
//!
//! * [`manifest`]: the CSV format of `dataset/*.csv`;
//! * [`fetch`]: `harness fetch --manifest` (git2, resumable, logged), with
//!   [`mirror`] (local snapshots instead of URLs), [`checkout`] (work trees
//!   written despite absent blobs) and [`history`] (pins by date);
//! * [`archive`]: `harness fetch --zenodo/--url` (reqwest, Range resume,
//!   checksums, safe unpacking);
//! * [`github`]: REST client (rate limits, ETag cache, pagination);
//! * [`collect`]: `harness collect` (Table 3.1's pipeline, metadata);
//! * [`characterize`]: `harness characterize` (Tables 3.2-3.5, Figures 3.2-3.4);
//! * [`boto3_usage`], [`loc`]: what characterisation measures.

pub mod archive;
pub mod boto3_usage;
pub mod characterize;
pub mod checkout;
pub mod collect;
pub mod csv_rows;
pub mod dates;
pub mod fetch;
pub mod github;
pub mod history;
pub mod loc;
pub mod manifest;
pub mod mirror;
pub mod progress;
